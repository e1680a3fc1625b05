"""身后一件事: the live state of the items the platform itself handles (the funeral order, the
certificate, the 惠民殡葬 application, the memorial, a booked visit), in a fixed number of queries."""

from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.verification import verify_url

from .models import (
    PlatformItem,
)

# --- The platform's own items, live ----------------------------------------------------------------

DONE, IN_PROGRESS, NOT_STARTED = "done", "in_progress", "not_started"


@dataclass
class Record:
    """One record of the platform behind an item: an order, a certificate, an application …"""

    label: str
    status: str
    state: str
    url: str = ""
    links: list = field(default_factory=list)  # further (label, url) pairs


@dataclass
class PlatformState:
    state: str  # done / in_progress / not_started
    records: list
    note: str = ""
    action: tuple | None = None  # (label, url) to do it on the platform

    @property
    def found(self):
        return bool(self.records)

    @property
    def decides(self):
        """The platform's records settle the step (one is done or under way); otherwise (none,
        or only a cancelled order, a rejected application …) the family may tick it."""
        return self.found and self.state != NOT_STARTED


def _url(name, query=""):
    try:
        return reverse(name) + query
    except NoReverseMatch:
        return ""


def _absolute_url(record):
    """A record's own page, or "" while its app has no page for it (a deployment without it)."""
    try:
        return record.get_absolute_url()
    except NoReverseMatch:
        return ""


def _summary_state(records, note="", action=None, *, pending_note=""):
    states = {record.state for record in records}
    if DONE in states:
        return PlatformState(DONE, records)
    if IN_PROGRESS in states:
        return PlatformState(IN_PROGRESS, records)
    if pending_note:
        return PlatformState(IN_PROGRESS, records, note=pending_note)
    return PlatformState(NOT_STARTED, records, note=note, action=action)


def _order_state(checklist, viewer):
    from marketplace.orders.models import OrderStatus

    order = checklist.order
    if order is None:
        return PlatformState(
            NOT_STARTED,
            [],
            note=_("未在本平台下单。已在其他殡仪馆办理的，可勾选为已办。"),
            action=(_("在线报价与下单"), _url("catalogue:quote")),
        )
    if order.status == OrderStatus.COMPLETED:
        state = DONE
    elif order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        state = NOT_STARTED
    else:
        state = IN_PROGRESS
    label = _("订单 %(ref)s · %(provider)s") % {"ref": order.reference, "provider": order.provider.name}
    url = order.get_absolute_url() if order.user_id == viewer.pk else ""
    return PlatformState(state, [Record(label, order.get_status_display(), state, url)])


def _certificate_state(checklist, viewer):
    from core.models import VerifiableDocument
    from marketplace.orders.models import Certificate

    order = checklist.order
    if order is None:
        return PlatformState(
            NOT_STARTED,
            [],
            note=_("火化或安葬证明由办理的殡仪馆、公墓出具；在其他机构办理的，可勾选为已办。"),
            action=(_("核验电子证明"), _url("verify:index")),
        )
    records = []
    for certificate in (
        Certificate.objects.filter(order=order).select_related("document").order_by("issued_at")
    ):
        document = certificate.document
        valid = document.status == VerifiableDocument.Status.VALID
        links = [(pgettext("checklist", "核验"), verify_url(document.code))]
        if order.user_id == viewer.pk:
            links.insert(
                0,
                (
                    _("下载电子证明（PDF）"),
                    reverse("orders:certificate", args=[order.reference, certificate.number]),
                ),
            )
        records.append(
            Record(
                f"{certificate.get_kind_display()} {certificate.number}",
                document.get_status_display(),
                DONE if valid else NOT_STARTED,
                links=links,
            )
        )
    return _summary_state(
        records,
        pending_note=_("服务完成后由殡仪馆出具，出具后在这里显示。") if order.is_open and not records else "",
        note=_("尚未出具。"),
    )


def _subsidy_state(checklist, viewer, family):
    from marketplace.benefits.models import ApplicationStatus, BenefitApplication

    match = Q(
        applicant_id__in=family, deceased_name=checklist.deceased_name, date_of_death=checklist.date_of_death
    )
    if checklist.order_id:
        match |= Q(order_id=checklist.order_id)
    applications = (
        BenefitApplication.objects.filter(match).select_related("scheme").order_by("-created_at", "-pk")[:5]
    )
    english = not (translation.get_language() or "").lower().startswith("zh")
    records = []
    for application in applications:
        if application.status == ApplicationStatus.APPROVED:
            state = DONE
        elif application.status in (
            ApplicationStatus.DRAFT,
            ApplicationStatus.SUBMITTED,
            ApplicationStatus.MORE_DOCUMENTS,
        ):
            state = IN_PROGRESS
        else:
            state = NOT_STARTED
        scheme = application.scheme
        name = (getattr(scheme, "name_en", "") if english else "") or scheme.name
        url = _absolute_url(application) if application.applicant_id == viewer.pk else ""
        records.append(Record(f"{name} · {application.number}", application.get_status_display(), state, url))
    query = f"?order={checklist.order.reference}" if checklist.order_id else ""
    action = (_("申请惠民殡葬补贴或减免"), _url("benefits:index", query))
    return _summary_state(
        records,
        note=_("尚未申请。不符合条件或已在其他渠道办理的，可勾选为已办。"),
        action=action if action[1] else None,
    )


def _memorials(checklist, family):
    from marketplace.memorials.models import MemberRole, Memorial

    match = Q(
        name=checklist.deceased_name,
        death_date=checklist.date_of_death,
        members__user_id__in=family,
        members__role__in=(MemberRole.KEEPER, MemberRole.CO_KEEPER),
    )
    if checklist.order_id:
        match |= Q(order_id=checklist.order_id)
    return list(Memorial.objects.filter(match).distinct().order_by("-created_at", "-pk")[:3])


def _memorial_state(memorials):
    records = []
    for memorial in memorials:
        if memorial.is_hidden:
            records.append(
                Record(str(memorial), _("已被民政局隐藏"), NOT_STARTED, memorial.get_absolute_url())
            )
        else:
            records.append(
                Record(str(memorial), memorial.get_visibility_display(), DONE, memorial.get_absolute_url())
            )
    return _summary_state(
        records,
        note=_("尚未建立。不需要的可勾选为已办。"),
        action=(_("创建网上纪念馆"), _url("memorials:new")),
    )


def _visit_state(checklist, viewer, family, memorials):
    from marketplace.memorials.visits.models import Booking, BookingStatus

    bookings = Booking.objects.filter(user_id__in=family, session__date__gte=checklist.date_of_death)
    places = {m.resting_provider_id for m in memorials if m.resting_provider_id}
    if places:  # the memorial says where the deceased rests: visits there
        bookings = bookings.filter(session__provider_id__in=places)
    records = []
    for booking in bookings.select_related("session__provider").order_by("-session__date", "-pk")[:3]:
        session = booking.session
        ok = booking.status in (BookingStatus.BOOKED, BookingStatus.USED)
        url = (
            reverse("memorial_visits:booking", args=[booking.reference])
            if booking.user_id == viewer.pk
            else ""
        )
        records.append(
            Record(
                f"{session.provider.name} {session.date:%Y-%m-%d} {session.window}",
                booking.get_status_display(),
                DONE if ok else NOT_STARTED,
                url,
            )
        )
    return _summary_state(
        records,
        note=_("尚未预约。不需要的可勾选为已办。"),
        action=(_("预约祭扫"), _url("memorial_visits:index")),
    )


def platform_states(checklist, *, viewer, family, items=None):
    """{PlatformItem: PlatformState} for the items in ``items`` (all by default). One query per
    item at most (orders, certificates, applications, memorials, visits), whatever the data."""
    items = set(items if items is not None else PlatformItem.values)
    states = {}
    if PlatformItem.FUNERAL_ORDER in items:
        states[PlatformItem.FUNERAL_ORDER] = _order_state(checklist, viewer)
    if PlatformItem.CERTIFICATE in items:
        states[PlatformItem.CERTIFICATE] = _certificate_state(checklist, viewer)
    if PlatformItem.SUBSIDY in items:
        states[PlatformItem.SUBSIDY] = _subsidy_state(checklist, viewer, family)
    memorials = None
    if PlatformItem.MEMORIAL in items or PlatformItem.VISIT in items:
        memorials = _memorials(checklist, family)
    if PlatformItem.MEMORIAL in items:
        states[PlatformItem.MEMORIAL] = _memorial_state(memorials)
    if PlatformItem.VISIT in items:
        states[PlatformItem.VISIT] = _visit_state(checklist, viewer, family, memorials)
    return states
