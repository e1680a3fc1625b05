"""Programmes with machine-checkable criteria (I1), founding groups, and applications reviewed
through an explicit transition table."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.money import MoneyField
from orgs.credit.models import Grade
from orgs.registry.models import District, Organization, OrgType, ServiceField

# The choices each list criterion may hold, by field name.
LIST_CRITERIA = {
    "org_types": OrgType,
    "districts": District,
    "service_fields": ServiceField,
}


class Criteria(models.Model):
    """I1: who may apply, as data the eligibility engine checks one by one. An empty list
    means "any"; a missing number means "no requirement"."""

    org_types = models.JSONField(_("组织类型"), default=list, blank=True)
    districts = models.JSONField(_("所在区"), default=list, blank=True)
    service_fields = models.JSONField(_("服务领域"), default=list, blank=True)
    min_months_registered = models.PositiveSmallIntegerField(_("成立时间不少于（月）"), null=True, blank=True)
    max_months_registered = models.PositiveSmallIntegerField(_("成立时间不超过（月）"), null=True, blank=True)
    no_abnormal_listing = models.BooleanField(_("未被列入活动异常名录"), default=True)
    no_serious_listing = models.BooleanField(_("未被列入严重违法失信名单"), default=True)
    accepted_report_years = models.PositiveSmallIntegerField(
        _("近几年年度报告审核合格"),
        default=0,
        help_text=_("0 表示不要求；成立不满所需年数的组织不符合此项。"),
    )
    min_rating = models.PositiveSmallIntegerField(
        _("最低评估等级"), choices=Grade.choices, null=True, blank=True
    )
    c3_within_limits = models.BooleanField(
        _("慈善组织支出比例达标"),
        default=False,
        help_text=_("按最近一个审核通过的年度报告计算（C3）；对非慈善组织不适用。"),
    )

    class Meta:
        abstract = True

    # The field holding the last day of the application window (a programme's or an offer's).
    window_end = None

    def clean(self):
        super().clean()
        errors = {}
        for name, choices in LIST_CRITERIA.items():
            values = getattr(self, name)
            if not isinstance(values, list) or any(value not in choices.values for value in values):
                errors[name] = _("请从列表中选择。")
        low, high = self.min_months_registered, self.max_months_registered
        if low is not None and high is not None and low > high:
            errors["max_months_registered"] = _("成立时间上限不能小于下限。")
        end = getattr(self, self.window_end) if self.window_end else None
        if self.opens_on and end and end < self.opens_on:
            errors[self.window_end] = _("申请截止日期不能早于开始日期。")
        errors.update(self.own_errors())
        if errors:
            raise ValidationError(errors)

    def own_errors(self):
        """The checks of the concrete model, as {field: message}."""
        return {}

    def is_open(self, day=None):
        """Published, and ``day`` (today by default) within the application window."""
        day = day or timezone.localdate()
        return self.published and self.opens_on <= day <= getattr(self, self.window_end)


class ProgrammeKind(models.TextChoices):
    COHORT = "cohort", _("孵化培育")
    SCHEME = "scheme", _("扶持计划")


class ProgrammeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published=True)

    def open_on(self, day):
        return self.published().filter(opens_on__lte=day, closes_on__gte=day)


class Programme(Criteria):
    """An incubation cohort or a support scheme. The bureau runs it, or an incubation base
    (孵化基地): a registered organisation operating it under a bureau contract."""

    title = models.CharField(_("项目名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=10, choices=ProgrammeKind.choices)
    operator = models.ForeignKey(
        Organization,
        verbose_name=_("运营机构（孵化基地）"),
        on_delete=models.PROTECT,
        related_name="operated_programmes",
        null=True,
        blank=True,
        help_text=_("留空表示由市民政局直接组织。"),
    )
    operator_contract = models.CharField(
        _("委托合同编号"), max_length=60, blank=True, help_text=_("由孵化基地运营时必填。")
    )
    district = models.CharField(_("孵化地点所在区"), max_length=6, choices=District.choices, blank=True)
    summary = models.TextField(_("项目简介"))
    office_space_sqm = models.DecimalField(
        _("办公场地（平方米）"),
        max_digits=8,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    mentoring_hours = models.PositiveIntegerField(_("导师辅导（小时）"), default=0)
    training_hours = models.PositiveIntegerField(_("培训（小时）"), default=0)
    seed_funding = MoneyField(_("种子资金（元）"), non_negative=True, null=True, blank=True)
    capacity = models.PositiveIntegerField(_("录取名额"), validators=[MinValueValidator(1)])
    opens_on = models.DateField(_("申请开始日期"))
    closes_on = models.DateField(_("申请截止日期"))
    incubation_months = models.PositiveSmallIntegerField(
        _("孵化期（月）"), default=12, validators=[MinValueValidator(1)]
    )
    accepts_founding_groups = models.BooleanField(
        _("接受筹备中的组织申请"),
        default=False,
        help_text=_("勾选后，尚未登记的发起人团队（筹备中）也可以申请；登记成立是其孵化的第一个里程碑。"),
    )
    panel_min_reviewers = models.PositiveSmallIntegerField(
        _("评审专家最少人数"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("评审打分阶段，至少这么多位无利益冲突的专家打分后才能作出录取、候补或不予录取的决定。"),
    )
    admission_min_score = models.DecimalField(
        _("录取最低加权得分"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("百分制，评审专家加权得分的平均分低于此分不能录取；留空表示不设下限。"),
    )
    published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ProgrammeQuerySet.as_manager()
    window_end = "closes_on"

    class Meta:
        verbose_name = _("孵化项目")
        verbose_name_plural = _("孵化项目")
        ordering = ["-opens_on", "title"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("incubator:programme", args=[self.pk])

    def own_errors(self):
        if self.operator_id and not self.operator_contract.strip():
            return {"operator_contract": _("由孵化基地运营的项目须填写与民政局的委托合同编号。")}
        return {}

    @property
    def operator_name(self):
        return self.operator.name if self.operator_id else _("北京市民政局")


class FoundingGroup(models.Model):
    """A founding group (筹备中): people founding a social organisation that is not registered
    yet. A real-name account applies for it, with its founders and its planned name, type,
    district and field; the bureau records its registration, after which its applications
    belong to the registered organisation."""

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人（发起人代表）"),
        on_delete=models.PROTECT,
        related_name="founding_groups",
    )
    planned_name = models.CharField(_("拟登记名称"), max_length=120)
    planned_type = models.CharField(_("拟登记的组织类型"), max_length=20, choices=OrgType.choices)
    planned_district = models.CharField(_("拟设住所所在区"), max_length=6, choices=District.choices)
    planned_field = models.CharField(_("拟从事的服务领域"), max_length=20, choices=ServiceField.choices)
    purpose = models.TextField(_("宗旨和拟开展的业务"))
    founders = models.JSONField(
        pgettext_lazy("founding group", "发起人"), default=list
    )  # [{"name": …, "role": …}]
    registered_as = models.OneToOneField(
        Organization,
        verbose_name=_("登记成立的组织"),
        on_delete=models.PROTECT,
        related_name="founding_group",
        null=True,
        blank=True,
    )
    registration_recorded_at = models.DateTimeField(_("登记记录时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("筹备中的组织")
        verbose_name_plural = _("筹备中的组织")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        if self.registered_as_id:
            return self.registered_as.name
        return _("%(name)s（筹备中）") % {"name": self.planned_name}

    def get_absolute_url(self):
        return reverse("incubator:founding_home")


class ApplicationState(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    SCREENING = "screening", _("初审中")
    SCORING = "scoring", _("评审打分中")
    WAITLISTED = "waitlisted", _("候补")
    ADMITTED = "admitted", _("已录取")
    REJECTED = "rejected", _("未录取")
    WITHDRAWN = "withdrawn", _("已撤回")
    INCUBATING = "incubating", _("孵化中")
    GRADUATED = "graduated", _("已出壳")
    EXITED = "exited", _("已退出")


S = ApplicationState

# The explicit transition table (core.statemachine): (from, to) -> the action's name. The
# applicant may only withdraw; every other move is the bureau's.
TRANSITIONS = {
    (S.SUBMITTED, S.SCREENING): "screen",
    (S.SUBMITTED, S.REJECTED): "reject",
    (S.SUBMITTED, S.WITHDRAWN): "withdraw",
    (S.SCREENING, S.SCORING): "to_panel",
    (S.SCREENING, S.REJECTED): "reject",
    (S.SCREENING, S.WITHDRAWN): "withdraw",
    (S.SCORING, S.ADMITTED): "admit",
    (S.SCORING, S.WAITLISTED): "waitlist",
    (S.SCORING, S.REJECTED): "reject",
    (S.SCORING, S.WITHDRAWN): "withdraw",
    (S.WAITLISTED, S.ADMITTED): "admit",
    (S.WAITLISTED, S.REJECTED): "reject",
    (S.WAITLISTED, S.WITHDRAWN): "withdraw",
    (S.ADMITTED, S.INCUBATING): "start",
    (S.ADMITTED, S.WITHDRAWN): "withdraw",
    (S.INCUBATING, S.GRADUATED): "graduate",
    (S.INCUBATING, S.EXITED): "exit",
}
APPLICANT_ACTIONS = frozenset({"withdraw"})
# Moves the applicant must be told the reason for (shown on their application page).
REASON_REQUIRED = frozenset({"reject", "waitlist", "exit"})
# States that hold (or held) one of the programme's places.
PLACE_STATES = (S.ADMITTED, S.INCUBATING, S.GRADUATED, S.EXITED)
# States waiting for the bureau: the review queue's open items.
OPEN_STATES = (S.SUBMITTED, S.SCREENING, S.SCORING, S.WAITLISTED)
# The panel's decisions: made only once the panel is complete (services.panel).
PANEL_DECISIONS = frozenset({(S.SCORING, "admit"), (S.SCORING, "waitlist"), (S.SCORING, "reject")})
# A withdrawn application frees the organisation to apply again; any other blocks a second one.
ACTIVE_CONDITION = ~Q(state=S.WITHDRAWN)


class Application(models.Model):
    """A registered organisation's application to a programme, with the eligibility it had
    when submitted (and when last reviewed), each criterion with its fact and source."""

    TRANSITIONS = TRANSITIONS

    programme = models.ForeignKey(
        Programme, verbose_name=_("孵化项目"), on_delete=models.PROTECT, related_name="applications"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("申请机构"),
        on_delete=models.PROTECT,
        related_name="incubator_applications",
        null=True,
        blank=True,
        help_text=_("筹备中的组织登记成立后，由民政局记录其登记信息时填入。"),
    )
    founding_group = models.ForeignKey(
        FoundingGroup,
        verbose_name=_("筹备中的组织"),
        on_delete=models.PROTECT,
        related_name="applications",
        null=True,
        blank=True,
    )
    state = models.CharField(
        _("状态"), max_length=12, choices=ApplicationState.choices, default=ApplicationState.SUBMITTED
    )
    statement = models.TextField(_("申请说明"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"))
    decision_due = models.DateField(_("办理期限"))
    eligibility = models.JSONField(_("提交时的资格核验"), default=list)
    review_eligibility = models.JSONField(_("审核时的资格核验"), default=list, blank=True)
    reviewed_at = models.DateTimeField(_("资格复核时间"), null=True, blank=True)
    decision_reason = models.TextField(_("决定理由"), blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    panel_score = models.DecimalField(
        _("评审加权平均分"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    panel_reviewers = models.PositiveSmallIntegerField(_("打分专家人数"), null=True, blank=True)
    started_on = models.DateField(_("入孵日期"), null=True, blank=True)
    ended_on = models.DateField(_("出壳或退出日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("孵化申请")
        verbose_name_plural = _("孵化申请")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "organization"],
                condition=ACTIVE_CONDITION,
                name="incubator_one_active_application",
            ),
            models.UniqueConstraint(
                fields=["programme", "founding_group"],
                condition=ACTIVE_CONDITION,
                name="incubator_one_active_founding_application",
            ),
            models.CheckConstraint(
                condition=Q(organization__isnull=False) | Q(founding_group__isnull=False),
                name="incubator_application_has_an_applicant",
            ),
        ]
        indexes = [models.Index(fields=["state", "decision_due"])]
        permissions = [("score_application", _("作为评审专家为孵化申请打分"))]

    def __str__(self):
        return _("%(org)s · %(programme)s") % {"org": self.applicant_name, "programme": self.programme}

    def get_absolute_url(self):
        if self.organization_id is None:
            return reverse("incubator:founding_application", args=[self.pk])
        return reverse("incubator_workbench:application", args=[self.organization.uscc, self.pk])

    @property
    def applicant_name(self):
        """The organisation's name, or the founding group's planned name (筹备中)."""
        return self.organization.name if self.organization_id else str(self.founding_group)

    @property
    def is_founding(self):
        """Filed by a founding group (筹备中), registered since or not."""
        return self.founding_group_id is not None

    @property
    def awaiting_registration(self):
        return self.organization_id is None


# --- The resource pool (资源配置平台, I2) ------------------------------------------------------
