"""B1: 惠民殡葬 applications. Eligibility computed and explained per criterion; the review's
transitions on a working-day deadline; the waiver reaching the bill (a change order both sides
sign) or a subsidy reaching a payment instruction, exactly once; the sealed decision letter.
Every date is relative to a "today" the test chooses."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from pypdf import PdfReader

from accounts import sms
from core import sealing
from core.models import EarlyWarning, VerifiableDocument
from core.statemachine import IllegalTransition
from marketplace.benefits import services, waivers
from marketplace.benefits.eligibility import check
from marketplace.benefits.models import ApplicationStatus, BenefitApplication, FamilyStatus
from marketplace.benefits.warnings import DEADLINE
from marketplace.orders import services as order_services
from marketplace.orders.models import ChangeStatus, OrderStatus, Signature
from orgs.reports.models import CalendarDay
from tests.factories.accounts import UserFactory
from tests.factories.benefits import (
    basic_waiver,
    bureau_officer,
    from_order,
    sea_subsidy,
    standalone,
    submitted,
    today,
    upload_all,
)
from tests.factories.orders import Scenario, id_number, money, sign_as
from tests.factories.orgs import pdf_bytes, upload

pytestmark = pytest.mark.django_db

A = ApplicationStatus
# The test funeral home's basic services (tests.factories.catalogue.PACKAGE_PRICES, one each):
# collection 200, storage 60, farewell 150, cremation 150, ashes storage 60. Cosmetic preparation
# (100) is an extended service and the urn (600) a good: neither is waived.
BASIC_TOTAL = money("620.00")


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def bureau():
    return bureau_officer()


def criterion(application, key, day=None):
    [found] = [c for c in check(application, today=day) if c.key == key]
    return found


def a_monday(weeks_ahead=2):
    day = today()
    return day + datetime.timedelta(days=7 * weeks_ahead - day.weekday())


def holidays(*days):
    CalendarDay.objects.filter(date__in=days).delete()
    for day in days:
        CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")


# --- Eligibility, each criterion passing and failing -------------------------------------------


def test_b1_every_criterion_of_a_good_subsidy_application_passes_with_its_reason():
    application = upload_all(standalone(sea_subsidy()))
    checks = check(application)
    assert [c.key for c in checks] == [
        "in_force",
        "window",
        "district",
        "burial",
        "payee",
        "once",
        "documents",
    ]
    assert all(c.passed for c in checks), [c.explanation for c in checks if not c.passed]
    assert "朝阳区" in criterion(application, "district").explanation
    assert "海葬" in criterion(application, "burial").explanation


def test_b1_a_death_before_the_scheme_took_effect_fails_in_force():
    scheme = sea_subsidy(effective_from=today() - datetime.timedelta(days=5))
    application = standalone(scheme, date_of_death=today() - datetime.timedelta(days=6))
    found = criterion(application, "in_force")
    assert not found.passed and "不在政策有效期" in found.explanation
    assert criterion(
        standalone(
            scheme,
            date_of_death=today() - datetime.timedelta(days=5),
            deceased_id=id_number("11010519380101333"),
        ),
        "in_force",
    ).passed


def test_b1_an_application_after_the_claim_window_fails_and_one_on_its_last_day_passes():
    scheme = sea_subsidy(claim_window_days=30)
    death = today() - datetime.timedelta(days=30)
    application = standalone(scheme, date_of_death=death)
    assert criterion(application, "window").passed  # day 30 is the last day
    late = criterion(application, "window", day=today() + datetime.timedelta(days=1))
    assert not late.passed and "已超过期限" in late.explanation


def test_b1_household_registration_outside_the_schemes_districts_fails():
    scheme = sea_subsidy(districts=["chaoyang", "haidian"])
    assert criterion(standalone(scheme), "district").passed
    other = standalone(scheme, hukou_district="yanqing", deceased_id=id_number("11010519380101444"))
    found = criterion(other, "district")
    assert not found.passed and "延庆区" in found.explanation and "朝阳区" in found.explanation
    blank = standalone(scheme, hukou_district="", deceased_id=id_number("11010519380101555"))
    assert not criterion(blank, "district").passed


def test_b1_sea_burial_subsidy_refuses_an_ordinary_burial():
    application = standalone(sea_subsidy(), burial_type="ordinary")
    found = criterion(application, "burial")
    assert not found.passed and "仅适用于海葬" in found.explanation


def test_b1_a_family_status_the_scheme_does_not_name_fails(bureau):
    scenario = Scenario()
    application = from_order(basic_waiver(), scenario, family_status=FamilyStatus.LOW_INCOME)
    found = criterion(application, "family_status")
    assert not found.passed and "低收入家庭" in found.explanation
    application.family_status = FamilyStatus.SUBSISTENCE
    assert criterion(application, "family_status").passed


def test_b1_a_waiver_needs_an_order_on_the_platform_with_services_it_waives():
    scheme = basic_waiver()
    alone = standalone(scheme, family_status=FamilyStatus.SUBSISTENCE)
    assert not criterion(alone, "order").passed
    scenario = Scenario()
    application = from_order(scheme, scenario)
    found = criterion(application, "order")
    assert found.passed and "620.00" in found.explanation
    # Services F7 has already made free are not waived twice.
    f7 = Scenario(burial_choice="sea", resident=True)
    assert not criterion(from_order(basic_waiver(code="other-waiver"), f7), "order").passed


def test_b1_the_same_death_can_hold_a_scheme_once(bureau):
    scheme = sea_subsidy()
    first = submitted(standalone(scheme))
    second = upload_all(standalone(scheme, applicant=UserFactory()))
    found = criterion(second, "once")
    assert not found.passed and first.number in found.explanation
    with pytest.raises(ValidationError):
        services.submit(second, user=second.applicant)
    # The database refuses it too, whatever the services do.
    second.status = A.SUBMITTED
    with pytest.raises(IntegrityError), transaction.atomic():
        second.save(update_fields=["status"])
    # Once the first is withdrawn, the second may go ahead.
    services.withdraw(first, user=first.applicant)
    assert criterion(BenefitApplication.objects.get(pk=second.pk), "once").passed


def test_b1_missing_documents_are_named_and_block_submission():
    application = standalone(sea_subsidy())
    found = criterion(application, "documents")
    assert not found.passed and "死亡证明" in found.explanation and "海葬证明" in found.explanation
    with pytest.raises(ValidationError) as error:
        services.submit(application, user=application.applicant)
    assert any("申请材料" in message for message in error.value.messages)
    assert BenefitApplication.objects.get(pk=application.pk).status == A.DRAFT


def test_b1_a_subsidy_needs_the_payee_account():
    application = standalone(sea_subsidy(), payee_account="")
    assert not criterion(application, "payee").passed


def test_b1_a_document_is_checked_by_its_content_not_its_name():
    application = standalone(sea_subsidy())
    with pytest.raises(ValidationError):
        services.upload_document(
            application,
            "死亡证明",
            upload("死亡证明.pdf", b"MZ\x90\x00 not a pdf"),
            user=application.applicant,
        )
    assert not application.documents.exists()


def test_b1_a_document_replaced_stays_on_file():
    application = standalone(sea_subsidy())
    first = services.upload_document(
        application, "死亡证明", upload("a.pdf", pdf_bytes("一")), user=application.applicant
    )
    second = services.upload_document(
        application, "死亡证明", upload("b.pdf", pdf_bytes("二")), user=application.applicant
    )
    first.refresh_from_db()
    assert not first.current and second.current
    assert application.documents.count() == 2


def test_b1_criteria_are_kept_as_they_were_at_submission(bureau):
    scheme = sea_subsidy()
    application = submitted(standalone(scheme))
    scheme.burial_types = ["natural"]
    scheme.amount = Decimal("1.00")
    scheme.save()
    application.refresh_from_db()
    assert criterion(application, "burial").passed
    approved = services.approve(application, user=bureau)
    assert approved.amount == money("4000.00")


# --- Who may apply --------------------------------------------------------------------------------


def test_b1_only_a_verified_mobile_may_apply_and_only_for_its_own_order():
    with pytest.raises(PermissionDenied):
        standalone(sea_subsidy(), applicant=UserFactory(mobile_verified_at=None))
    scenario = Scenario()
    with pytest.raises(PermissionDenied):
        services.start_application(basic_waiver(), applicant=UserFactory(), order=scenario.order)


def test_b1_an_application_from_an_order_keeps_the_orders_deceased():
    scenario = Scenario()
    application = from_order(basic_waiver(), scenario, deceased_name="别人")
    assert application.deceased_name == scenario.order.deceased_name
    assert application.deceased_id_hmac == scenario.order.deceased_id_hmac
    application.deceased_name = "改名"
    application.hukou_district = "xicheng"
    services.update_application(application, user=scenario.family)
    application.refresh_from_db()
    assert (
        application.deceased_name == scenario.order.deceased_name and application.hukou_district == "xicheng"
    )


def test_b1_another_family_cannot_submit_or_withdraw():
    application = upload_all(standalone(sea_subsidy()))
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        services.submit(application, user=stranger)
    with pytest.raises(PermissionDenied):
        services.withdraw(application, user=stranger)


# --- Transitions and the deadline ------------------------------------------------------------------


def test_b1_decision_deadline_counts_working_days_across_a_holiday(settings):
    settings.B1_DECISION_WORKING_DAYS = 3
    monday = a_monday()
    holidays(monday + datetime.timedelta(days=1))
    application = submitted(standalone(sea_subsidy()), today=monday)
    # Wednesday 1, Thursday 2, Friday 3 (Tuesday is a holiday).
    assert application.status == A.SUBMITTED
    assert application.decision_due == monday + datetime.timedelta(days=4)
    assert services.days_left(application, today=monday) == 3


def test_b1_asking_for_documents_stops_the_clock_and_resubmission_restarts_it(
    settings, bureau, django_capture_on_commit_callbacks
):
    settings.B1_DECISION_WORKING_DAYS = 5
    monday = a_monday()
    application = submitted(standalone(sea_subsidy()), today=monday)
    with pytest.raises(ValidationError):
        services.request_documents(application, [{"item": "海葬证明", "reason": ""}], user=bureau)
    with pytest.raises(ValidationError):
        services.request_documents(application, [{"item": "护照", "reason": "看不清"}], user=bureau)
    with django_capture_on_commit_callbacks(execute=True):
        application = services.request_documents(
            application, [{"item": "海葬证明", "reason": "照片模糊，看不清船次"}], user=bureau, today=monday
        )
    assert application.status == A.MORE_DOCUMENTS and application.decision_due is None
    assert services.days_left(application) is None
    assert "海葬证明" in sms.outbox[-1].text
    # The document asked for must come again: the old upload no longer counts.
    with pytest.raises(ValidationError, match="海葬证明"):
        services.submit(application, user=application.applicant, today=monday)
    services.upload_document(
        application, "海葬证明", upload("new.pdf", pdf_bytes("新")), user=application.applicant
    )
    thursday = monday + datetime.timedelta(days=3)
    application = services.submit(application, user=application.applicant, today=thursday)
    assert application.status == A.SUBMITTED
    assert application.first_submitted_on == monday and application.submitted_on == thursday
    assert application.decision_due == thursday + datetime.timedelta(days=7)  # Fri, Mon–Thu


LEGAL = [
    (A.DRAFT, A.SUBMITTED),
    (A.DRAFT, A.WITHDRAWN),
    (A.SUBMITTED, A.MORE_DOCUMENTS),
    (A.SUBMITTED, A.APPROVED),
    (A.SUBMITTED, A.REJECTED),
    (A.SUBMITTED, A.WITHDRAWN),
    (A.MORE_DOCUMENTS, A.SUBMITTED),
    (A.MORE_DOCUMENTS, A.REJECTED),
    (A.MORE_DOCUMENTS, A.WITHDRAWN),
]


def application_in(state, bureau):
    application = standalone(sea_subsidy(code=f"s-{BenefitApplication.objects.count()}"))
    if state == A.DRAFT:
        return application
    application = submitted(application)
    if state == A.SUBMITTED:
        return application
    if state == A.MORE_DOCUMENTS:
        return services.request_documents(application, [{"item": "死亡证明", "reason": "缺页"}], user=bureau)
    if state == A.APPROVED:
        return services.approve(application, user=bureau)
    if state == A.REJECTED:
        return services.reject(application, user=bureau, reason="材料不实")
    return services.withdraw(application, user=application.applicant)


def move(application, target, bureau):
    if target == A.SUBMITTED:
        if application.status in (A.DRAFT, A.MORE_DOCUMENTS):
            upload_all(application)
        return services.submit(application, user=application.applicant)
    if target == A.WITHDRAWN:
        return services.withdraw(application, user=application.applicant)
    if target == A.MORE_DOCUMENTS:
        return services.request_documents(application, [{"item": "死亡证明", "reason": "缺页"}], user=bureau)
    if target == A.APPROVED:
        return services.approve(application, user=bureau)
    return services.reject(application, user=bureau, reason="材料不实")


@pytest.mark.parametrize("source", A.values)
@pytest.mark.parametrize("target", [A.SUBMITTED, A.MORE_DOCUMENTS, A.APPROVED, A.REJECTED, A.WITHDRAWN])
def test_b1_every_move_of_the_application_through_the_services(source, target, bureau):
    application = application_in(source, bureau)
    if (source, target) in LEGAL:
        moved = move(application, target, bureau)
        assert BenefitApplication.objects.get(pk=moved.pk).status == target
    else:
        with pytest.raises(IllegalTransition):
            move(application, target, bureau)
        assert BenefitApplication.objects.get(pk=application.pk).status == source


def test_b1_a_rejection_needs_its_reasons(bureau):
    application = submitted(standalone(sea_subsidy()))
    with pytest.raises(ValidationError):
        services.reject(application, user=bureau, reason="  ")
    assert BenefitApplication.objects.get(pk=application.pk).status == A.SUBMITTED


def test_b1_an_early_warning_opens_before_the_deadline_and_clears_with_the_decision(settings, bureau):
    settings.B1_DECISION_WORKING_DAYS = 3
    settings.B1_WARNING_WORKING_DAYS = 1
    monday = a_monday()
    application = submitted(standalone(sea_subsidy()), today=monday)
    EarlyWarning.objects.refresh(today=monday, kinds=[DEADLINE])
    assert not EarlyWarning.objects.open().filter(kind=DEADLINE).exists()
    EarlyWarning.objects.refresh(today=monday + datetime.timedelta(days=2), kinds=[DEADLINE])  # due Thursday
    [warning] = EarlyWarning.objects.open().filter(kind=DEADLINE)
    assert application.number in warning.reason and warning.deadline == application.decision_due
    EarlyWarning.objects.refresh(today=monday + datetime.timedelta(days=4), kinds=[DEADLINE])
    [missed] = EarlyWarning.objects.open().filter(kind=DEADLINE)
    assert "已于" in missed.reason
    services.approve(application, user=bureau, today=monday + datetime.timedelta(days=4))
    EarlyWarning.objects.refresh(today=monday + datetime.timedelta(days=4), kinds=[DEADLINE])
    assert not EarlyWarning.objects.open().filter(kind=DEADLINE).exists()


def test_b1_the_family_is_told_each_step_by_sms(bureau, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted(standalone(sea_subsidy()))
    assert application.number in sms.outbox[-1].text and "作出决定" in sms.outbox[-1].text
    with django_capture_on_commit_callbacks(execute=True):
        services.approve(application, user=bureau)
    assert "已批准" in sms.outbox[-1].text
    assert sms.outbox[-1].mobile == application.applicant.mobile


# --- The subsidy and the decision letter --------------------------------------------------------------


def letter_text(application):
    document = application.decision_letter
    with document.file.open("rb") as handle:
        data = handle.read()
    assert sealing.verify_pdf(data).ok
    return data, "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def test_b1_an_approved_subsidy_records_one_payment_instruction_and_a_sealed_letter(bureau, client):
    application = services.approve(submitted(standalone(sea_subsidy())), user=bureau)
    assert application.status == A.APPROVED and application.amount == money("4000.00")
    assert application.instruction_number.startswith("ZF") and application.instructed_at
    number = application.instruction_number
    assert waivers.retry_all() == (0, 0)
    assert BenefitApplication.objects.get(pk=application.pk).instruction_number == number
    data, text = letter_text(application)
    assert application.number in text and "批准" in text and "4,000.00" in text and "行政复议" in text
    assert application.decision_letter.kind == VerifiableDocument.Kind.BENEFIT_DECISION
    page = client.get(reverse("verify:detail", args=[application.decision_letter.code])).content.decode()
    assert "已批准" in page and number in page


def test_b1_a_rejection_has_its_letter_with_the_reasons(bureau):
    application = services.reject(
        submitted(standalone(sea_subsidy())), user=bureau, reason="海葬证明与死亡证明姓名不一致"
    )
    _data, text = letter_text(application)
    assert "不予批准" in text and "海葬证明与死亡证明姓名不一致" in text
    assert not application.instruction_number


# --- The waiver reaches the bill exactly once -------------------------------------------------------------


def approved_waiver(scenario, bureau):
    application = from_order(basic_waiver(), scenario)
    return services.approve(submitted(application), user=bureau)


def test_b1_an_approved_waiver_is_a_change_order_both_sides_sign_once(bureau):
    scenario = Scenario()
    scenario.advance("countersigned")
    before = scenario.order.total
    application = approved_waiver(scenario, bureau)
    change = application.waiver_change
    assert change is not None and change.bureau_decision == application.number
    assert application.amount == BASIC_TOTAL and change.delta == -BASIC_TOTAL
    assert {line.kind for line in change.lines.all()} == {"discount"}
    # The provider cannot withdraw it and the family cannot decline it.
    with pytest.raises(ValidationError):
        order_services.withdraw_change(change, scenario.staff)
    with pytest.raises(ValidationError):
        order_services.decline_change(change, scenario.family)
    # Nothing changes on the bill until both have signed.
    assert scenario.refresh().total == before
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    change.refresh_from_db()
    assert change.status == ChangeStatus.SIGNED
    assert scenario.refresh().total == before - BASIC_TOTAL
    # Once: carrying it again or the daily run adds nothing.
    assert waivers.apply_waiver(application) is None
    assert waivers.retry_all() == (0, 0)
    assert scenario.order.change_orders.count() == 1
    assert (
        waivers.waiver_lines(
            scenario.refresh(), application.criteria["waived_categories"], policy_reference=""
        )
        == []
    )


def test_b1_a_waiver_approved_before_the_contract_waits_for_it(bureau, django_capture_on_commit_callbacks):
    scenario = Scenario()
    scenario.advance("confirmed")
    application = approved_waiver(scenario, bureau)
    assert application.waiver_change is None and application.amount == BASIC_TOTAL
    with django_capture_on_commit_callbacks(execute=True):
        scenario.advance("countersigned")
    application.refresh_from_db()
    assert application.waiver_change is not None
    assert application.waiver_change.delta == -BASIC_TOTAL


def test_b1_a_waiver_waits_for_an_open_change_order_to_close(bureau, django_capture_on_commit_callbacks):
    scenario = Scenario()
    scenario.advance("countersigned")
    urn = scenario.order.lines.filter(name="骨灰盒").first()
    open_change = order_services.propose_change(
        scenario.order, scenario.staff, additions={urn.item_id: 1}, removals={}, reason="家属加购"
    )
    application = approved_waiver(scenario, bureau)
    assert application.waiver_change is None
    with django_capture_on_commit_callbacks(execute=True):
        order_services.withdraw_change(open_change, scenario.staff)
    application.refresh_from_db()
    assert application.waiver_change is not None


def test_b1_a_waiver_on_a_completed_order_becomes_a_payment_instruction(bureau):
    scenario = Scenario()
    scenario.advance("completed")
    application = approved_waiver(scenario, bureau)
    assert application.waiver_change is None
    assert application.instruction_number and application.amount == BASIC_TOTAL
    _data, text = letter_text(application)
    assert "620.00" in text


def test_b1_a_cancelled_order_cannot_be_waived(bureau):
    scenario = Scenario()
    application = submitted(from_order(basic_waiver(), scenario))
    order_services.cancel_order(scenario.refresh(), scenario.family, reason="改在别处办理")
    with pytest.raises(ValidationError):
        services.approve(application, user=bureau)
    assert scenario.refresh().status == OrderStatus.CANCELLED


def test_b1_the_daily_run_carries_a_waiver_whose_moment_was_missed(bureau):
    """Here the commit hooks never run (a crash right after the contract was countersigned, say):
    the hourly command carries the waiting waiver, once."""
    from io import StringIO

    from django.core.management import call_command

    scenario = Scenario()
    scenario.advance("confirmed")
    application = approved_waiver(scenario, bureau)
    scenario.advance("countersigned")
    application.refresh_from_db()
    assert application.waiver_change is None
    out = StringIO()
    call_command("settle_benefit_waivers", stdout=out)
    assert "waivers carried: 1" in out.getvalue()
    application.refresh_from_db()
    assert application.waiver_change.delta == -BASIC_TOTAL
    call_command("settle_benefit_waivers", stdout=out)
    assert scenario.order.change_orders.count() == 1


def test_b1_the_letter_is_chinese_whatever_the_officers_language(bureau):
    from django.utils import translation

    application = submitted(standalone(sea_subsidy()))
    with translation.override("en"):
        application = services.approve(application, user=bureau)
    assert application.decision_reason.startswith("经审核")
    _data, text = letter_text(application)
    assert "批准" in text and "Reviewed" not in text
