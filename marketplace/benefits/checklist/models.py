"""身后一件事: one checklist per death (issue 20, part 3).

- ``ChecklistStep``: a step the family takes after a death, edited by the bureau in the CMS (a
  Wagtail snippet): which department, what to bring, where, a short description, a link to the
  办事指南 page, and the legal deadline in days after the death with its basis, where the law or
  the department's guide states one. A step that names a ``platform_item`` is one the platform
  itself handles (the funeral order, the certificate, the 惠民殡葬 application, the memorial,
  a booked visit): its status is read live from that app, not ticked. Steps are retired
  (``is_active``), never deleted: families' ticks point at them.
- ``Checklist``: one per death case, owned by the family member who starts it, from an order
  of theirs (one checklist per order) or standalone with the deceased's name and date of death.
- ``ChecklistTick``: another department's step marked done, by whom and when. Unticking deletes
  the row; both are written to Wagtail's audit log on the checklist.
- ``ChecklistKeeper``: a co-keeper, invited by mobile number with an unguessable link sent by
  SMS (only its SHA-256 is stored), accepted by the account holding that verified number, and
  revocable by the owner. An explicit transition table (``core.statemachine``).
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel


class PlatformItem(models.TextChoices):
    FUNERAL_ORDER = "funeral_order", _("殡葬服务订单（遗体接运、火化）")
    CERTIFICATE = "certificate", _("火化或安葬证明")
    SUBSIDY = "subsidy", _("惠民殡葬补贴或减免申请")
    MEMORIAL = "memorial", _("网上纪念馆")
    VISIT = "visit", _("预约祭扫")


class ChecklistStepQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True).order_by("sort_order", "pk")


class ChecklistStep(models.Model):
    """One step of the 身后一件事 checklist, as the bureau writes it (Chinese, with optional
    English twins shown on English pages)."""

    title = models.CharField(_("事项"), max_length=80)
    title_en = models.CharField(_("事项（英文）"), max_length=160, blank=True)
    department = models.CharField(_("办理部门"), max_length=120)
    department_en = models.CharField(_("办理部门（英文）"), max_length=200, blank=True)
    documents = models.TextField(_("所需材料"), blank=True, help_text=_("每行一项。"))
    documents_en = models.TextField(
        _("所需材料（英文）"), blank=True, help_text=_("每行一项，与中文逐行对应。")
    )
    where = models.TextField(_("办理地点或渠道"), blank=True, help_text=_("地址、窗口或网上办理渠道。"))
    where_en = models.TextField(_("办理地点或渠道（英文）"), blank=True)
    online_url = models.URLField(_("网上办理链接"), blank=True)
    description = models.TextField(_("说明"), blank=True)
    description_en = models.TextField(_("说明（英文）"), blank=True)
    guide_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("办事指南页面"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("清单中链接到这一页（按访问者的语言）。"),
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("办理期限（死亡之日起天数）"),
        null=True,
        blank=True,
        help_text=_("法律或办事指南规定了期限时填写，清单会倒计时；没有规定的留空。"),
    )
    deadline_basis = models.CharField(
        _("期限依据"),
        max_length=300,
        blank=True,
        help_text=_("填写办理期限时必填，例如规定期限的文件或办事指南。"),
    )
    deadline_basis_en = models.CharField(_("期限依据（英文）"), max_length=400, blank=True)
    platform_item = models.CharField(
        _("本平台办理的事项"),
        max_length=20,
        choices=PlatformItem.choices,
        blank=True,
        help_text=_("选择后，该事项的状态从本平台实时读取；其他部门的事项留空，由家属勾选。"),
    )
    sort_order = models.PositiveSmallIntegerField(_("顺序"), default=0, help_text=_("数字小的排在前面。"))
    is_active = models.BooleanField(
        _("在清单中显示"), default=True, help_text=_("不再需要的事项取消勾选即可；已有的勾选记录保留。")
    )

    objects = ChecklistStepQuerySet.as_manager()

    # The user-visible texts that have an English field (``<name>_en``).
    translated_fields = ("title", "department", "documents", "where", "description", "deadline_basis")

    panels = [
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel("title"), FieldPanel("title_en")]), FieldPanel("sort_order")],
            heading=_("事项"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("department"), FieldPanel("department_en")]),
                FieldRowPanel([FieldPanel("documents"), FieldPanel("documents_en")]),
                FieldRowPanel([FieldPanel("where"), FieldPanel("where_en")]),
                FieldPanel("online_url"),
                FieldRowPanel([FieldPanel("description"), FieldPanel("description_en")]),
                PageChooserPanel("guide_page", page_type="cms.GuidePage"),
            ],
            heading=_("办理信息"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("deadline_days"),
                FieldRowPanel([FieldPanel("deadline_basis"), FieldPanel("deadline_basis_en")]),
            ],
            heading=_("期限"),
        ),
        FieldPanel("platform_item"),
        FieldPanel("is_active"),
    ]

    class Meta:
        verbose_name = _("身后一件事事项")
        verbose_name_plural = _("身后一件事事项")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["platform_item"],
                condition=~Q(platform_item=""),
                name="benefit_checklist_one_step_per_platform_item",
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__isnull=True) | ~Q(deadline_basis=""),
                name="benefit_checklist_deadline_has_basis",
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.deadline_days is not None and not (self.deadline_basis or "").strip():
            raise ValidationError({"deadline_basis": _("填写了办理期限，请同时写明期限依据。")})

    def localized(self, field):
        """``field`` in the active language: its ``_en`` twin on an English page when an
        editor filled it in, otherwise the Chinese value."""
        if field not in self.translated_fields:
            raise ValueError(field)
        if not (get_language() or "").lower().startswith("zh"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return english
        return getattr(self, field)

    def document_list(self):
        return [line.strip() for line in self.localized("documents").splitlines() if line.strip()]


def new_reference():
    return "SH" + "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(10))


class Checklist(models.Model):
    reference = models.CharField(
        _("清单编号"), max_length=16, unique=True, default=new_reference, editable=False
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("建立人"),
        on_delete=models.PROTECT,
        related_name="benefit_checklists",
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("殡葬服务订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deceased_name = models.CharField(_("逝者姓名"), max_length=60)
    date_of_death = models.DateField(_("死亡日期"))
    created_at = models.DateTimeField(_("建立时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("身后一件事清单")
        verbose_name_plural = _("身后一件事清单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One checklist per death case: per order, and per (owner, deceased, date of death).
            models.UniqueConstraint(
                fields=["order"], condition=Q(order__isnull=False), name="benefit_checklist_one_per_order"
            ),
            models.UniqueConstraint(
                fields=["owner", "deceased_name", "date_of_death"], name="benefit_checklist_one_per_death"
            ),
        ]

    def __str__(self):
        return _("%(name)s 的身后一件事清单") % {"name": self.deceased_name}

    def get_absolute_url(self):
        return reverse("benefit_checklist:detail", kwargs={"reference": self.reference})


class ChecklistTick(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="ticks")
    step = models.ForeignKey(
        ChecklistStep, verbose_name=_("事项"), on_delete=models.PROTECT, related_name="+"
    )
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("勾选人"), on_delete=models.PROTECT, related_name="+"
    )
    ticked_at = models.DateTimeField(_("勾选时间"))

    class Meta:
        verbose_name = _("已办事项")
        verbose_name_plural = _("已办事项")
        constraints = [
            models.UniqueConstraint(fields=["checklist", "step"], name="benefit_checklist_one_tick_per_step")
        ]

    def __str__(self):
        return f"{self.checklist_id}:{self.step_id}"


class KeeperStatus(models.TextChoices):
    INVITED = "invited", _("已邀请，待接受")
    ACCEPTED = "accepted", _("已接受")
    REVOKED = "revoked", _("已撤销")


LIVE_KEEPER_STATUSES = (KeeperStatus.INVITED, KeeperStatus.ACCEPTED)


def token_digest(token):
    return hashlib.sha256((token or "").encode()).hexdigest()


class ChecklistKeeper(models.Model):
    """A co-keeper: the invitation to a mobile number and, once accepted, the membership."""

    TRANSITIONS = {
        (KeeperStatus.INVITED, KeeperStatus.ACCEPTED): "accept",
        (KeeperStatus.INVITED, KeeperStatus.REVOKED): "revoke",
        (KeeperStatus.ACCEPTED, KeeperStatus.REVOKED): "revoke",
    }

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="keepers")
    mobile = models.CharField(_("受邀手机号码"), max_length=11)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=KeeperStatus.choices, default=KeeperStatus.INVITED
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("邀请人"), on_delete=models.PROTECT, related_name="+"
    )
    invited_at = models.DateTimeField(_("邀请时间"))
    expires_at = models.DateTimeField(_("邀请有效期至"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接受邀请的账户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="benefit_checklist_roles",
    )
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("共同办理人")
        verbose_name_plural = _("共同办理人")
        ordering = ["invited_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["checklist", "mobile"],
                condition=Q(status__in=["invited", "accepted"]),
                name="benefit_checklist_one_live_keeper_per_mobile",
            ),
            models.UniqueConstraint(
                fields=["checklist", "user"],
                condition=Q(status="accepted"),
                name="benefit_checklist_one_role_per_user",
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(user__isnull=False, accepted_at__isnull=False),
                name="benefit_checklist_accepted_has_user",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"{self.checklist_id}→{self.masked_mobile}"

    @property
    def masked_mobile(self):
        return f"{self.mobile[:3]}****{self.mobile[-4:]}" if len(self.mobile) == 11 else self.mobile
