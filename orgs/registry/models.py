"""The social-organisation registry: organisations keyed by USCC, their change history,
memberships of organisation staff and invitations by mobile number."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.signals import setting_changed
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func
from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.validators import validate_mobile
from core.models import AppendOnlyModel

from . import uscc as uscc_module

# Two names are the same name when they differ only in spaces (half- or full-width) or in the
# width of their brackets. The same normalisation is a Python function (for a proposed name)
# and a database expression with an index of its own (for the registry's names), so S9's
# "the name is free" is one indexed lookup however large the registry grows.
NAME_KEY_REPLACEMENTS = ((" ", ""), ("\u3000", ""), ("（", "("), ("）", ")"))


def name_key(name):
    key = str(name or "").strip()
    for old, new in NAME_KEY_REPLACEMENTS:
        key = key.replace(old, new)
    return key


class ReplaceConstant(Func):
    """``REPLACE(expression, 'old', 'new')`` with the two constants written into the SQL, not
    passed as parameters: SQLite uses an expression index only for a query whose expression is
    the index's own text. The constants are the fixed pairs above, never user input."""

    function = "REPLACE"
    template = "%(function)s(%(expressions)s, '%(old)s', '%(new)s')"
    output_field = models.CharField()


def name_key_expression(field="name"):
    expression = F(field)
    for old, new in NAME_KEY_REPLACEMENTS:
        expression = ReplaceConstant(expression, new=new, old=old)  # the order the migration writes
    return expression


class OrgType(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("社会团体")
    SOCIAL_SERVICE = "social_service", _("社会服务机构")
    FOUNDATION = "foundation", _("基金会")


# S1 position 2 for each type.
USCC_TYPE_CODES = {
    OrgType.SOCIAL_GROUP: "1",
    OrgType.SOCIAL_SERVICE: "2",
    OrgType.FOUNDATION: "3",
}


class District(models.TextChoices):
    """Beijing's 16 districts, keyed by administrative division code (S1 positions 3–8)."""

    DONGCHENG = "110101", _("东城区")
    XICHENG = "110102", _("西城区")
    CHAOYANG = "110105", _("朝阳区")
    FENGTAI = "110106", _("丰台区")
    SHIJINGSHAN = "110107", _("石景山区")
    HAIDIAN = "110108", _("海淀区")
    MENTOUGOU = "110109", _("门头沟区")
    FANGSHAN = "110111", _("房山区")
    TONGZHOU = "110112", _("通州区")
    SHUNYI = "110113", _("顺义区")
    CHANGPING = "110114", _("昌平区")
    DAXING = "110115", _("大兴区")
    HUAIROU = "110116", _("怀柔区")
    PINGGU = "110117", _("平谷区")
    MIYUN = "110118", _("密云区")
    YANQING = "110119", _("延庆区")


CITY_AUTHORITY = "110000"


_authority_choices_by_language = {}


def authority_choices():
    """The registration authorities, labelled in the active language.

    A callable, so the labels follow the language; Django calls it for every
    ``get_registration_authority_display()``, so the list is built once per language and
    process (it reads no database) and the same list is returned after that."""
    language = get_language()
    choices = _authority_choices_by_language.get(language)
    if choices is None:
        choices = [(CITY_AUTHORITY, str(_("北京市民政局")))] + [
            (code, _("%(district)s民政局") % {"district": label}) for code, label in District.choices
        ]
        _authority_choices_by_language[language] = choices
    return choices


@receiver(setting_changed)
def _forget_authority_choices(*, setting, **kwargs):
    # Tests that swap catalogues or languages get labels from the new ones.
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}:
        _authority_choices_by_language.clear()


class ServiceField(models.TextChoices):
    """The main field an organisation serves (服务领域), classified by the registration authority
    from its business scope. Programmes and offers of the incubator select by it (I1)."""

    ELDERLY = "elderly", _("养老服务")
    DISABILITY = "disability", _("助残服务")
    CHILDREN = "children", _("儿童与青少年")
    EDUCATION = "education", _("教育助学")
    POVERTY = "poverty", _("扶贫济困")
    HEALTH = "health", _("医疗卫生")
    ENVIRONMENT = "environment", _("生态环保")
    CULTURE = "culture", _("文化体育")
    COMMUNITY = "community", _("社区服务")
    INDUSTRY = "industry", _("行业服务")
    LEGAL = "legal", _("法律服务")
    OTHER = "other", _("其他")


class OrgStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    DEREGISTERED = "deregistered", _("注销")
    REVOKED = "revoked", _("撤销")


class SupervisingUnit(models.Model):
    """业务主管单位. Organisations with one file to it first (S2)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("业务主管单位")
        verbose_name_plural = _("业务主管单位")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Organization(models.Model):
    # Registry fields: set by the registration authority only.
    name = models.CharField(_("名称"), max_length=120, unique=True)
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        error_messages={"unique": _("该统一社会信用代码已登记。")},
    )
    org_type = models.CharField(_("组织类型"), max_length=20, choices=OrgType.choices)
    registration_authority = models.CharField(
        _("登记管理机关"), max_length=6, choices=authority_choices, default=CITY_AUTHORITY
    )
    supervising_unit = models.ForeignKey(
        SupervisingUnit,
        verbose_name=_("业务主管单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    registered_on = models.DateField(_("成立登记日期"))
    legal_representative = models.CharField(_("法定代表人"), max_length=60)
    domicile = models.CharField(_("住所"), max_length=200)
    district = models.CharField(_("所在区"), max_length=6, choices=District.choices)
    business_scope = models.TextField(_("业务范围"))
    service_field = models.CharField(
        _("服务领域"),
        max_length=20,
        choices=ServiceField.choices,
        blank=True,
        help_text=_("登记管理机关依业务范围归类，孵化项目按此核对申请条件。"),
    )
    registered_funds = models.DecimalField(
        _("注册资金（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("登记状态"), max_length=20, choices=OrgStatus.choices, default=OrgStatus.NORMAL
    )
    charity_recognized_on = models.DateField(_("认定为慈善组织日期"), null=True, blank=True)
    public_fundraising = models.BooleanField(_("具有公开募捐资格"), default=False)
    uscc_override_reason = models.TextField(
        _("校验未通过时的接受理由"),
        blank=True,
        help_text=_("仅用于历史遗留代码：代码未通过校验但经核实确属有效时，由登记管理机关填写理由。"),
    )
    uscc_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接受人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Fields the organisation's own staff maintain.
    website = models.URLField(_("网站"), blank=True)
    contact_person = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    introduction = models.TextField(pgettext_lazy("社会组织", "机构简介"), blank=True)

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    MEMBER_EDITABLE_FIELDS = ("website", "contact_person", "contact_phone", "contact_email", "introduction")

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["name"]
        indexes = [
            models.Index(fields=["org_type", "district", "status"]),
            models.Index(name_key_expression(), name="registry_org_name_key"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("registry:detail", args=[self.uscc])

    @property
    def is_charity(self):
        return self.charity_recognized_on is not None

    @property
    def is_foundation(self):
        return self.org_type == OrgType.FOUNDATION

    @property
    def uscc_type_code(self):
        return USCC_TYPE_CODES.get(self.org_type)

    def clean(self):
        super().clean()
        self.uscc = uscc_module.normalize(self.uscc)
        self.uscc_override_reason = (self.uscc_override_reason or "").strip()
        try:
            uscc_module.validate(self.uscc, self.uscc_type_code)
        except ValidationError as error:
            if not self.uscc_override_reason:
                hint = _("如经核实该历史代码确属有效，请填写“校验未通过时的接受理由”后再保存。")
                raise ValidationError({"uscc": [*error.messages, hint]}) from error
        if self.public_fundraising and not self.is_charity:
            raise ValidationError(
                {"public_fundraising": _("只有认定为慈善组织的社会组织才能具有公开募捐资格。")}
            )


class RegistryChange(AppendOnlyModel):
    """A change registration (变更登记). Append-only: never edited, never deleted."""

    edit_message = _("变更登记记录一经保存不可修改；如需更正，请新增一条变更记录。")
    delete_message = _("变更登记记录不可删除。")

    class Item(models.TextChoices):
        NAME = "name", _("名称")
        LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
        DOMICILE = "domicile", _("住所")
        BUSINESS_SCOPE = "business_scope", _("业务范围")
        REGISTERED_FUNDS = "registered_funds", _("注册资金（元）")
        STATUS = "status", _("登记状态")

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.PROTECT, related_name="changes"
    )
    item = models.CharField(_("变更事项"), max_length=40, choices=Item.choices)
    before = models.TextField(_("变更前"))
    after = models.TextField(_("变更后"))
    changed_on = models.DateField(_("核准变更日期"))
    note = models.TextField(_("备注"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("变更登记")
        verbose_name_plural = _("变更登记")
        ordering = ["-changed_on", "-pk"]

    def __str__(self):
        return f"{self.organization} · {self.get_item_display()} · {self.changed_on}"


class MemberRole(models.TextChoices):
    ADMIN = "admin", pgettext_lazy("社会组织", "机构管理员")
    FILER = "filer", _("填报员")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="org_memberships",
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=MemberRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("邀请人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = pgettext_lazy("社会组织", "机构成员")
        verbose_name_plural = pgettext_lazy("社会组织", "机构成员")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="registry_unique_membership")
        ]
        ordering = ["organization", "role", "created_at"]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"


class Invitation(models.Model):
    """An invitation by mobile number. Accepted when the owner of that number signs in
    (or immediately, if an account with that number already exists)."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("社会组织"), on_delete=models.CASCADE, related_name="invitations"
    )
    mobile = models.CharField(_("手机号码"), max_length=11, validators=[validate_mobile])
    role = models.CharField(_("角色"), max_length=10, choices=MemberRole.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("邀请人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接受人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("成员邀请")
        verbose_name_plural = _("成员邀请")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.organization} · {self.mobile[:3]}****{self.mobile[-4:]} · {self.get_role_display()}"

    @property
    def is_pending(self):
        return self.accepted_at is None
