"""Documents the platform issues and anyone can verify at /verify/<code>/.

Contracts, certificates, credit reports and receipts are sealed PDFs (see
``core.sealing``). Each one is registered here with its verification code, the
SHA-256 of the exact sealed bytes and the facts the public may see. A row is
never rewritten: only its status can move (valid → superseded or revoked).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .storage import private_storage
from .warnings import RefreshResult, kind_label, registered_sources


class AppendOnlyError(ValidationError):
    """Raised when code tries to change or delete a row that is history."""


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that refuses bulk ``update()`` and ``delete()`` on history, so the rule of
    :class:`AppendOnlyModel` can't be bypassed through the manager. A model whose mutable
    columns are changed through its own methods uses it as ``objects``."""

    def update(self, **kwargs):
        raise self.model.append_only_error(self.model.edit_message)

    def delete(self):
        raise self.model.append_only_error(self.model.delete_message)


class AppendOnlyModel(models.Model):
    """Rows that are history: created once, never rewritten, never deleted. A correction is a
    new row that points at what it corrects.

    ``mutable_columns`` names the columns (attnames: ``"status"``, ``"superseded_by_id"``) that
    may still change on an existing row, such as a status or a revocation. Saving an existing
    row raises ``append_only_error`` (``AppendOnlyError`` unless a model names its own) when
    any other column differs from the stored row, or when ``update_fields`` names another
    column; a model with no mutable columns can't be saved again at all. ``delete()`` always
    raises. A model with a further rule (nothing changes once sealed, say) overrides
    ``update_refusal``."""

    mutable_columns = frozenset()
    append_only_error = AppendOnlyError
    edit_message = _("该记录只能追加，不能修改；如需更正，请新增一条更正记录。")
    delete_message = _("该记录只能追加，不能删除。")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            message = self._refusal(kwargs.get("update_fields"))
            if message:
                raise self.append_only_error(message)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise self.append_only_error(self.delete_message)

    def _refusal(self, update_fields):
        if not self.mutable_columns:
            return self.edit_message
        if update_fields is not None:
            written = {self._meta.get_field(name).attname for name in update_fields}
            if written - set(self.mutable_columns):
                return self.edit_message
        stored = type(self)._base_manager.get(pk=self.pk)
        changed = {
            field.attname
            for field in self._meta.concrete_fields
            if getattr(stored, field.attname) != getattr(self, field.attname)
        }
        return self.update_refusal(stored, changed)

    def update_refusal(self, stored, changed):
        """Why saving this existing row is refused ("" if it isn't). ``stored`` is the row as
        the database holds it, ``changed`` the attnames that differ from it."""
        return self.edit_message if changed - set(self.mutable_columns) else ""


class VerifiableDocument(AppendOnlyModel):
    class Kind(models.TextChoices):
        CONTRACT = "contract", _("殡葬服务合同")
        CHANGE_ORDER = "change_order", _("合同变更单")
        CREMATION_CERTIFICATE = "cremation_certificate", _("火化证明")
        BURIAL_CERTIFICATE = "burial_certificate", _("安葬证明")
        PAYMENT_RECEIPT = "payment_receipt", _("支付凭证")
        CREDIT_REPORT = "credit_report", _("社会组织信用报告")
        DONATION_RECEIPT = "donation_receipt", _("捐赠票据")
        REPORT_RECEIPT = "report_receipt", _("年度报告回执")
        VISIT_PASS = "visit_pass", _("预约祭扫凭证")
        REGISTRATION_LICENCE = "registration_licence", _("社会组织登记证书（电子证照）")
        BENEFIT_DECISION = "benefit_decision", _("惠民殡葬审核决定书")

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        SUPERSEDED = "superseded", _("已被新版本取代")
        REVOKED = "revoked", _("已作废")

    # Only these columns may change once a document is issued (``core.verification.revoke``).
    mutable_columns = frozenset({"status", "status_reason", "superseded_by_id"})
    edit_message = _("已出具的文书不能修改，只能作废或由新版本取代。")
    delete_message = _("已出具的文书不能删除。")

    code = models.CharField(_("核验码"), max_length=24, unique=True)
    kind = models.CharField(_("文书类型"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    issuer_name = models.CharField(_("出具单位"), max_length=200)
    holder_name_masked = models.CharField(
        _("当事人"),
        max_length=120,
        blank=True,
        help_text=_("个人姓名已脱敏；机构名称为公开登记信息，完整显示。"),
    )
    issued_at = models.DateTimeField(_("出具时间"))
    sha256 = models.CharField(_("文件 SHA-256"), max_length=64)
    file = models.FileField(_("文件"), storage=private_storage, upload_to="sealed/%Y/%m/")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField(_("状态说明"), max_length=200, blank=True)
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("取代它的文书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    source = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("可核验文书")
        verbose_name_plural = _("可核验文书")
        indexes = [models.Index(fields=["content_type", "object_id"])]
        ordering = ["-issued_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code}"


class EarlyWarningQuerySet(models.QuerySet):
    def open(self):
        return self.filter(cleared_on__isnull=True)

    def for_organisation(self, uscc):
        return self.filter(organisation_uscc=uscc)


def _warning_key(kind, content_type_id, object_id, detail_key):
    return (kind, content_type_id, str(object_id), detail_key or "")


def _other_language_texts(source, today):
    """{key: {language: {"reason": …, "how_to_clear": …}}} for every site language but the
    default, computed by running the source again in that language: warnings are stored
    once and read in Chinese or English."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        if language == settings.LANGUAGE_CODE:
            continue
        with translation.override(language):
            for spec in source.compute(today):
                content_type = ContentType.objects.get_for_model(spec.subject)
                key = _warning_key(source.kind, content_type.pk, spec.subject.pk, spec.detail_key)
                texts.setdefault(key, {}).setdefault(
                    language, {"reason": str(spec.reason), "how_to_clear": str(spec.how_to_clear)}
                )
    return texts


class EarlyWarningManager(models.Manager.from_queryset(EarlyWarningQuerySet)):
    @transaction.atomic
    def refresh(self, today=None, kinds=None):
        """Bring the open warnings in line with what the registered sources
        (``core.warnings.register_warning_source``) produce on ``today``; returns a
        ``core.warnings.RefreshResult``.

        Only the kinds whose source ran are cleared, so an unregistered kind keeps its rows.
        ``reason`` and ``how_to_clear`` are stored in the default language (Chinese), and in
        every other site language in ``translations``."""
        today = today or timezone.localdate()
        result = RefreshResult()
        sources = [source for kind, source in registered_sources().items() if kinds is None or kind in kinds]
        for source in sources:
            self._refresh_source(source, today, result)
        return result

    def _refresh_source(self, source, today, result):
        other_languages = _other_language_texts(source, today)
        existing = {
            _warning_key(w.kind, w.content_type_id, w.object_id, w.detail_key): w
            for w in self.select_for_update().filter(kind=source.kind, cleared_on__isnull=True)
        }
        seen = set()
        with translation.override(settings.LANGUAGE_CODE):
            specs = list(source.compute(today))
        for spec in specs:
            content_type = ContentType.objects.get_for_model(spec.subject)
            key = _warning_key(source.kind, content_type.pk, spec.subject.pk, spec.detail_key)
            if key in seen:
                continue
            seen.add(key)
            values = {
                "subject_label": (spec.subject_label or str(spec.subject))[:200],
                "organisation_uscc": spec.organisation_uscc,
                "owner_key": spec.owner_key,
                "reason": str(spec.reason),
                "deadline": spec.deadline,
                "how_to_clear": str(spec.how_to_clear),
                "link": spec.link,
                "translations": other_languages.get(key, {}),
            }
            warning = existing.get(key)
            if warning is None:
                warning = self.create(
                    kind=source.kind,
                    content_type=content_type,
                    object_id=str(spec.subject.pk),
                    detail_key=spec.detail_key or "",
                    raised_on=today,
                    last_seen_on=today,
                    **values,
                )
                result.opened.append(warning)
                continue
            changed = [name for name, value in values.items() if getattr(warning, name) != value]
            for name in changed:
                setattr(warning, name, values[name])
            warning.last_seen_on = today
            warning.save(update_fields=[*changed, "last_seen_on"])
            result.kept.append(warning)
        for key, warning in existing.items():
            if key not in seen:
                warning.cleared_on = today
                warning.save(update_fields=["cleared_on"])
                result.cleared.append(warning)


class EarlyWarning(models.Model):
    """An early warning (预警) computed every day by ``EarlyWarning.objects.refresh()``.

    Apps register *warning sources* (``core.warnings.register_warning_source``); a
    source yields the warnings that should be open today. A warning stays open, one
    row per (kind, subject, detail key), until its source stops producing it, when it
    is cleared with the date. Cleared rows are kept as history.
    """

    kind = models.CharField(_("预警类型"), max_length=60, db_index=True)
    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.CASCADE)
    object_id = models.CharField(_("对象编号"), max_length=64)
    subject = GenericForeignKey("content_type", "object_id")
    detail_key = models.CharField(
        _("细分键"),
        max_length=64,
        blank=True,
        default="",
        help_text=_("同一对象同类预警的区分键，例如报告年度。"),
    )
    subject_label = models.CharField(_("预警对象"), max_length=200)
    organisation_uscc = models.CharField(_("所属社会组织代码"), max_length=18, blank=True, db_index=True)
    owner_key = models.CharField(
        _("所属主体键"),
        max_length=64,
        blank=True,
        db_index=True,
        help_text=_("非社会组织主体，例如 provider:<slug>。"),
    )
    reason = models.TextField(_("预警原因"))
    deadline = models.DateField(_("期限"))
    how_to_clear = models.TextField(_("解除方式"))
    translations = models.JSONField(
        _("其他语言文本"),
        default=dict,
        blank=True,
        help_text=_("{语言: {reason, how_to_clear}}，由预警规则按各语言生成。"),
    )
    link = models.CharField(_("相关链接"), max_length=300, blank=True)
    raised_on = models.DateField(_("发出日期"))
    last_seen_on = models.DateField(_("最近确认日期"))
    cleared_on = models.DateField(_("解除日期"), null=True, blank=True)

    objects = EarlyWarningManager()

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        ordering = ["deadline", "subject_label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "content_type", "object_id", "detail_key"],
                condition=models.Q(cleared_on__isnull=True),
                name="core_one_open_warning_per_subject",
            )
        ]
        indexes = [models.Index(fields=["cleared_on", "deadline"])]

    def __str__(self):
        return f"{self.kind_label} · {self.subject_label}"

    @property
    def is_open(self):
        return self.cleared_on is None

    @property
    def kind_label(self):
        return kind_label(self.kind)

    def overdue(self, today=None):
        from django.utils import timezone

        return (today or timezone.localdate()) > self.deadline

    def _text(self, name):
        from django.utils.translation import get_language

        return self.translations.get(get_language() or "", {}).get(name) or getattr(self, name)

    @property
    def reason_text(self):
        """The reason in the active language (Chinese when no translation was stored)."""
        return self._text("reason")

    @property
    def how_to_clear_text(self):
        return self._text("how_to_clear")


class SecurityEvent(AppendOnlyModel):
    """A security event the platform detected (append-only): a stored document whose bytes no
    longer match what was issued, a price chain that fails its published head, …

    Each event is also written to the ``security`` logger as a structured record; the rows
    are what the bureau lists in the admin and what the early warnings are computed from."""

    class Kind(models.TextChoices):
        DOCUMENT_ALTERED = "document_altered", _("存档文件被改动")
        DOCUMENT_MISSING = "document_missing", _("存档文件缺失")
        PRICE_CHAIN_BROKEN = "price_chain_broken", _("价格哈希链校验失败")

    kind = models.CharField(_("事件类型"), max_length=40, choices=Kind.choices, db_index=True)
    occurred_at = models.DateTimeField(_("发生时间"), db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("对象类型"), null=True, blank=True, on_delete=models.PROTECT
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    subject = GenericForeignKey("content_type", "object_id")
    subject_label = models.CharField(_("对象"), max_length=200)
    summary = models.CharField(_("摘要"), max_length=300)
    details = models.JSONField(_("详细信息"), default=dict, blank=True)
    path = models.CharField(_("请求路径"), max_length=300, blank=True)
    user_id_seen = models.CharField(_("请求用户编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("安全事件")
        verbose_name_plural = _("安全事件")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.subject_label}"


class ScheduledRun(models.Model):
    """One run of a scheduled job (``site/crontab``), claimed by the node that runs it.

    Every node's cron starts the same jobs at the same minutes; the row for (job, slot) is
    the claim, so a job runs once per cluster and slot whatever the number of nodes
    (``core.scheduling``). The row then records when the run ended and, if it failed, why."""

    job = models.CharField(_("任务"), max_length=80)
    slot = models.DateTimeField(_("计划时间"))
    node = models.CharField(_("执行节点"), max_length=120)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)

    class Meta:
        verbose_name = _("计划任务运行记录")
        verbose_name_plural = _("计划任务运行记录")
        ordering = ["-slot", "job"]
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="core_one_run_per_job_and_slot")]

    def __str__(self):
        return f"{self.job} @ {timezone.localtime(self.slot):%Y-%m-%d %H:%M}"
