"""身后一件事: the rules of the checklist (issue 20, part 3).

| function | what |
|---|---|
| ``visible_checklists`` / ``checklist_or_404`` | the owner and accepted co-keepers see a checklist; anyone else gets 404 |
| ``start_checklist`` | one checklist per death: per order of the owner's, or per (owner, deceased, date of death) |
| ``deadline_for`` | a step's legal deadline counted from the date of death (``today`` for tests) |
| ``platform_states`` | the live status of the items the platform handles, a fixed number of queries |
| ``checklist_rows`` / ``progress`` | every active step in order with its state, records, tick and deadline |
| ``tick`` / ``untick`` | another department's step marked done or not; who and when, audited |
| ``invite`` / ``accept`` / ``revoke`` | co-keepers by mobile number: an SMS link with an unguessable token; only the account holding that SMS-verified number accepts; the owner revokes |
| ``history`` | the checklist's audit entries (ticks, unticks, keepers) as sentences |

Settings (defaults in ``DEFAULTS``): ``CHECKLIST_INVITATION_DAYS`` (how long an invitation link
works), ``CHECKLIST_MAX_KEEPERS`` (live invitations and co-keepers per checklist; each one is an
SMS to a number the owner types) and ``CHECKLIST_INVITATION_RESEND_SECONDS`` (the shortest gap
between two SMS to the same invited number).
"""

import datetime
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from wagtail.log_actions import log

from accounts.sms import send_sms_on_commit
from accounts.validators import normalize_mobile, validate_mobile
from core import demo
from core.statemachine import transition
from core.verification import mask_name, verify_url

from .models import (
    LIVE_KEEPER_STATUSES,
    Checklist,
    ChecklistKeeper,
    ChecklistStep,
    ChecklistTick,
    KeeperStatus,
    PlatformItem,
    token_digest,
)

ACTION_STARTED = "benefit_checklist.started"
ACTION_TICKED = "benefit_checklist.ticked"
ACTION_UNTICKED = "benefit_checklist.unticked"
ACTION_INVITED = "benefit_checklist.invited"
ACTION_JOINED = "benefit_checklist.joined"
ACTION_REVOKED = "benefit_checklist.revoked"

DEFAULTS = {
    "CHECKLIST_INVITATION_DAYS": 7,
    "CHECKLIST_MAX_KEEPERS": 5,
    "CHECKLIST_INVITATION_RESEND_SECONDS": 60,
}


def setting(name):
    return getattr(settings, name, DEFAULTS[name])


class ChecklistRefused(ValidationError):
    """Something the checklist's rules refuse, with a message saying why (and a ``code``)."""


def person(user):
    """How a family member is named to the others on the checklist."""
    if user is None:
        return _("平台")
    return user.get_full_name() or user.masked_mobile


# --- Who sees what ------------------------------------------------------------------------------


def visible_checklists(user):
    """The checklists ``user`` owns or keeps (accepted). Nobody else's, superusers included:
    a family's errands are not the bureau's to browse."""
    if not user.is_authenticated:
        return Checklist.objects.none()
    keeps = ChecklistKeeper.objects.filter(checklist=OuterRef("pk"), user=user, status=KeeperStatus.ACCEPTED)
    return Checklist.objects.filter(Q(owner=user) | Exists(keeps))


def checklist_or_404(user, reference, *, owner_only=False):
    queryset = Checklist.objects.filter(owner=user) if owner_only else visible_checklists(user)
    found = queryset.select_related("owner", "order__provider").filter(reference=reference).first()
    if found is None:
        raise Http404
    return found


def keeper_rows(checklist):
    """The live invitations and co-keepers of a checklist, oldest first."""
    return list(
        ChecklistKeeper.objects.filter(checklist=checklist, status__in=LIVE_KEEPER_STATUSES)
        .select_related("user")
        .order_by("invited_at", "pk")
    )


def family_ids(checklist, keepers):
    """The owner's and the accepted co-keepers' account ids: whose records count as this family's."""
    return [checklist.owner_id] + [k.user_id for k in keepers if k.status == KeeperStatus.ACCEPTED]


# --- Starting -----------------------------------------------------------------------------------


def start_checklist(user, *, order=None, deceased_name="", date_of_death=None, today=None):
    """The checklist of one death, made once: from an order of ``user``'s (its deceased and
    date of death), or standalone. Starting again returns the one already there. Returns
    ``(checklist, created)``."""
    today = today or timezone.localdate()
    if order is not None:
        if order.user_id != user.pk:
            raise Http404
        deceased_name, date_of_death = order.deceased_name, order.date_of_death
    deceased_name = " ".join((deceased_name or "").split())
    if not deceased_name:
        raise ChecklistRefused(_("请填写逝者姓名。"), code="deceased_name")
    if date_of_death is None:
        raise ChecklistRefused(_("请填写死亡日期。"), code="date_of_death")
    if date_of_death > today:
        raise ChecklistRefused(_("死亡日期不能晚于今天。"), code="date_of_death")

    def existing():
        if order is not None:
            found = Checklist.objects.filter(order=order).first()
            if found is not None:
                return found
        found = Checklist.objects.filter(
            owner=user, deceased_name=deceased_name, date_of_death=date_of_death
        ).first()
        if found is not None and order is not None and found.order_id is None:
            # The same death started standalone first: the order now belongs to it.
            found.order = order
            found.save(update_fields=["order"])
        return found

    with transaction.atomic():
        found = existing()
        if found is not None:
            return found, False
        try:
            with transaction.atomic():
                checklist = Checklist.objects.create(
                    owner=user, order=order, deceased_name=deceased_name, date_of_death=date_of_death
                )
        except IntegrityError:  # started twice at once: the first one counts
            found = existing()
            if found is None:
                raise
            return found, False
        log(checklist, ACTION_STARTED, user=user, data={"order": order.reference if order else ""})
    return checklist, True


# --- Deadlines ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A step's deadline: ``due`` is the last day (date of death + the step's days)."""

    due: datetime.date
    days_left: int
    done: bool = False
    basis: str = ""

    @property
    def state(self):
        if self.done:
            return "met"
        if self.days_left < 0:
            return "overdue"
        if self.days_left == 0:
            return "today"
        return "open"

    @property
    def text(self):
        date = self.due.isoformat()
        if self.done:
            return _("已办理（期限 %(date)s）") % {"date": date}
        if self.days_left < 0:
            days = -self.days_left
            return ngettext(
                "已超过期限 %(n)s 天（%(date)s 截止）", "已超过期限 %(n)s 天（%(date)s 截止）", days
            ) % {"n": days, "date": date}
        if self.days_left == 0:
            return _("今天截止（%(date)s）") % {"date": date}
        return ngettext(
            "还有 %(n)s 天（%(date)s 截止）", "还有 %(n)s 天（%(date)s 截止）", self.days_left
        ) % {
            "n": self.days_left,
            "date": date,
        }


def deadline_for(step, date_of_death, *, today=None, done=False):
    """The countdown of ``step`` for a death on ``date_of_death``, or ``None`` when the step
    states no deadline. The days are the step's (a CMS value), never a number in the code."""
    if step.deadline_days is None:
        return None
    today = today or timezone.localdate()
    due = date_of_death + datetime.timedelta(days=step.deadline_days)
    return Deadline(due=due, days_left=(due - today).days, done=done, basis=step.localized("deadline_basis"))


# --- The platform's own items, live ----------------------------------------------------------------

DONE, IN_PROGRESS, TODO = "done", "in_progress", "todo"


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
    state: str  # done / in_progress / todo
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
        return self.found and self.state != TODO


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
    return PlatformState(TODO, records, note=note, action=action)


def _order_state(checklist, viewer):
    from marketplace.orders.models import OrderStatus

    order = checklist.order
    if order is None:
        return PlatformState(
            TODO,
            [],
            note=_("未在本平台下单。已在其他殡仪馆办理的，可勾选为已办。"),
            action=(_("在线报价与下单"), _url("catalogue:quote")),
        )
    if order.status == OrderStatus.COMPLETED:
        state = DONE
    elif order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        state = TODO
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
            TODO,
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
                DONE if valid else TODO,
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
            state = TODO
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
            records.append(Record(str(memorial), _("已被民政局隐藏"), TODO, memorial.get_absolute_url()))
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
                DONE if ok else TODO,
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


# --- The rows of a checklist ---------------------------------------------------------------------


@dataclass
class Row:
    number: int
    step: ChecklistStep
    state: str
    tick: ChecklistTick | None
    tickable: bool
    platform: PlatformState | None
    deadline: Deadline | None
    guide_url: str = ""

    @property
    def title(self):
        return self.step.localized("title")

    @property
    def department(self):
        return self.step.localized("department")

    @property
    def documents(self):
        return self.step.document_list()

    @property
    def where(self):
        return self.step.localized("where")

    @property
    def description(self):
        return self.step.localized("description")

    @property
    def done(self):
        return self.state == DONE

    @property
    def ticked_by(self):
        return person(self.tick.ticked_by) if self.tick is not None else ""

    @property
    def status_label(self):
        if self.state == DONE:
            if self.platform is not None and self.platform.decides:
                return pgettext("checklist", "已办结")
            return pgettext("checklist", "已办")
        if self.state == IN_PROGRESS:
            return pgettext("checklist", "办理中")
        return pgettext("checklist", "待办")


def _guide_urls(steps, request=None):
    """{step pk: URL of its 办事指南 page in the active language} (its translation when there is
    one, else the page itself), live pages only; one query beyond the steps'."""
    from wagtail.models import Page

    from cms.locales import active_locale

    pages = {step.pk: step.guide_page for step in steps if step.guide_page_id and step.guide_page.live}
    if not pages:
        return {}
    try:
        locale = active_locale()
    except Exception:  # no Wagtail locale yet (a bare database): the pages as chosen
        locale = None
    translated = {}
    keys = [
        page.translation_key for page in pages.values() if locale is not None and page.locale_id != locale.pk
    ]
    if keys:
        for page in Page.objects.live().filter(translation_key__in=keys, locale=locale):
            translated[page.translation_key] = page
    urls = {}
    for pk, page in pages.items():
        page = translated.get(page.translation_key, page)
        url = page.get_url(request=request)
        if url:
            urls[pk] = url
    return urls


def checklist_rows(checklist, *, viewer, keepers=None, today=None, request=None):
    """Every active step in order, with its state: a platform item from its live records (or
    the family's tick when the platform has none: done elsewhere or not needed), another
    department's step from the family's tick. A fixed number of queries."""
    today = today or timezone.localdate()
    keepers = keeper_rows(checklist) if keepers is None else keepers
    steps = list(ChecklistStep.objects.active().select_related("guide_page"))
    ticks = {
        tick.step_id: tick
        for tick in ChecklistTick.objects.filter(checklist=checklist).select_related("ticked_by")
    }
    items = {step.platform_item for step in steps if step.platform_item}
    states = platform_states(checklist, viewer=viewer, family=family_ids(checklist, keepers), items=items)
    guides = _guide_urls(steps, request)
    rows = []
    for number, step in enumerate(steps, start=1):
        tick = ticks.get(step.pk)
        platform = states.get(step.platform_item) if step.platform_item else None
        if platform is not None and platform.decides:
            state, tickable, tick = platform.state, False, None
        else:
            state, tickable = (DONE if tick else TODO), True
            if platform is not None and not tick and platform.state == IN_PROGRESS:
                state = IN_PROGRESS
        rows.append(
            Row(
                number=number,
                step=step,
                state=state,
                tick=tick,
                tickable=tickable,
                platform=platform,
                deadline=deadline_for(step, checklist.date_of_death, today=today, done=state == DONE),
                guide_url=guides.get(step.pk, ""),
            )
        )
    return rows


def progress(rows):
    return sum(1 for row in rows if row.done), len(rows)


# --- Ticks ----------------------------------------------------------------------------------------


def _row_for(checklist, step_id, user):
    try:
        step_id = int(step_id)
    except (TypeError, ValueError):
        raise Http404 from None
    step = ChecklistStep.objects.active().filter(pk=step_id).first()
    if step is None:
        raise Http404
    if step.platform_item:
        keepers = keeper_rows(checklist)
        state = platform_states(
            checklist, viewer=user, family=family_ids(checklist, keepers), items=[step.platform_item]
        )[step.platform_item]
        if state.decides:
            raise ChecklistRefused(
                _("“%(title)s”由本平台办理，状态自动更新，无需勾选。") % {"title": step.localized("title")},
                code="platform",
            )
    return step


def tick(checklist, step_id, user, *, now=None):
    """Mark a step done (another department's, or a platform item done elsewhere). Ticking a
    ticked step changes nothing. ``checklist`` comes from ``checklist_or_404(user, …)``."""
    step = _row_for(checklist, step_id, user)
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                made = ChecklistTick.objects.create(
                    checklist=checklist, step=step, ticked_by=user, ticked_at=now
                )
        except IntegrityError:
            return ChecklistTick.objects.get(checklist=checklist, step=step), False
        log(checklist, ACTION_TICKED, user=user, data={"step": step.pk, "title": step.title})
    return made, True


def untick(checklist, step_id, user):
    """Undo a tick (whoever made it); the audit log keeps who ticked it, when, and who undid it."""
    try:
        step_id = int(step_id)
    except (TypeError, ValueError):
        raise Http404 from None
    with transaction.atomic():
        found = (
            ChecklistTick.objects.select_for_update()
            .select_related("step", "ticked_by")
            .filter(checklist=checklist, step_id=step_id)
            .first()
        )
        if found is None:
            return False
        data = {
            "step": found.step_id,
            "title": found.step.title,
            "ticked_by": person(found.ticked_by),
            "ticked_at": timezone.localtime(found.ticked_at).isoformat(timespec="minutes"),
        }
        found.delete()
        log(checklist, ACTION_UNTICKED, user=user, data=data)
    return True


# --- Co-keepers ------------------------------------------------------------------------------------


def _is_expired(keeper, now):
    return keeper.status == KeeperStatus.INVITED and keeper.expires_at <= now


def invitation_link(token, base_url=""):
    """The accept page in the platform's language (the SMS is in Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("benefit_checklist:accept", kwargs={"token": token})
    return f"{base_url.rstrip('/')}{path}"


def _invitation_text(checklist, inviter, link, expires_at):
    with translation.override(settings.LANGUAGE_CODE):
        who = (
            mask_name(inviter.real_name)
            if inviter.real_name
            else _("尾号 %(tail)s 的用户") % {"tail": inviter.mobile[-4:]}
        )
        return _(
            "【北京市民政公共服务平台】%(who)s邀请您共同办理逝者%(name)s的身后一件事。请用本手机号登录平台后打开 %(link)s 接受邀请（%(date)s 前有效）。如不认识邀请人，请忽略本短信。"
        ) % {
            "who": who,
            "name": mask_name(checklist.deceased_name),
            "link": link,
            "date": timezone.localtime(expires_at).strftime("%Y-%m-%d"),
        }


def invite(checklist, user, *, mobile, base_url="", now=None):
    """The owner invites the holder of ``mobile`` as a co-keeper: a new unguessable link by SMS
    (inviting a number again sends a fresh link and the old one stops working). Co-keepers
    cannot invite. Returns the keeper row; the raw token is only in the SMS."""
    now = now or timezone.now()
    if checklist.owner_id != user.pk:
        raise Http404
    mobile = normalize_mobile(mobile)
    try:
        validate_mobile(mobile)
    except ValidationError:
        raise ChecklistRefused(_("请填写正确的手机号码（11 位数字）。"), code="mobile") from None
    if mobile == user.mobile:
        raise ChecklistRefused(_("这是您自己的手机号码，您已是本清单的建立人。"), code="mobile")
    token = secrets.token_urlsafe(24)
    expires = now + datetime.timedelta(days=setting("CHECKLIST_INVITATION_DAYS"))
    with transaction.atomic():
        Checklist.objects.select_for_update().filter(pk=checklist.pk).first()  # one invitation at a time
        live = list(ChecklistKeeper.objects.filter(checklist=checklist, status__in=LIVE_KEEPER_STATUSES))
        same = next((k for k in live if k.mobile == mobile), None)
        if same is not None and same.status == KeeperStatus.ACCEPTED:
            raise ChecklistRefused(_("该手机号码的账户已是共同办理人。"), code="member")
        if same is not None:
            gap = setting("CHECKLIST_INVITATION_RESEND_SECONDS")
            if (now - same.invited_at).total_seconds() < gap:
                raise ChecklistRefused(
                    _("刚刚已向该号码发送过邀请，请 %(seconds)s 秒后再试。") % {"seconds": gap},
                    code="too_soon",
                )
            same.token_hash, same.invited_at, same.expires_at, same.invited_by = (
                token_digest(token),
                now,
                expires,
                user,
            )
            same.save(update_fields=["token_hash", "invited_at", "expires_at", "invited_by"])
            keeper = same
        else:
            counted = [k for k in live if not _is_expired(k, now)]
            if len(counted) >= setting("CHECKLIST_MAX_KEEPERS"):
                raise ChecklistRefused(
                    _("每份清单最多 %(max)s 位共同办理人（含待接受的邀请）。请先撤销不再需要的。")
                    % {"max": setting("CHECKLIST_MAX_KEEPERS")},
                    code="too_many",
                )
            for stale in live:  # an expired invitation to another number frees its place
                if _is_expired(stale, now):
                    transition(stale, KeeperStatus.REVOKED, user=user, reason="expired")
            keeper = ChecklistKeeper.objects.create(
                checklist=checklist,
                mobile=mobile,
                token_hash=token_digest(token),
                invited_by=user,
                invited_at=now,
                expires_at=expires,
            )
        log(checklist, ACTION_INVITED, user=user, data={"mobile": keeper.masked_mobile})
        if not demo.is_loading():
            send_sms_on_commit(
                mobile,
                _invitation_text(checklist, user, invitation_link(token, base_url), expires),
                what="checklist invitation",
            )
    keeper.token = token  # for the caller (tests, the demo); never stored
    return keeper


def invitation_or_404(token, user):
    """The invitation behind ``token`` if it was sent to ``user``'s number; anything else
    (an unknown token, another account) answers 404, disclosing nothing."""
    if not token or not user.is_authenticated:
        raise Http404
    keeper = (
        ChecklistKeeper.objects.select_related("checklist__owner", "invited_by")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if keeper is None or keeper.mobile != user.mobile:
        raise Http404
    return keeper


def acceptance_problem(keeper, user, *, now=None):
    """Why ``user`` (holding the invited number) can't accept now, or ``None``."""
    now = now or timezone.now()
    if keeper.status == KeeperStatus.ACCEPTED and keeper.user_id == user.pk:
        return None
    if keeper.status != KeeperStatus.INVITED:
        return ChecklistRefused(_("该邀请已被撤销。如仍需共同办理，请联系邀请人重新邀请。"), code="revoked")
    if keeper.expires_at <= now:
        return ChecklistRefused(_("该邀请已过期。请联系邀请人重新邀请。"), code="expired")
    if keeper.checklist.owner_id == user.pk:
        return ChecklistRefused(_("您是本清单的建立人，无需接受邀请。"), code="owner")
    if not user.is_mobile_verified:
        return ChecklistRefused(
            _("您的手机号码尚未通过短信验证。请先用短信验证码登录，证明您持有这个号码，再接受邀请。"),
            code="unverified",
        )
    return None


def accept(token, user, *, now=None):
    """The account holding the invited, SMS-verified number becomes a co-keeper."""
    now = now or timezone.now()
    with transaction.atomic():
        keeper = invitation_or_404(token, user)
        keeper = (
            ChecklistKeeper.objects.select_for_update().select_related("checklist__owner").get(pk=keeper.pk)
        )
        problem = acceptance_problem(keeper, user, now=now)
        if problem is not None:
            raise problem
        if keeper.status == KeeperStatus.ACCEPTED:
            return keeper.checklist
        keeper.user, keeper.accepted_at = user, now
        transition(keeper, KeeperStatus.ACCEPTED, user=user, save_fields=("user", "accepted_at"))
        log(keeper.checklist, ACTION_JOINED, user=user, data={"mobile": keeper.masked_mobile})
    return keeper.checklist


def revoke(checklist, keeper_id, user, *, now=None):
    """The owner withdraws an invitation or a co-keeper's access (at once)."""
    now = now or timezone.now()
    if checklist.owner_id != user.pk:
        raise Http404
    try:
        keeper_id = int(keeper_id)
    except (TypeError, ValueError):
        raise Http404 from None
    with transaction.atomic():
        keeper = (
            ChecklistKeeper.objects.select_for_update()
            .filter(checklist=checklist, pk=keeper_id, status__in=LIVE_KEEPER_STATUSES)
            .first()
        )
        if keeper is None:
            raise Http404
        keeper.revoked_at = now
        transition(keeper, KeeperStatus.REVOKED, user=user, save_fields=("revoked_at",))
        log(checklist, ACTION_REVOKED, user=user, data={"mobile": keeper.masked_mobile})
    return keeper


def is_expired(keeper, now=None):
    return _is_expired(keeper, now or timezone.now())


# --- History -------------------------------------------------------------------------------------


def history(checklist, *, steps=None, limit=30):
    """The checklist's audit entries, newest first, as [(when, sentence)]. Step titles follow
    the page's language when the step is still shown (``steps``: {pk: step})."""
    from wagtail.models import ModelLogEntry

    steps = steps or {}
    entries = (
        ModelLogEntry.objects.for_instance(checklist).select_related("user").order_by("-timestamp", "-pk")
    )
    result = []
    for entry in entries[:limit]:
        data = entry.data or {}
        who = person(entry.user)
        step = steps.get(data.get("step"))
        title = step.localized("title") if step is not None else data.get("title", "")
        if entry.action == ACTION_STARTED:
            text = _("%(who)s 建立了清单") % {"who": who}
        elif entry.action == ACTION_TICKED:
            text = _("%(who)s 勾选了“%(title)s”") % {"who": who, "title": title}
        elif entry.action == ACTION_UNTICKED:
            text = _("%(who)s 取消勾选“%(title)s”（原由 %(by)s 勾选）") % {
                "who": who,
                "title": title,
                "by": data.get("ticked_by", ""),
            }
        elif entry.action == ACTION_INVITED:
            text = _("%(who)s 邀请 %(mobile)s 共同办理") % {"who": who, "mobile": data.get("mobile", "")}
        elif entry.action == ACTION_JOINED:
            text = _("%(who)s 接受邀请，成为共同办理人") % {"who": who}
        elif entry.action == ACTION_REVOKED:
            text = _("%(who)s 撤销了 %(mobile)s 的共同办理权限") % {
                "who": who,
                "mobile": data.get("mobile", ""),
            }
        else:
            continue
        result.append((timezone.localtime(entry.timestamp), text))
    return result
