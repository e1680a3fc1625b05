"""Booked cemetery visits (预约祭扫, rule M3).

- ``FestivalPeriod``: a peak period the bureau defines (清明, 寒衣节 …): its dates, the per-ID
  booking limit and the capacity shares of sessions on its days (settings unless set here).
- ``VisitSession``: a time window on one day that a cemetery or columbarium publishes, with its
  normal capacity and, stored, the capacity in force (the period's share, rounded down). The
  places taken (``booked``) never exceed it: a check constraint, and the only writer is the
  conditional ``UPDATE … WHERE booked + n <= capacity`` of ``services.book``.
- ``Booking``: one real-name booking for one grave or niche, with its state machine and pass.
- ``GraveDayLoad`` and ``IdPeriodLoad``: counters (visitors per grave per day, active bookings
  per ID per period) that the same transaction raises with conditional updates, so the grave
  cap and the per-ID limit hold under concurrent bookings too. Cancelling lowers all three.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.models import Provider, ProviderType

# The provider types that publish visit sessions: a fact of the rule, not a setting.
VISIT_PROVIDER_TYPES = (ProviderType.CEMETERY, ProviderType.COLUMBARIUM)

SHARE = {"max_digits": 4, "decimal_places": 2}


class FestivalPeriod(models.Model):
    name = models.CharField(_("名称"), max_length=60, help_text=_("例如：2027 年清明节"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    bookings_per_id = models.PositiveSmallIntegerField(
        _("每个身份证号可预约次数"),
        null=True,
        blank=True,
        help_text=_("留空时使用平台规则设置。只计未取消的预约。"),
    )
    outdoor_share = models.DecimalField(
        _("室外场次容量比例"),
        **SHARE,
        null=True,
        blank=True,
        help_text=_("高峰期室外场次容量占平时容量的比例，如 0.70；留空时使用平台规则设置。"),
    )
    indoor_share = models.DecimalField(
        _("室内场次容量比例"),
        **SHARE,
        null=True,
        blank=True,
        help_text=_("高峰期室内场次容量占平时容量的比例，如 0.50；留空时使用平台规则设置。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("祭扫高峰期")
        verbose_name_plural = _("祭扫高峰期")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="memorial_visits_period_dates_in_order"
            ),
            models.CheckConstraint(
                condition=Q(outdoor_share__isnull=True) | Q(outdoor_share__gt=0, outdoor_share__lte=1),
                name="memorial_visits_period_outdoor_share_0_1",
            ),
            models.CheckConstraint(
                condition=Q(indoor_share__isnull=True) | Q(indoor_share__gt=0, indoor_share__lte=1),
                name="memorial_visits_period_indoor_share_0_1",
            ),
            models.CheckConstraint(
                condition=Q(bookings_per_id__isnull=True) | Q(bookings_per_id__gte=1),
                name="memorial_visits_period_bookings_per_id_1",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.starts_on:%Y-%m-%d}—{self.ends_on:%Y-%m-%d}）"

    def share(self, area):
        if area == VisitSession.Area.INDOOR:
            value = self.indoor_share
            return value if value is not None else settings.M3_PEAK_SHARE_INDOOR
        value = self.outdoor_share
        return value if value is not None else settings.M3_PEAK_SHARE_OUTDOOR

    @property
    def id_limit(self):
        return self.bookings_per_id or settings.M3_BOOKINGS_PER_ID_PER_PERIOD

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.starts_on and self.ends_on:
            if self.ends_on < self.starts_on:
                raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
            overlapping = FestivalPeriod.objects.filter(
                starts_on__lte=self.ends_on, ends_on__gte=self.starts_on
            ).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError(
                    _("与已有的高峰期“%(name)s”日期重叠。") % {"name": overlapping.first().name}
                )


class VisitSession(models.Model):
    class Area(models.TextChoices):
        OUTDOOR = "outdoor", _("室外（墓区）")
        INDOOR = "indoor", _("室内（骨灰堂、寄存楼）")

    provider = models.ForeignKey(
        Provider, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="visit_sessions"
    )
    date = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    area = models.CharField(_("场所"), max_length=10, choices=Area.choices, default=Area.OUTDOOR)
    normal_capacity = models.PositiveIntegerField(_("平时容量（人）"))
    capacity = models.PositiveIntegerField(_("本场容量（人）"))
    booked = models.PositiveIntegerField(_("已预约人数"), default=0, editable=False)
    max_visitors_per_booking = models.PositiveSmallIntegerField(_("每个预约最多人数"))
    period = models.ForeignKey(
        FestivalPeriod,
        verbose_name=_("高峰期"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sessions",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("祭扫场次")
        verbose_name_plural = _("祭扫场次")
        ordering = ["date", "starts_at", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "date", "starts_at", "area"],
                name="memorial_visits_one_session_per_window",
            ),
            models.CheckConstraint(
                condition=Q(booked__lte=F("capacity")), name="memorial_visits_never_oversold"
            ),
            models.CheckConstraint(
                condition=Q(capacity__lte=F("normal_capacity")), name="memorial_visits_capacity_within_normal"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="memorial_visits_session_times_in_order"
            ),
            models.CheckConstraint(
                condition=Q(max_visitors_per_booking__gte=1), name="memorial_visits_booking_at_least_one"
            ),
        ]
        indexes = [models.Index(fields=["date", "provider"])]

    def __str__(self):
        return f"{self.provider} {self.date:%Y-%m-%d} {self.window}"

    @property
    def window(self):
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    @property
    def places_left(self):
        return max(self.capacity - self.booked, 0)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    USED = "used", _("已入园")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("未到场")


# The bookings that hold places and count against the limits: all but the cancelled.
ACTIVE_STATUSES = (BookingStatus.BOOKED, BookingStatus.USED, BookingStatus.NO_SHOW)


def new_reference():
    return "YY" + "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(10))


class Booking(models.Model):
    Status = BookingStatus

    TRANSITIONS = {
        (BookingStatus.BOOKED, BookingStatus.USED): "arrive",
        (BookingStatus.BOOKED, BookingStatus.CANCELLED): "cancel",
        (BookingStatus.BOOKED, BookingStatus.NO_SHOW): "record_no_show",
    }

    reference = models.CharField(_("预约编号"), max_length=16, unique=True, default=new_reference)
    session = models.ForeignKey(
        VisitSession, verbose_name=_("场次"), on_delete=models.PROTECT, related_name="bookings"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约账号"),
        on_delete=models.PROTECT,
        related_name="visit_bookings",
    )
    visitor_name = models.CharField(_("预约人姓名"), max_length=60)
    id_hmac = models.CharField(_("身份证号摘要"), max_length=64, db_index=True, editable=False)
    id_masked = models.CharField(_("身份证号（脱敏）"), max_length=18, editable=False)
    grave = models.CharField(_("墓位或格位"), max_length=60)
    grave_key = models.CharField(max_length=60, editable=False)
    visitors = models.PositiveSmallIntegerField(_("祭扫人数"))
    status = models.CharField(
        _("状态"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    arrived_at = models.DateTimeField(_("入园时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    # The festival period whose per-ID limit this booking counts against (its session's).
    period = models.ForeignKey(
        FestivalPeriod,
        verbose_name=_("高峰期"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    pass_document = models.OneToOneField(
        "core.VerifiableDocument",
        verbose_name=_("预约凭证"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("祭扫预约")
        verbose_name_plural = _("祭扫预约")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(visitors__gte=1), name="memorial_visits_booking_visitors_1"),
            # One ID holds one active booking per session (a second would only double-count).
            models.UniqueConstraint(
                fields=["session", "id_hmac"],
                condition=~Q(status=BookingStatus.CANCELLED),
                name="memorial_visits_one_active_booking_per_id_and_session",
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.session}"


class GraveDayLoad(models.Model):
    """Visitors booked (not cancelled) for one grave or niche of one cemetery on one day."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    grave_key = models.CharField(max_length=60)
    visitors = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "date", "grave_key"], name="memorial_visits_one_load_per_grave_day"
            )
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.grave_key}: {self.visitors}"


class IdPeriodLoad(models.Model):
    """Active (not cancelled) bookings of one ID number in one festival period."""

    period = models.ForeignKey(FestivalPeriod, on_delete=models.CASCADE, related_name="+")
    id_hmac = models.CharField(max_length=64)
    bookings = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["period", "id_hmac"], name="memorial_visits_one_load_per_id_period"
            )
        ]

    def __str__(self):
        return f"{self.period_id} {self.id_hmac[:8]}…: {self.bookings}"
