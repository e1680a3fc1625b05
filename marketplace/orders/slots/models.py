"""F11: bookable resources, their published slots and the bookings on them.

A **resource** is one farewell hall, cremation line or vehicle fleet of a funeral home, with its
opening hours, slot length and capacity (how many bookings one slot takes at once: a hall 1, a
fleet of three vehicles 3). A **closure** takes days out (a holiday, maintenance). Publishing a
month creates the **slots**. A **booking** takes one unit of a slot:

    held ──attach──▶ requested ──confirm──▶ booked
      │                  │                    │
    expire / release   release            release / move

``held``, ``requested`` and ``booked`` are the active states. Two constraints make a double
booking impossible whatever the code above them does: a unique key on (slot, unit) among active
bookings (both databases), and on PostgreSQL an exclusion constraint on the unit's time range
(migration 0002), which also refuses overlaps between slots of different lengths.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ResourceKind(models.TextChoices):
    HALL = "hall", _("告别厅")
    CREMATION = "cremation", _("火化线")
    VEHICLE = "vehicle", _("殡仪车")


class Resource(models.Model):
    provider = models.ForeignKey(
        "catalogue.Provider",
        verbose_name=_("服务机构"),
        on_delete=models.PROTECT,
        related_name="bookable_resources",
    )
    kind = models.CharField(_("资源类型"), max_length=12, choices=ResourceKind.choices)
    name = models.CharField(pgettext_lazy("bookable resource", "名称"), max_length=60)
    seats = models.PositiveSmallIntegerField(
        _("可容纳人数"), null=True, blank=True, help_text=_("告别厅填写，家属据此选择大小。")
    )
    items = models.ManyToManyField(
        "catalogue.ServiceItem",
        verbose_name=_("对应服务项目"),
        blank=True,
        related_name="bookable_resources",
        help_text=_("报价单含有这些项目时，家属可以预约本资源的档期。"),
    )
    opens = models.TimeField(_("开始时间"))
    closes = models.TimeField(_("结束时间"))
    weekdays = models.CharField(
        _("开放日"), max_length=7, default="1234567", help_text=_("星期几开放：1 为星期一，7 为星期日。")
    )
    slot_minutes = models.PositiveSmallIntegerField(
        _("每档时长（分钟）"), validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    capacity = models.PositiveSmallIntegerField(
        _("每档可约数"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text=_("同一时段可同时预约的数量：一个告别厅为 1，三辆殡仪车为 3。"),
    )
    is_active = models.BooleanField(_("接受预约"), default=True)

    class Meta:
        verbose_name = _("可预约资源")
        verbose_name_plural = _("可预约资源")
        ordering = ["provider", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "name"], name="order_slots_resource_name"),
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="order_slots_resource_hours"),
        ]

    def __str__(self):
        return f"{self.name} · {self.get_kind_display()}"


class Closure(models.Model):
    """Days a resource takes no bookings: a holiday, maintenance."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="closures"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=120)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("停用时段")
        verbose_name_plural = _("停用时段")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="order_slots_closure_dates"
            ),
        ]

    def __str__(self):
        return f"{self.resource.name} {self.starts_on}–{self.ends_on}"


class Slot(models.Model):
    resource = models.ForeignKey(
        Resource, verbose_name=_("资源"), on_delete=models.CASCADE, related_name="slots"
    )
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    class Meta:
        verbose_name = _("档期")
        verbose_name_plural = _("档期")
        ordering = ["starts_at", "resource"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "starts_at"], name="order_slots_one_slot_per_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="order_slots_slot_range"),
        ]

    def __str__(self):
        return f"{self.resource.name} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingStatus(models.TextChoices):
    HELD = "held", _("已暂留，待下单")
    REQUESTED = "requested", _("已随订单提交，待机构确认")
    BOOKED = "booked", _("已预约")
    EXPIRED = "expired", _("暂留已过期")
    RELEASED = "released", _("已释放")
    MOVED = "moved", _("已改约")


B = BookingStatus
ACTIVE_STATES = (B.HELD, B.REQUESTED, B.BOOKED)

BOOKING_TRANSITIONS = {
    (B.HELD, B.REQUESTED): "attach",
    (B.HELD, B.EXPIRED): "expire",
    (B.HELD, B.RELEASED): "release",
    (B.REQUESTED, B.BOOKED): "confirm",
    (B.REQUESTED, B.RELEASED): "release",
    (B.REQUESTED, B.MOVED): "move",
    (B.BOOKED, B.RELEASED): "release",
    (B.BOOKED, B.MOVED): "move",
}


class Booking(models.Model):
    """One unit of one slot. The slot's resource and times are copied here so that the
    database can compare time ranges (the exclusion constraint)."""

    TRANSITIONS = BOOKING_TRANSITIONS

    slot = models.ForeignKey(Slot, verbose_name=_("档期"), on_delete=models.PROTECT, related_name="bookings")
    resource = models.ForeignKey(Resource, verbose_name=_("资源"), on_delete=models.PROTECT, related_name="+")
    unit = models.PositiveSmallIntegerField(_("序号"), default=1)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    status = models.CharField(_("状态"), max_length=12, choices=BookingStatus.choices, default=B.HELD)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("家属"),
        on_delete=models.PROTECT,
        related_name="slot_bookings",
    )
    order = models.ForeignKey(
        "orders.Order",
        verbose_name=_("订单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slot_bookings",
    )
    held_until = models.DateTimeField(_("暂留至"), null=True, blank=True)
    # A move the provider proposed, waiting for the family's agreement (F11).
    proposed_slot = models.ForeignKey(
        Slot,
        verbose_name=_("机构提议改约至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    proposal_note = models.CharField(_("改约说明"), max_length=200, blank=True)
    # A move to a resource billed at another price (F9): the unit of the proposed slot, taken when
    # the move is proposed, and the change order that moves the price; both sides sign it and
    # the move completes with the signature, or the reservation is released.
    reserved_move = models.OneToOneField(
        "self",
        verbose_name=_("为改约保留的档期"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reserved_for",
    )
    move_change = models.ForeignKey(
        "orders.ChangeOrder",
        verbose_name=_("改约变更单"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="slot_moves",
    )
    moved_to = models.OneToOneField(
        "self",
        verbose_name=_("改约为"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="moved_from",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("档期预约")
        verbose_name_plural = _("档期预约")
        ordering = ["starts_at", "pk"]
        constraints = [
            # F11 on every database: one active booking per unit of a slot.
            models.UniqueConstraint(
                fields=["slot", "unit"],
                condition=Q(status__in=ACTIVE_STATES),
                name="order_slots_one_active_booking_per_unit",
            ),
            models.CheckConstraint(condition=Q(unit__gte=1), name="order_slots_booking_unit"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="order_slots_booking_range"),
        ]
        indexes = [
            models.Index(fields=["status", "held_until"]),
            models.Index(fields=["resource", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.resource.name} {self.starts_at:%Y-%m-%d %H:%M} · {self.get_status_display()}"

    @property
    def is_active(self):
        return self.status in ACTIVE_STATES
