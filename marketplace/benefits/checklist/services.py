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

Settings (``config/settings/rules.py``, used by ``keepers``): ``CHECKLIST_INVITATION_DAYS`` (how long an invitation link
works), ``CHECKLIST_MAX_KEEPERS`` (live invitations and co-keepers per checklist; each one is an
SMS to a number the owner types) and ``CHECKLIST_INVITATION_RESEND_SECONDS`` (the shortest gap
between two SMS to the same invited number).
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from wagtail.log_actions import log

from .common import (  # noqa: F401 (the package's public names)
    ACTION_INVITED,
    ACTION_JOINED,
    ACTION_REVOKED,
    ACTION_STARTED,
    ACTION_TICKED,
    ACTION_UNTICKED,
    ChecklistRefused,
    person,
)
from .keepers import (  # noqa: F401
    accept,
    acceptance_problem,
    invitation_link,
    invitation_or_404,
    invite,
    is_expired,
    revoke,
)
from .models import (
    LIVE_KEEPER_STATUSES,
    Checklist,
    ChecklistKeeper,
    ChecklistStep,
    ChecklistTick,
    KeeperStatus,
)
from .platform import (  # noqa: F401
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    PlatformState,
    Record,
    platform_states,
)

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
            state, tickable = (DONE if tick else NOT_STARTED), True
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
