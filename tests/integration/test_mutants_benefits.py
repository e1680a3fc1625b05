"""Tests written to kill the surviving mutants of B1's rule modules (mutmut run of 7 December
2026, triage in docs/mutation-2026-12-07-benefits.md).

What is guarded here, each through the real services and the shared factories
(``tests.factories.benefits``):

* Eligibility (``marketplace.benefits.eligibility``): every criterion reads back in full, as the
  family sees it in the live checks and the bureau on the review page — key, label, pass or
  fail and the explanation word for word — passing and failing, with the scheme's own lists
  (districts, burial types, family statuses, documents) named in the explanation; the
  effective dates and the claim window count both ends inclusive; the window counts from the
  first submission, not from today; ``explain`` lists the failures only.
* "Once per death": only another application of the same scheme for the same deceased, in a
  holding state, counts; an application without a deceased's digest holds nothing.
* Documents asked for again: an upload made before the bureau asked does not count, one made
  after it does; the other documents are not asked for again.
* Waivers (``marketplace.benefits.waivers``): the discount lines cancel each waived service at
  the price and quantity billed, for the scheme's categories and their subcategories only,
  cite the decision cut to the column, and sum to the waived amount; units F7 or a signed
  change already took are netted; which order states a waiver can still reach; a waiver
  reaches the bill only once approved, one change order at a time, and each order's hook
  carries that order's waivers only.
* The refund due (``refund_due``, ``refunded_for``): the waived amount, capped by what was
  paid beyond the new bill, less refunds pending on the order and what this waiver already
  refunded (a failed refund does not count). Making the refund (``settle_refund``,
  ``on_change_signed``, ``retry_all``: the newest payment first, each up to what it can still
  refund; a failed refund tied to the application, logged and tried again by the daily run,
  once) is tested in ``test_mutants_benefits_refund.py``, against the payments app and the
  Alipay simulator over HTTP.
* The application's services (``marketplace.benefits.services``, the functions mutmut mutated
  in that run, which left out the decorated ones; they open their transaction with a ``with``
  block since 7 December, so a later run reaches them too): numbers per day, the facts taken from an
  order, the refusals when starting, the days left, the schemes open on a day, the family's
  own orders and applications, who decided when and why.

Every date is relative to ``timezone.localdate()``.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.dates import working_days_between
from marketplace.benefits import services, waivers
from marketplace.benefits.eligibility import (
    check,
    criteria_of,
    explain,
    holding_application,
    missing_documents,
)
from marketplace.benefits.models import ApplicationStatus, BenefitApplication, FamilyStatus, WaiverRefund
from marketplace.catalogue.models import ServiceCategory
from marketplace.orders import services as order_services
from marketplace.orders.models import ChangeOrder, ChangeStatus, Order, OrderLine, OrderStatus, Signature
from payments.models import Refund
from tests.factories import payments as payment_fixtures
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
from tests.factories.payments import make_intent

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup

pytestmark = pytest.mark.django_db

A = ApplicationStatus
HARDSHIP = "城乡最低生活保障家庭、特困供养人员"
# The test funeral home's basic services, by category (tests.factories.catalogue.PACKAGE_PRICES).
BASIC = {
    "遗体接运": money("200.00"),
    "遗体存放（冷藏）": money("60.00"),
    "遗体告别": money("150.00"),
    "遗体火化": money("150.00"),
    "骨灰寄存": money("60.00"),
}


def days(n):
    return datetime.timedelta(days=n)


def shown(checks):
    """What the family and the bureau see of each criterion."""
    return [(c.key, c.label, c.passed, c.explanation) for c in checks]


LABELS = {
    "in_force": "政策有效期",
    "window": "申请期限",
    "district": "户籍所在区",
    "burial": "安葬方式",
    "family_status": "家庭情况",
    "order": "可减免的服务",
    "payee": "收款账户",
    "once": "同一逝者仅享受一次",
    "documents": "申请材料",
}


def criterion(application, key, day=None):
    """One criterion's pass or fail and explanation; its label is checked on the way."""
    [found] = [c for c in check(application, today=day) if c.key == key]
    assert found.label == LABELS[key]
    return (found.passed, found.explanation)


# --- Eligibility, word for word ------------------------------------------------------------------


def test_b1_every_criterion_of_a_subsidy_reads_in_full_with_the_schemes_own_lists():
    start, end = today() - days(400), today() + days(30)
    scheme = sea_subsidy(effective_until=end, districts=["chaoyang", "haidian"])
    application = upload_all(standalone(scheme))
    death = today() - days(10)
    assert shown(check(application)) == [
        (
            "in_force",
            "政策有效期",
            True,
            f"死亡日期 {death} 在政策有效期（{start} 至 {end}）内。",
        ),
        (
            "window",
            "申请期限",
            True,
            f"须在死亡后 180 天内（{death + days(180)} 前）申请，本申请于 {today()} 提出。",
        ),
        ("district", "户籍所在区", True, "逝者户籍在朝阳区，符合（朝阳区、海淀区）。"),
        ("burial", "安葬方式", True, "安葬方式为海葬，符合（海葬）。"),
        (
            "payee",
            "收款账户",
            True,
            "补贴支付至 李强（中国工商银行北京朝阳支行，账号 6222***********3445）。",
        ),
        ("once", "同一逝者仅享受一次", True, "该逝者没有在办或已批准的同一政策申请。"),
        ("documents", "申请材料", True, "所需材料均已上传：死亡证明、海葬证明。"),
    ]
    assert explain(check(application)) == []


def test_b1_every_criterion_of_a_waiver_reads_in_full_with_the_services_it_waives():
    scenario = Scenario()
    application = upload_all(from_order(basic_waiver(), scenario))
    death = scenario.order.date_of_death
    lines = waivers.waiver_lines(
        scenario.order, application.scheme.criteria()["waived_categories"], policy_reference=""
    )
    items = "、".join(line.name for line in lines)
    assert shown(check(application)) == [
        (
            "in_force",
            "政策有效期",
            True,
            f"死亡日期 {death} 在政策有效期（{today() - days(400)} 起）内。",
        ),
        ("district", "户籍所在区", True, "逝者户籍在海淀区，符合（本市任一区）。"),
        (
            "family_status",
            "家庭情况",
            True,
            f"家庭情况为城乡最低生活保障家庭，符合（{HARDSHIP}）。",
        ),
        (
            "order",
            "可减免的服务",
            True,
            f"订单 {scenario.order.reference} 中可减免：{items}，共 ¥620.00。",
        ),
        ("once", "同一逝者仅享受一次", True, "该逝者没有在办或已批准的同一政策申请。"),
        ("documents", "申请材料", True, "所需材料均已上传：死亡证明、低保证明。"),
    ]


def test_b1_each_failed_criterion_names_the_fact_and_the_rule_word_for_word():
    start, end = today() - days(400), today() - days(20)
    scheme = sea_subsidy(effective_until=end, districts=["chaoyang", "haidian"], claim_window_days=5)
    application = standalone(scheme, hukou_district="yanqing", burial_type="ordinary", payee_bank="")
    death = today() - days(10)
    failed = [
        (
            "in_force",
            "政策有效期",
            False,
            f"死亡日期 {death} 不在政策有效期（{start} 至 {end}）内。",
        ),
        (
            "window",
            "申请期限",
            False,
            f"须在死亡后 5 天内（{death + days(5)} 前）申请，已超过期限。",
        ),
        ("district", "户籍所在区", False, "逝者户籍在延庆区，不在朝阳区、海淀区。"),
        ("burial", "安葬方式", False, "安葬方式为墓地安葬或骨灰寄存，政策仅适用于海葬。"),
        ("payee", "收款账户", False, "请填写收款人姓名、开户银行和银行账号。"),
    ]
    checks = check(application)
    assert shown(checks)[:5] == failed
    assert shown(checks)[6] == ("documents", "申请材料", False, "尚未上传：死亡证明、海葬证明。")
    assert explain(checks) == [f"{label}：{text}" for _key, label, _passed, text in failed] + [
        "申请材料：尚未上传：死亡证明、海葬证明。"
    ]


def test_b1_a_criterion_not_yet_answered_asks_for_it_and_names_what_is_allowed():
    scheme = sea_subsidy(districts=["chaoyang", "haidian"])
    application = standalone(scheme)
    application.date_of_death = None
    application.hukou_district = ""
    application.burial_type = ""
    checks = {key: (passed, text) for key, _label, passed, text in shown(check(application))}
    assert all(label == LABELS[key] for key, label, _passed, _text in shown(check(application)))
    assert checks["in_force"] == (False, "请填写死亡日期。")
    assert checks["window"] == (False, "请填写死亡日期。")
    assert checks["district"] == (False, "请选择逝者户籍所在区（须为：朝阳区、海淀区）。")
    assert checks["burial"] == (False, "请选择安葬方式（须为：海葬）。")
    # No district named: any Beijing district, and the request says so.
    anywhere = standalone(sea_subsidy(code="anywhere"), deceased_id=id_number("11010519380101333"))
    anywhere.hukou_district = ""
    assert criterion(anywhere, "district") == (False, "请选择逝者户籍所在区（须为：本市任一区）。")
    # A family status not chosen, or one the scheme does not name.
    scenario = Scenario()
    waiver = from_order(basic_waiver(), scenario)
    waiver.family_status = ""
    assert criterion(waiver, "family_status") == (False, f"请选择家庭情况（须为：{HARDSHIP}）。")
    waiver.family_status = FamilyStatus.LOW_INCOME
    assert criterion(waiver, "family_status") == (
        False,
        f"家庭情况为低收入家庭，政策仅适用于{HARDSHIP}。",
    )


@pytest.mark.parametrize("missing", ["payee_name", "payee_bank", "payee_account"])
def test_b1_a_subsidy_needs_each_of_payee_bank_and_account(missing):
    application = standalone(sea_subsidy(), **{missing: ""})
    assert criterion(application, "payee") == (False, "请填写收款人姓名、开户银行和银行账号。")


def test_b1_the_effective_dates_count_both_ends_and_an_open_end_reads_from():
    start, end = today() - days(30), today() - days(5)
    application = standalone(sea_subsidy(effective_from=start, effective_until=end))
    period = f"{start} 至 {end}"
    for death, passed in (
        (start - days(1), False),
        (start, True),
        (end, True),
        (end + days(1), False),
    ):
        application.date_of_death = death
        word = "在" if passed else "不在"
        assert criterion(application, "in_force") == (
            passed,
            f"死亡日期 {death} {word}政策有效期（{period}）内。",
        )
    open_ended = standalone(
        sea_subsidy(code="open", effective_from=start), deceased_id=id_number("11010519380101333")
    )
    open_ended.date_of_death = start - days(1)
    assert criterion(open_ended, "in_force") == (
        False,
        f"死亡日期 {start - days(1)} 不在政策有效期（{start} 起）内。",
    )


def test_b1_the_claim_window_ends_on_its_last_day_inclusive_counted_from_the_first_submission():
    application = standalone(sea_subsidy(claim_window_days=30))
    death = today() - days(10)
    last = death + days(30)
    assert criterion(application, "window", day=last) == (
        True,
        f"须在死亡后 30 天内（{last} 前）申请，本申请于 {last} 提出。",
    )
    assert criterion(application, "window", day=last + days(1)) == (
        False,
        f"须在死亡后 30 天内（{last} 前）申请，已超过期限。",
    )
    # A resubmission after the window is judged by the first submission's day.
    application.first_submitted_on = today() - days(2)
    assert criterion(application, "window", day=last + days(5)) == (
        True,
        f"须在死亡后 30 天内（{last} 前）申请，本申请于 {today() - days(2)} 提出。",
    )
    # A window of 0 days: the day of death only.
    same_day = standalone(
        sea_subsidy(code="same-day", claim_window_days=0), deceased_id=id_number("11010519380101333")
    )
    assert criterion(same_day, "window", day=death) == (
        True,
        f"须在死亡后 0 天内（{death} 前）申请，本申请于 {death} 提出。",
    )
    assert not criterion(same_day, "window", day=death + days(1))[0]
    # No window: no such criterion.
    none = standalone(
        sea_subsidy(code="no-window", claim_window_days=None), deceased_id=id_number("11010519380101444")
    )
    assert "window" not in [c.key for c in check(none)]


def test_b1_a_scheme_that_asks_for_no_document_says_so():
    application = standalone(sea_subsidy(required_documents=[]))
    assert criterion(application, "documents") == (True, "本政策无需上传材料。")


def test_b1_a_waiver_refusal_says_why_no_order_a_closed_order_or_nothing_left_to_waive():
    scheme = basic_waiver()
    alone = standalone(scheme, family_status=FamilyStatus.SUBSISTENCE)
    assert criterion(alone, "order") == (
        False,
        "费用减免须通过本平台的殡葬服务订单办理；在其他机构办理的，请申请现金补贴类政策。",
    )
    scenario = Scenario()
    application = from_order(scheme, scenario)
    for status, shown_as in ((OrderStatus.CANCELLED, "已取消"), (OrderStatus.REFUNDED, "已退款")):
        application.order.status = status
        assert criterion(application, "order") == (
            False,
            f"订单 {scenario.order.reference} 已{shown_as}，不能减免。",
        )
    # F7 already made the basic services free: nothing left to waive.
    f7 = Scenario(burial_choice="sea", resident=True)
    free = from_order(basic_waiver(code="other-waiver"), f7)
    assert criterion(free, "order") == (
        False,
        f"订单 {f7.order.reference} 中没有本政策免除的服务，或已按其他政策减免。",
    )


def test_b1_the_same_death_is_held_only_by_the_same_schemes_application_in_progress_or_approved():
    scheme = sea_subsidy()
    first = submitted(standalone(scheme))
    second = standalone(scheme, applicant=UserFactory())
    assert criterion(second, "once") == (
        False,
        f"该逝者已有同一政策的申请 {first.number}（已提交，审核中）。",
    )
    assert holding_application(second).pk == first.pk
    # An application never holds against itself.
    assert holding_application(first) is None
    # Another scheme's application for the same death does not count.
    other = standalone(sea_subsidy(code="other-scheme"), applicant=UserFactory())
    assert holding_application(other) is None
    # An application with no deceased's digest (never saved with one) holds nothing, even
    # against another such row.
    BenefitApplication.objects.filter(pk=first.pk).update(deceased_id_hmac="")
    second.deceased_id_hmac = ""
    assert holding_application(second) is None


def test_b1_a_document_asked_for_again_counts_only_if_uploaded_after_the_request():
    bureau = bureau_officer()
    application = submitted(standalone(sea_subsidy()))
    application = services.request_documents(
        application, [{"item": "海葬证明", "reason": "照片模糊"}], user=bureau
    )
    criteria = criteria_of(application)
    asked = application.documents_requested_at
    assert missing_documents(application, criteria) == ["海葬证明"]
    assert criterion(application, "documents") == (False, "尚未上传：海葬证明。")
    # The moment itself is "before"; a moment after it is "after"; an upload without a time is
    # not after it.
    after = asked + datetime.timedelta(microseconds=1)
    assert missing_documents(application, criteria, {"死亡证明": asked, "海葬证明": asked}) == ["海葬证明"]
    assert missing_documents(application, criteria, {"死亡证明": None, "海葬证明": after}) == []
    assert missing_documents(application, criteria, {"死亡证明": asked, "海葬证明": None}) == ["海葬证明"]
    assert missing_documents(application, criteria, {}) == ["死亡证明", "海葬证明"]
    services.upload_document(
        application, "海葬证明", upload("new.pdf", pdf_bytes("新")), user=application.applicant
    )
    assert missing_documents(application, criteria) == []
    # Outside a request for documents, an upload counts whenever it was made.
    draft = standalone(sea_subsidy(code="draft"), deceased_id=id_number("11010519380101333"))
    draft.requested_documents = [{"item": "海葬证明", "reason": "x"}]
    draft.documents_requested_at = after
    assert missing_documents(draft, criteria_of(draft), {"死亡证明": asked, "海葬证明": asked}) == []


# --- Waivers ---------------------------------------------------------------------------------------


def test_b1_a_waiver_cancels_each_waived_service_at_its_billed_price_citing_the_decision():
    scenario = Scenario()
    provider = scenario.provider.name
    basic = ServiceCategory.objects.get(code="basic")
    lines = waivers.waiver_lines(scenario.order, [basic.pk], policy_reference="惠" * 70)
    billed = {line.item_id: line for line in waivers.current_lines(scenario.order)}
    assert sorted(
        (
            line.kind,
            line.name,
            line.category_name,
            line.unit,
            line.quantity,
            line.unit_price,
            line.amount,
            line.policy_reference,
        )
        for line in lines
    ) == sorted(
        (
            OrderLine.Kind.DISCOUNT,
            f"惠民殡葬减免：{name}（{provider}）",
            name,
            "次",
            1,
            -price,
            -price,
            "惠" * 60,
        )
        for name, price in BASIC.items()
    )
    for line in lines:
        assert line.is_discount
        assert line.item == billed[line.item_id].item
        assert line.price_version_id == billed[line.item_id].price_version_id
    assert waivers.waived_amount(lines) == money("620.00")
    # One subcategory named directly: that service only.
    cremation = ServiceCategory.objects.get(name="遗体火化")
    [line] = waivers.waiver_lines(scenario.order, [cremation.pk], policy_reference="")
    assert (line.name, line.amount, line.policy_reference) == (
        f"惠民殡葬减免：遗体火化（{provider}）",
        -BASIC["遗体火化"],
        "",
    )
    # No category: nothing (not every line).
    assert waivers.waiver_lines(scenario.order, [], policy_reference="") == []
    assert waivers.waived_amount([]) == Decimal("0.00")


def test_b1_a_waiver_counts_every_unit_billed_and_nets_units_already_removed():
    first = Scenario()
    cremation = ServiceCategory.objects.get(name="遗体火化")
    item = first.order.lines.get(category_name="遗体火化").item
    scenario = Scenario(provider=first.provider, selections={item.pk: 3})
    [line] = waivers.waiver_lines(scenario.order, [cremation.pk], policy_reference="")
    assert (line.quantity, line.unit_price, line.amount) == (3, -BASIC["遗体火化"], -3 * BASIC["遗体火化"])
    # A signed change removed one of the three: two are left to waive.
    scenario.advance("countersigned")
    change = order_services.propose_change(
        scenario.order, scenario.staff, additions={}, removals={item.pk: 1}, reason="少一次"
    )
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    [line] = waivers.waiver_lines(scenario.refresh(), [cremation.pk], policy_reference="")
    assert (line.quantity, line.amount) == (2, -2 * BASIC["遗体火化"])


def test_b1_a_waiver_reaches_every_order_state_but_cancelled_and_refunded():
    assert waivers.WAIVABLE_ORDER_STATUSES == (
        OrderStatus.SUBMITTED,
        OrderStatus.CONFIRMED,
        OrderStatus.CONTRACT_ISSUED,
        OrderStatus.FAMILY_SIGNED,
        OrderStatus.COUNTERSIGNED,
        OrderStatus.PAID,
        OrderStatus.IN_SERVICE,
        OrderStatus.COMPLETED,
    )


def test_b1_a_waiver_reaches_the_bill_only_once_approved():
    scenario = Scenario()
    scenario.advance("countersigned")
    application = submitted(from_order(basic_waiver(), scenario))
    assert waivers.apply_waiver(application) is None
    assert waivers.apply_pending_waivers(scenario.order.pk) == 0
    assert scenario.order.change_orders.count() == 0


def approved_waiver(scenario, **scheme):
    return services.approve(submitted(from_order(basic_waiver(**scheme), scenario)), user=bureau_officer())


def test_b1_the_amount_recorded_when_the_waiver_is_carried_is_what_its_change_order_waives(
    django_capture_on_commit_callbacks,
):
    scenario = Scenario()
    scenario.advance("confirmed")
    application = approved_waiver(scenario)
    assert application.waiver_change is None
    BenefitApplication.objects.filter(pk=application.pk).update(amount=None)
    with django_capture_on_commit_callbacks(execute=True):
        scenario.advance("countersigned")
    application.refresh_from_db()
    assert application.waiver_change.delta == -money("620.00")
    assert application.amount == money("620.00")


def test_b1_a_waiver_that_cannot_be_carried_is_logged_and_the_others_go_on(monkeypatch, caplog):
    scenario = Scenario()
    scenario.advance("confirmed")
    first = approved_waiver(scenario)
    second = approved_waiver(scenario, code="second-waiver", name="第二项减免")
    scenario.advance("countersigned")
    carry = waivers.apply_waiver

    def fail_first(application, **kwargs):
        if application.pk == first.pk:
            raise RuntimeError("down")
        return carry(application, **kwargs)

    monkeypatch.setattr(waivers, "apply_waiver", fail_first)
    assert waivers.apply_pending_waivers(scenario.order.pk) == 1
    second.refresh_from_db()
    assert second.waiver_change is not None
    [record] = [r for r in caplog.records if r.name == "marketplace.benefits.waivers"]
    assert record.getMessage() == (
        f"the waiver of {first.number} could not be carried onto order {scenario.order.pk}"
    )
    assert record.exc_info is not None


def test_b1_a_waiting_waiver_goes_on_when_the_contract_takes_effect_or_a_change_closes(
    django_capture_on_commit_callbacks,
):
    scenario = Scenario()
    order = scenario.order
    change = ChangeOrder(pk=0, order=order)
    expected = {
        (Order, OrderStatus.COUNTERSIGNED): 1,
        (Order, OrderStatus.PAID): 0,
        (Order, OrderStatus.CONFIRMED): 0,
        (ChangeOrder, ChangeStatus.SIGNED): 2,
        (ChangeOrder, ChangeStatus.DECLINED): 1,
        (ChangeOrder, ChangeStatus.WITHDRAWN): 1,
        (ChangeOrder, ChangeStatus.PROPOSED): 0,
    }
    for (sender, target), count in expected.items():
        instance = order if sender is Order else change
        with django_capture_on_commit_callbacks() as callbacks:
            waivers.on_transition(sender, instance, target)
        assert len(callbacks) == count, (sender, target)
    # A change order's status named for an order (or the reverse) does nothing.
    with django_capture_on_commit_callbacks() as callbacks:
        waivers.on_transition(ChangeOrder, change, OrderStatus.COUNTERSIGNED)
        waivers.on_transition(Order, order, ChangeStatus.SIGNED)
    assert callbacks == []


def signed_waiver(scenario, **scheme):
    application = approved_waiver(scenario, **scheme)
    sign_as(application.waiver_change, scenario.family, Signature.Role.FAMILY)
    sign_as(application.waiver_change, scenario.staff, Signature.Role.PROVIDER)
    application.refresh_from_db()
    return application


def test_b1_the_refund_due_is_the_waived_amount_capped_by_what_was_paid_beyond_the_new_bill():
    scenario = Scenario()
    scenario.advance("paid")  # 1,320.00 paid; the bill becomes 700.00 once the waiver is signed
    application = approved_waiver(scenario)
    # Not signed yet: nothing is due.
    assert waivers.refund_due(application) == Decimal("0.00")
    sign_as(application.waiver_change, scenario.family, Signature.Role.FAMILY)
    sign_as(application.waiver_change, scenario.staff, Signature.Role.PROVIDER)
    application.refresh_from_db()
    assert waivers.refund_due(application) == money("620.00")
    # The family paid 100 more than the old bill: still only the waived amount.
    order_services.mark_paid(scenario.refresh(), amount=money("100.00"), reference="EXTRA-1")
    assert waivers.refund_due(application) == money("620.00")
    # A smaller waived amount caps it.
    application.amount = money("300.00")
    assert waivers.refund_due(application) == money("300.00")
    # Nothing paid beyond the new bill: nothing due; a waiver not carried yet owes nothing.
    fresh = Scenario()
    fresh.advance("countersigned")
    unpaid = signed_waiver(fresh, code="unpaid-waiver")
    assert waivers.refund_due(unpaid) == Decimal("0.00")
    assert waivers.refunded_for(unpaid) == Decimal("0.00")
    waiting = Scenario()
    waiting.advance("confirmed")
    not_carried = approved_waiver(waiting, code="waiting-waiver")
    assert not_carried.waiver_change is None
    assert waivers.refund_due(not_carried) == Decimal("0.00")


def test_b1_the_refund_due_deducts_refunds_pending_on_the_order_and_what_this_waiver_refunded(
    payments_setup,
):
    scenario = Scenario()
    scenario.advance("paid")
    application = signed_waiver(scenario)
    intent = make_intent("1320.00", payable=scenario.order)

    def refund(amount, status, on=intent, application=None):
        made = Refund.objects.create(intent=on, amount=money(amount), reason="测试退款", status=status)
        if application is not None:
            WaiverRefund.objects.create(application=application, refund=made)
        return made

    S = Refund.Status
    refund("5.00", S.PENDING, on=make_intent("10.00"))  # another payment's refund
    refund("40.00", S.FAILED)  # a failed refund of the order
    assert waivers.refunded_for(application) == Decimal("0.00")
    assert waivers.refund_due(application) == money("620.00")
    refund("100.00", S.PENDING)  # pending on the order, not for this waiver
    assert waivers.refund_due(application) == money("520.00")
    # What this waiver has refunded (or is refunding) counts, a failed one does not, nor another
    # application's.
    refund("200.00", S.SUCCEEDED, application=application)
    refund("70.00", S.FAILED, application=application)
    refund("9.00", S.SUCCEEDED, application=standalone(sea_subsidy()))
    assert waivers.refunded_for(application) == money("200.00")
    assert waivers.refund_due(application) == money("420.00")
    refund("30.00", S.PENDING, application=application)
    assert waivers.refunded_for(application) == money("230.00")


# --- The application's services ------------------------------------------------------------------


def test_b1_application_numbers_count_up_per_day_of_the_draft():
    scheme = sea_subsidy()
    day = today() - days(3)
    first = standalone(scheme, today=day)
    second = standalone(scheme, today=day, deceased_id=id_number("11010519380101333"))
    other_day = standalone(scheme, deceased_id=id_number("11010519380101444"))
    assert (first.number, second.number) == (f"HM{day:%Y%m%d}0001", f"HM{day:%Y%m%d}0002")
    assert other_day.number == f"HM{today():%Y%m%d}0001"


def test_b1_an_application_from_an_order_starts_with_the_orders_facts():
    scenario = Scenario()
    order = scenario.order
    assert services.facts_from_order(order) == {
        "deceased_name": order.deceased_name,
        "date_of_death": order.date_of_death,
        "burial_type": order.burial_choice or "",
        "relation": order.contact_relation,
        "payee_name": order.contact_name,
    }
    application = from_order(sea_subsidy(), scenario, burial_type="sea", relation="孙女")
    assert (application.deceased_name, application.date_of_death, application.relation) == (
        order.deceased_name,
        order.date_of_death,
        "孙女",
    )
    assert (application.deceased_id_masked, application.deceased_id_hmac) == (
        order.deceased_id_masked,
        order.deceased_id_hmac,
    )
    assert application.order == order and application.scheme.code == "sea-burial-subsidy"


def test_b1_starting_an_application_is_refused_with_a_reason_the_family_can_act_on():
    scheme = sea_subsidy()
    with pytest.raises(PermissionDenied, match="请先用短信验证码验证手机号码，再申请惠民殡葬。"):
        standalone(scheme, applicant=UserFactory(mobile_verified_at=None))
    scenario = Scenario()
    with pytest.raises(PermissionDenied, match="只能为自己的订单申请。"):
        services.start_application(scheme, applicant=UserFactory(), order=scenario.order)
    with pytest.raises(ValidationError) as bad_id:
        standalone(scheme, deceased_id="110105193801012220")
    assert list(bad_id.value.message_dict) == ["deceased_id"]
    with pytest.raises(ValidationError) as unknown:
        standalone(scheme, colour="red", amount=1)
    assert unknown.value.messages == ["未知的申请事项：amount, colour"]
    order_services.cancel_order(scenario.refresh(), scenario.family, reason="改在别处办理")
    scenario.refresh()
    with pytest.raises(ValidationError) as cancelled:
        from_order(scheme, scenario)
    assert cancelled.value.messages == [f"订单 {scenario.order.reference} 已取消，不能申请。"]
    assert not BenefitApplication.objects.exists()


def test_b1_the_days_left_count_working_days_only_while_the_bureau_must_decide(settings):
    settings.B1_DECISION_WORKING_DAYS = 10
    application = submitted(standalone(sea_subsidy()))
    due = application.decision_due
    assert services.days_left(application) == working_days_between(today(), due)
    assert services.days_left(application, today=due) == 0
    assert services.days_left(application, today=due + days(7)) == working_days_between(due + days(7), due)
    assert services.days_left(application, today=due + days(7)) < 0
    application.decision_due = None
    assert services.days_left(application) is None
    draft = standalone(sea_subsidy(code="draft"), deceased_id=id_number("11010519380101333"))
    draft.decision_due = due
    assert services.days_left(draft) is None


def test_b1_the_schemes_open_on_a_day_include_one_ending_that_day_in_the_bureaus_order():
    day = today()
    sea_subsidy(code="b-ends-today", effective_until=day, sort_order=1)
    sea_subsidy(code="a-open", sort_order=1)
    sea_subsidy(code="c-first", sort_order=0)
    sea_subsidy(code="d-ended", effective_until=day - days(1))
    assert [s.code for s in services.schemes_open_on(day)] == ["c-first", "a-open", "b-ends-today"]


def test_b1_a_family_sees_its_own_applications_and_cites_its_own_open_orders_newest_first():
    scenario = Scenario()
    newer = Scenario(family=scenario.family)
    cancelled = Scenario(family=scenario.family)
    order_services.cancel_order(cancelled.refresh(), cancelled.family, reason="改在别处办理")
    assert cancelled.refresh().status == OrderStatus.CANCELLED
    Scenario()  # another family's order
    assert list(services.family_orders(scenario.family)) == [newer.order, scenario.order]
    mine = from_order(basic_waiver(), scenario)
    standalone(sea_subsidy())  # another family's application
    assert list(services.applications_for(scenario.family)) == [mine]


def test_b1_a_decision_records_who_decided_when_and_why():
    bureau = bureau_officer()
    day = today() - days(1)
    application = services.reject(
        submitted(standalone(sea_subsidy())), user=bureau, reason="  材料不实  ", today=day
    )
    application.refresh_from_db()
    assert (application.decided_on, application.decided_by, application.decision_reason) == (
        day,
        bureau,
        "材料不实",
    )
    assert application.decision_letter is not None


def test_b1_a_value_the_lists_no_longer_have_is_shown_by_its_code():
    # 宣武区 merged into 西城区 in 2010: criteria stored before a list changed keep old codes.
    application = submitted(standalone(sea_subsidy(districts=["chaoyang"])))
    application.criteria = {**application.criteria, "districts": ["chaoyang", "xuanwu"]}
    application.hukou_district = "xuanwu"
    assert criterion(application, "district") == (True, "逝者户籍在xuanwu，符合（朝阳区、xuanwu）。")
    application.criteria["burial_types"] = ["sea", "columbarium"]
    application.burial_type = "columbarium"
    assert criterion(application, "burial") == (True, "安葬方式为columbarium，符合（海葬、columbarium）。")


# --- Carrying waiting waivers (making the refund: test_mutants_benefits_refund.py) ---------------


def test_b1_the_daily_run_carries_each_order_s_waiting_waiver_once():
    Scenario()  # an order without an application, so that orders and applications differ in id
    one, two = Scenario(), Scenario()
    for scenario in (one, two):
        scenario.advance("confirmed")
    first = approved_waiver(one)
    second = approved_waiver(two, code="second-waiver")
    for scenario in (one, two):
        scenario.advance("countersigned")  # the commit hooks do not run here
    # One order's hook carries that order's waiver only.
    assert waivers.apply_pending_waivers(one.order.pk) == 1
    second.refresh_from_db()
    assert second.waiver_change is None
    assert waivers.retry_all() == (1, 0)
    assert waivers.retry_all() == (0, 0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.waiver_change is not None and second.waiver_change is not None


def test_b1_two_waivers_on_one_order_are_carried_one_change_order_at_a_time():
    scenario = Scenario()
    scenario.advance("confirmed")
    approved_waiver(scenario)
    approved_waiver(scenario, code="second-waiver", name="第二项减免", categories=["extended"])
    scenario.advance("countersigned")
    # The first opens a change order; the second waits for it to close.
    assert waivers.apply_pending_waivers(scenario.order.pk) == 1
    assert scenario.order.change_orders.count() == 1


def test_b1_services_f7_made_free_stay_free_of_a_waiver_when_more_are_added_later():
    f7 = Scenario(burial_choice="sea", resident=True)
    f7.advance("countersigned")
    cremation = ServiceCategory.objects.get(name="遗体火化")
    item = f7.order.lines.filter(category_name="遗体火化").first().item
    change = order_services.propose_change(
        f7.order, f7.staff, additions={item.pk: 1}, removals={}, reason="加一次"
    )
    sign_as(change, f7.family, Signature.Role.FAMILY)
    sign_as(change, f7.staff, Signature.Role.PROVIDER)
    discounts = [
        line for line in waivers.current_lines(f7.refresh()) if line.item_id == item.pk and line.is_discount
    ]
    assert len(discounts) == 2  # F7's at the contract and on the addition
    assert waivers.waiver_lines(f7.order, [cremation.pk], policy_reference="") == []
    # With the urn's category too: the free services come first on the bill and are passed
    # over; the urn, still charged, is waived.
    urn = f7.order.lines.filter(name="骨灰盒").first().item
    lines = waivers.waiver_lines(f7.order, [cremation.pk, urn.category_id], policy_reference="")
    assert [(line.name, line.amount) for line in lines] == [("惠民殡葬减免：骨灰盒", -money("600.00"))]
