"""Memorials (M1): real-name, for a deceased person, public, unlisted or private.

The URL of a memorial carries ``token``, an unguessable random string, never the sequential
primary key, so an unlisted memorial is reachable only by its link. ``Memorial.objects.public()``
is the ONE definition of what the public may list: the list page, the site search, the sitemap
and anything else that enumerates memorials read it, so an unlisted or private memorial can't
leak through another path.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.fields import StreamField

from ..blocks import BiographyBlock


def new_token():
    # 128 bits of randomness, URL-safe: not guessable, not enumerable.
    return secrets.token_urlsafe(16)


class Visibility(models.TextChoices):
    PUBLIC = "public", _("公开（列入纪念馆列表，可被搜索）")
    UNLISTED = "unlisted", _("仅凭链接访问（不列出、不被搜索）")
    PRIVATE = "private", _("私密（受邀账户或凭访问码）")


class MemorialStatus(models.TextChoices):
    ACTIVE = "active", _("正常")
    HIDDEN = "hidden", _("已被民政局隐藏")


class RestingKind(models.TextChoices):
    # Listed in this order on the form; every kind is shown the same way on the page.
    PROVIDER = "provider", _("公墓、骨灰堂或殡仪馆")
    SEA = "sea", _("海葬")
    NATURAL = "natural", _("树葬、花葬、草坪葬等节地生态安葬")
    OTHER = "other", _("其他")


class MemberRole(models.TextChoices):
    KEEPER = "keeper", _("馆主")
    CO_KEEPER = "co_keeper", _("共同管理人")
    VISITOR = "visitor", _("受邀访客")


class MemorialQuerySet(models.QuerySet):
    def public(self):
        """The memorials the public may list, search and index: public and not hidden."""
        return self.filter(visibility=Visibility.PUBLIC, status=MemorialStatus.ACTIVE)

    def kept_by(self, user):
        """The memorials ``user`` keeps (as keeper or co-keeper)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            members__user=user, members__role__in=(MemberRole.KEEPER, MemberRole.CO_KEEPER)
        ).distinct()


class Memorial(models.Model):
    TRANSITIONS = {
        (MemorialStatus.ACTIVE, MemorialStatus.HIDDEN): "hide",
        (MemorialStatus.HIDDEN, MemorialStatus.ACTIVE): "restore",
    }

    token = models.CharField(_("链接标识"), max_length=32, unique=True, default=new_token, editable=False)
    name = models.CharField(_("逝者姓名"), max_length=60, db_index=True)
    birth_date = models.DateField(_("出生日期"))
    death_date = models.DateField(_("逝世日期"))
    epitaph = models.CharField(_("纪念语"), max_length=120, blank=True)
    biography = StreamField(BiographyBlock(), verbose_name=_("生平"), blank=True, default=list)

    resting_kind = models.CharField(_("安息方式"), max_length=10, choices=RestingKind.choices)
    resting_provider = models.ForeignKey(
        "catalogue.Provider",
        verbose_name=_("安息之所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    resting_plot = models.CharField(_("墓区、墓号或格位"), max_length=120, blank=True)
    sea_date = models.DateField(_("海葬日期"), null=True, blank=True)
    sea_area = models.CharField(_("海葬海域"), max_length=120, blank=True)
    resting_note = models.CharField(_("安息之所说明"), max_length=200, blank=True)

    # Provenance: an order of the keeper's (the deceased's name on it matches) and, where it has
    # one, its cremation or burial certificate; otherwise the keeper's typed declaration.
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("平台订单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    certificate = models.ForeignKey(
        "orders.Certificate",
        verbose_name=_("火化或安葬证明"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    declaration = models.TextField(_("亲属声明"), blank=True)
    declared_at = models.DateTimeField(_("声明时间"), null=True, blank=True)

    visibility = models.CharField(
        _("公开范围"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    access_code_hash = models.CharField(_("访问码（摘要）"), max_length=128, blank=True, editable=False)
    approve_messages = models.BooleanField(
        _("留言经馆主审核后发布"),
        default=False,
        help_text=_("不勾选时，留言（未命中敏感词的）立即发布。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=MemorialStatus.choices, default=MemorialStatus.ACTIVE
    )
    status_reason = models.CharField(_("隐藏理由"), max_length=500, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = MemorialQuerySet.as_manager()

    class Meta:
        verbose_name = _("网上纪念馆")
        verbose_name_plural = _("网上纪念馆")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["visibility", "status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_date__lte=models.F("death_date")), name="memorials_born_before_death"
            ),
            models.CheckConstraint(
                condition=Q(order__isnull=False) | Q(declared_at__isnull=False),
                name="memorials_has_provenance",
            ),
            models.CheckConstraint(
                condition=~Q(resting_kind=RestingKind.PROVIDER) | Q(resting_provider__isnull=False),
                name="memorials_provider_resting_place",
            ),
            models.CheckConstraint(
                condition=~Q(resting_kind=RestingKind.SEA) | Q(sea_date__isnull=False),
                name="memorials_sea_burial_date",
            ),
            models.CheckConstraint(
                condition=Q(certificate__isnull=True) | Q(order__isnull=False),
                name="memorials_certificate_with_order",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=Visibility.values), name="memorials_visibility_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MemorialStatus.values), name="memorials_status_valid"
            ),
        ]

    def __str__(self):
        return _("%(name)s 纪念馆") % {"name": self.name}

    def get_absolute_url(self):
        return reverse("memorials:detail", kwargs={"token": self.token})

    @property
    def is_verified(self):
        """已核验逝者信息: the memorial cites an order of the keeper's with the same name."""
        return self.order_id is not None

    @property
    def is_public(self):
        return self.visibility == Visibility.PUBLIC and self.status == MemorialStatus.ACTIVE

    @property
    def is_hidden(self):
        return self.status == MemorialStatus.HIDDEN

    @property
    def has_access_code(self):
        return bool(self.access_code_hash)


class MemorialMember(models.Model):
    """Who keeps a memorial, or may visit a private one."""

    memorial = models.ForeignKey(Memorial, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账户"),
        on_delete=models.CASCADE,
        related_name="memorial_roles",
    )
    role = models.CharField(_("身份"), max_length=10, choices=MemberRole.choices)
    anniversary_sms = models.BooleanField(
        _("忌日短信提醒"), default=False, help_text=_("每年忌日前按设置的天数发短信提醒本人。")
    )
    added_at = models.DateTimeField(_("加入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("纪念馆成员")
        verbose_name_plural = _("纪念馆成员")
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["memorial", "user"], name="memorials_one_role_per_user"),
            models.UniqueConstraint(
                fields=["memorial"], condition=Q(role=MemberRole.KEEPER), name="memorials_one_keeper"
            ),
        ]

    def __str__(self):
        return f"{self.memorial_id}:{self.user_id}:{self.role}"


class MemorialInvitation(models.Model):
    """An invitation to a mobile number; the account holding that number accepts it."""

    memorial = models.ForeignKey(Memorial, on_delete=models.CASCADE, related_name="invitations")
    mobile = models.CharField(_("受邀手机号码"), max_length=11)
    role = models.CharField(
        _("邀请身份"),
        max_length=10,
        choices=[
            (MemberRole.CO_KEEPER, MemberRole.CO_KEEPER.label),
            (MemberRole.VISITOR, MemberRole.VISITOR.label),
        ],
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("邀请人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("邀请时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接受人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("接受时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("纪念馆邀请")
        verbose_name_plural = _("纪念馆邀请")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["memorial", "mobile"],
                condition=Q(accepted_at__isnull=True),
                name="memorials_one_open_invitation_per_mobile",
            )
        ]

    def __str__(self):
        return f"{self.memorial_id}→{self.mobile}"


class AccessAttempt(models.Model):
    """One try of a private memorial's access code; failures in the window throttle (M1)."""

    memorial = models.ForeignKey(Memorial, on_delete=models.CASCADE, related_name="+")
    ip_hash = models.CharField(max_length=64, db_index=True)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("访问码尝试")
        verbose_name_plural = _("访问码尝试")
        indexes = [models.Index(fields=["memorial", "succeeded", "created_at"])]

    def __str__(self):
        return f"{self.memorial_id}:{'ok' if self.succeeded else 'wrong'}@{self.created_at:%Y-%m-%d %H:%M}"


class AnniversaryReminder(models.Model):
    """One yearly anniversary SMS sent to one keeper; unique per year, so a rerun sends none twice."""

    member = models.ForeignKey(MemorialMember, on_delete=models.CASCADE, related_name="reminders")
    year = models.PositiveSmallIntegerField(_("年份"))
    sent_at = models.DateTimeField(_("发送时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("忌日提醒")
        verbose_name_plural = _("忌日提醒")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="memorials_one_reminder_per_year")
        ]

    def __str__(self):
        return f"{self.member_id}@{self.year}"
