"""R2: the complaint workflow's transition table, its working-day deadlines (the day before, on
and after, across the 2026 National Day holiday), the overdue early warning, decisions,
re-examination, credit records and refunds, and the statistics from a known set."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts import sms
from core.models import EarlyWarning
from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from marketplace.feedback.models import (
    Complaint,
    ComplaintCategory,
    ComplaintDecision,
    ComplaintStatus,
    PlatformSubject,
    ProviderCreditNote,
)
from marketplace.feedback.services import complaints as service
from marketplace.feedback.services import stats
from marketplace.orders.models import OrderLine
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory
from tests.factories.orders import Scenario, family_user

pytestmark = pytest.mark.django_db

S = ComplaintStatus
TZ = timezone.get_default_timezone()
# Wednesday before the 2026 National Day holiday (1–7 October; Saturday 10 October is a
# make-up working day).
BEFORE_HOLIDAY = datetime.date(2026, 9, 30)


def at(day, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def officer(**fields):
    return UserFactory(is_staff=True, **fields)


def file_about(provider, *, user=None, category=ComplaintCategory.QUALITY, on=None, order=None, lines=()):
    user = user or family_user()
    return service.file_complaint(
        user=user,
        provider=provider,
        category=category,
        text="告别厅迟到一小时，且未说明原因。",
        contact_name="王丽",
        order=order,
        lines=lines,
        now=at(on) if on else None,
    )


def accepted(provider=None, *, on=BEFORE_HOLIDAY, **kwargs):
    complaint = file_about(provider or ProviderFactory(), on=on, **kwargs)
    return service.accept(complaint, officer(), today=on)


# --- The transition table ---------------------------------------------------------------------

EXPECTED = {
    ("received", "accepted"),
    ("received", "rejected"),
    ("accepted", "responded"),
    ("accepted", "decided"),
    ("responded", "decided"),
    ("decided", "reexamining"),
    ("reexamining", "decided"),
    ("decided", "closed"),
}


def test_r2_transition_table_is_exactly_the_workflow():
    assert {(str(a), str(b)) for a, b in Complaint.TRANSITIONS} == EXPECTED


@pytest.mark.parametrize(
    ("source", "target"), list(itertools.product(S.values, S.values)), ids=lambda value: value
)
def test_r2_every_move_is_made_or_refused_on_a_real_row(source, target):
    complaint = file_about(ProviderFactory())
    Complaint.objects.filter(pk=complaint.pk).update(status=source)
    complaint.refresh_from_db()
    user = officer()
    if (source, target) in EXPECTED:
        transition(complaint, target, user=user, reason="测试")
        complaint.refresh_from_db()
        assert complaint.status == target
        entry = ModelLogEntry.objects.for_instance(complaint).filter(action=TRANSITION_ACTION).latest("pk")
        assert entry.data["from"] == source and entry.data["to"] == target and entry.user_id == user.pk
    else:
        with pytest.raises(IllegalTransition):
            transition(complaint, target, user=user)
        complaint.refresh_from_db()
        assert complaint.status == source


def test_r2_services_refuse_illegal_steps():
    complaint = file_about(ProviderFactory())
    with pytest.raises(IllegalTransition):
        service.respond(complaint, UserFactory(), "已整改")  # not yet accepted
    service.reject(complaint, officer(), "不属于殡葬服务范围")
    with pytest.raises(IllegalTransition):
        service.accept(complaint, officer())
    with pytest.raises(ValidationError):
        service.reject(file_about(ProviderFactory()), officer(), "  ")


# --- Deadlines in working days, across a holiday ----------------------------------------------------


def test_r2_deadlines_count_working_days_across_the_national_day_holiday():
    complaint = accepted(on=BEFORE_HOLIDAY)
    assert complaint.accept_due == datetime.date(2026, 10, 8)  # 1 working day: after the holiday
    assert complaint.response_due == datetime.date(2026, 10, 13)  # 8, 9, 10 (make-up), 12, 13
    assert complaint.decision_due == datetime.date(2026, 10, 27)  # 15 working days


@pytest.mark.parametrize(
    ("offset", "late"), [(-1, False), (0, False), (1, True)], ids=["before", "on", "after"]
)
def test_r2_acceptance_deadline_day_before_on_and_after(offset, late):
    complaint = file_about(ProviderFactory(), on=BEFORE_HOLIDAY)
    day = datetime.date(2026, 10, 8) + datetime.timedelta(days=offset)
    assert [item.step for item in service.overdue_items(complaint, day)] == (["accept"] if late else [])


@pytest.mark.parametrize(
    ("offset", "late"), [(-1, False), (0, False), (1, True)], ids=["before", "on", "after"]
)
def test_r2_response_deadline_day_before_on_and_after(offset, late):
    complaint = accepted(on=BEFORE_HOLIDAY)
    day = datetime.date(2026, 10, 13) + datetime.timedelta(days=offset)
    overdue = service.overdue_items(complaint, day)
    assert [(item.party, item.step) for item in overdue] == ([("provider", "respond")] if late else [])


@pytest.mark.parametrize(
    ("offset", "late"), [(-1, False), (0, False), (1, True)], ids=["before", "on", "after"]
)
def test_r2_decision_deadline_day_before_on_and_after(offset, late):
    complaint = accepted(on=BEFORE_HOLIDAY)
    complaint = service.respond(
        complaint, UserFactory(), "已核实并整改。", now=at(datetime.date(2026, 10, 9))
    )
    day = datetime.date(2026, 10, 27) + datetime.timedelta(days=offset)
    overdue = service.overdue_items(complaint, day)
    assert [(item.party, item.step) for item in overdue] == ([("bureau", "decide")] if late else [])


def test_r2_deadlines_follow_the_settings(settings):
    settings.R2_ACCEPT_WORKING_DAYS = 3
    complaint = file_about(ProviderFactory(), on=BEFORE_HOLIDAY)
    assert complaint.accept_due == datetime.date(2026, 10, 10)  # 8, 9, 10 (Saturday make-up day)


def test_r2_overdue_warning_names_the_responsible_party_and_clears_when_done():
    provider = ProviderFactory()
    waiting = file_about(provider, on=BEFORE_HOLIDAY)
    answering = accepted(provider, on=BEFORE_HOLIDAY)
    day = datetime.date(2026, 10, 14)
    EarlyWarning.objects.refresh(today=day, kinds=[service.WARNING_KIND])
    open_warnings = {w.object_id: w for w in EarlyWarning.objects.open().filter(kind=service.WARNING_KIND)}
    bureau, owned = open_warnings[str(waiting.pk)], open_warnings[str(answering.pk)]
    assert bureau.owner_key == "" and bureau.deadline == datetime.date(2026, 10, 8)
    assert waiting.reference in bureau.reason and "受理" in bureau.how_to_clear
    assert owned.owner_key == f"provider:{provider.slug}" and owned.deadline == datetime.date(2026, 10, 13)
    assert "答复" in owned.how_to_clear
    service.respond(answering, UserFactory(), "已退还多收费用。")
    service.accept(waiting, officer(), today=day)
    EarlyWarning.objects.refresh(today=day, kinds=[service.WARNING_KIND])
    assert not EarlyWarning.objects.open().filter(kind=service.WARNING_KIND).exists()


# --- Decisions, re-examination, credit records, refunds ----------------------------------------


@pytest.fixture
def completed():
    scenario = Scenario()
    scenario.advance("completed")
    return scenario


def contract_lines(order):
    return list(service.disputable_lines(order))


def test_r2_upheld_price_complaint_writes_a_credit_note_and_orders_an_offline_refund(completed):
    order = completed.refresh()
    line = contract_lines(order)[0]
    complaint = accepted(
        completed.provider,
        user=completed.family,
        category=ComplaintCategory.OVERCHARGE,
        order=order,
        lines=[line],
        on=timezone.localdate(),
    )
    complaint = service.respond(complaint, completed.staff, "按公示价格收费。")
    assert service.refund_ceiling(complaint) == line.amount
    with pytest.raises(ValidationError):
        service.decide(complaint, officer(), ComplaintDecision.UPHELD, "超出指导价。", refund=line.amount + 1)
    complaint = service.decide(
        complaint, officer(), ComplaintDecision.UPHELD, "超出指导价。", refund=line.amount
    )
    note = ProviderCreditNote.objects.get(complaint=complaint)
    assert (note.provider, note.rule_id, note.refund_ordered) == (completed.provider, "F2", line.amount)
    assert "线下退还" in complaint.refund_note  # paid outside the payments app: no gateway refund
    assert "投诉成立" in sms.outbox[-1].text and sms.outbox[-1].mobile == completed.family.mobile


def test_r2_no_credit_note_or_refund_for_a_non_price_complaint(completed):
    order = completed.refresh()
    complaint = accepted(
        completed.provider, user=completed.family, order=order, lines=contract_lines(order)[:1]
    )
    complaint = service.respond(complaint, completed.staff, "已致歉。")
    with pytest.raises(ValidationError):
        service.decide(complaint, officer(), ComplaintDecision.UPHELD, "态度欠佳。", refund=Decimal("10.00"))
    service.decide(complaint, officer(), ComplaintDecision.UPHELD, "态度欠佳。")
    assert not ProviderCreditNote.objects.exists()


def test_r2_refund_never_exceeds_what_was_paid_for_the_disputed_lines():
    scenario = Scenario()
    scenario.advance("countersigned")  # signed, nothing paid
    order = scenario.refresh()
    complaint = accepted(
        scenario.provider,
        user=scenario.family,
        category=ComplaintCategory.OUTSIDE_CONTRACT,
        order=order,
        lines=contract_lines(order),
        on=timezone.localdate(),
    )
    complaint = service.respond(complaint, scenario.staff, "无。")
    assert service.refund_ceiling(complaint) == Decimal("0.00")
    with pytest.raises(ValidationError, match="超过"):
        service.decide(complaint, officer(), ComplaintDecision.UPHELD, "合同外收费。", refund=Decimal("1.00"))


def test_r2_decision_waits_for_the_provider_until_its_deadline():
    complaint = accepted(on=BEFORE_HOLIDAY)
    with pytest.raises(ValidationError, match="答复期限"):
        service.decide(
            complaint, officer(), ComplaintDecision.NOT_UPHELD, "无证据。", today=datetime.date(2026, 10, 13)
        )
    complaint = service.decide(
        complaint,
        officer(),
        ComplaintDecision.NOT_UPHELD,
        "机构逾期未答复，依据现有材料决定。",
        today=datetime.date(2026, 10, 14),
    )
    assert complaint.status == S.DECIDED


def test_r2_one_reexamination_by_another_officer_can_revoke_the_credit_note(completed):
    order = completed.refresh()
    complaint = accepted(
        completed.provider,
        user=completed.family,
        category=ComplaintCategory.UNDISCLOSED,
        order=order,
        lines=contract_lines(order)[:1],
        on=timezone.localdate(),
    )
    complaint = service.respond(complaint, completed.staff, "已公示。")
    first = officer()
    complaint = service.decide(complaint, first, ComplaintDecision.UPHELD, "未公示。")
    assert ProviderCreditNote.objects.get(complaint=complaint).rule_id == "F4"
    complaint = service.request_reexamination(complaint, completed.family, "要求复核。")
    with pytest.raises(ValidationError, match="原决定人"):
        service.reexamine(complaint, first, ComplaintDecision.NOT_UPHELD, "复核。")
    complaint = service.reexamine(complaint, officer(), ComplaintDecision.NOT_UPHELD, "公示栏有该项目。")
    note = ProviderCreditNote.objects.get(complaint=complaint)
    assert note.revoked_on == timezone.localdate() and "不成立" in note.revocation_reason
    with pytest.raises(ValidationError, match="一次复核"):
        service.request_reexamination(complaint, completed.family, "再次复核。")
    complaint = service.rate_and_close(complaint, completed.family, 2)
    assert (complaint.status, complaint.satisfaction) == (S.CLOSED, 2)


def test_r2_satisfaction_must_be_one_to_five():
    complaint = accepted()
    complaint = service.decide(
        complaint,
        officer(),
        ComplaintDecision.NOT_UPHELD,
        "无证据。",
        today=complaint.response_due + datetime.timedelta(days=1),
    )
    for bad in (0, 6, "x"):
        with pytest.raises(ValidationError):
            service.rate_and_close(complaint, complaint.user, bad)


def test_r2_platform_channel_is_decided_by_the_bureau_without_a_provider():
    complaint = service.file_complaint(
        user=family_user(),
        platform_subject=PlatformSubject.CHARITY,
        subject_detail="某基金会未公示年度报告",
        category=ComplaintCategory.OTHER,
        text="信息不公开。",
        contact_name="李强",
    )
    complaint = service.accept(complaint, officer())
    assert service.current_deadline(complaint) == complaint.decision_due
    with pytest.raises(ValidationError):
        service.respond(complaint, UserFactory(), "答复")
    complaint = service.decide(complaint, officer(), ComplaintDecision.UPHELD, "已责成整改。")
    assert complaint.status == S.DECIDED and not ProviderCreditNote.objects.exists()


def test_r2_a_foreign_order_or_line_is_refused_by_the_service(completed):
    stranger = family_user()
    order = completed.refresh()
    with pytest.raises(ValidationError):
        file_about(completed.provider, user=stranger, order=order)
    other = Scenario(provider=completed.provider)
    with pytest.raises(ValidationError):
        file_about(
            completed.provider,
            user=completed.family,
            order=order,
            lines=[OrderLine.objects.filter(order=other.order).first()],
        )


# --- Statistics from a known set ------------------------------------------------------------------


def _known_set(provider, today):
    """Six complaints about ``provider`` and one outside the window, with known outcomes."""
    day = today - datetime.timedelta(days=60)
    made = []
    # 1: rejected the same day (on time, 0 days).
    c = file_about(provider, on=day)
    service.reject(c, officer(), "重复投诉", today=day)
    # 2, 3: upheld and partly upheld, decided 10 days after receipt (on time).
    for decision in (ComplaintDecision.UPHELD, ComplaintDecision.PARTLY_UPHELD):
        c = accepted(provider, on=day)
        c = service.respond(c, UserFactory(), "答复")
        made.append(service.decide(c, officer(), decision, "决定", today=day + datetime.timedelta(days=10)))
    # 4: not upheld, decided 45 days after receipt: past the 15-working-day deadline.
    c = accepted(provider, on=day)
    c = service.respond(c, UserFactory(), "答复")
    service.decide(
        c, officer(), ComplaintDecision.NOT_UPHELD, "决定", today=day + datetime.timedelta(days=45)
    )
    # 5: accepted, still open; 6: received, still open.
    accepted(provider, on=day)
    file_about(provider, on=day)
    # Outside the window: not counted.
    file_about(provider, on=today - datetime.timedelta(days=400))
    return made


def test_r2_statistics_from_a_known_set(completed):
    provider = completed.provider
    today = timezone.localdate()
    _known_set(provider, today)
    for _n in range(3):  # four completed orders in the window with the fixture's
        Scenario(provider=provider, staff=completed.staff).advance("completed")
    figures = stats.provider_figures(provider, today)
    assert (figures.received, figures.accepted, figures.decided, figures.upheld) == (6, 4, 3, 2)
    assert figures.upheld_rate == Decimal("66.7")  # 2 of 3 decided
    assert figures.median_days_to_close == Decimal("10.0")  # 0, 10, 10, 45
    assert figures.on_time_share == Decimal("75.0")  # 3 of 4 concluded
    assert figures.completed_orders == 4
    assert figures.per_100_orders == Decimal("150.0")  # 6 ÷ 4 × 100
    table = stats.city_table(today)
    assert table.city.received == 6 and {p.pk: f.received for p, f in table.rows}[provider.pk] == 6


def test_r2_statistics_window_follows_the_setting(settings):
    provider = ProviderFactory()
    today = timezone.localdate()
    file_about(provider, on=today - datetime.timedelta(days=200))
    assert stats.provider_figures(provider, today).received == 1
    settings.R2_STATS_MONTHS = 6
    assert stats.provider_figures(provider, today).received == 0
