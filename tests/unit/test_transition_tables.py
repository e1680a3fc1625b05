"""Every state machine, every (from, to) pair, on a real row.

For each model with a ``TRANSITIONS`` table the expected table is written out here (so a
change to a model's table is a visible change to this file), and for every pair of its
states a real row is put in the source state and ``core.statemachine.transition`` is
called: a legal move saves the new state and writes the audit entry, an illegal one raises
``IllegalTransition`` naming both states and leaves the stored row as it was.

Orders, contracts and change orders are covered the same way in
``test_orders_lifecycle.py``.
"""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def _price_flag():
    from django.utils import timezone

    from marketplace.catalogue.models import PriceFlag, PriceVersion
    from tests.factories.catalogue import ProviderFactory, make_item

    item = make_item(ProviderFactory(), "urn", price="900.00")
    version = PriceVersion.objects.filter(item=item).latest("pk")
    assert version.effective_from <= timezone.localdate()
    return PriceFlag.objects.create(
        provider=item.provider, version=version, median=Decimal("300.00"), ratio=Decimal("3.00")
    )


def _list_entry():
    from django.utils import timezone

    from tests.factories.credit import make_listing
    from tests.factories.orgs import OrganizationFactory

    return make_listing(OrganizationFactory(), listed_on=timezone.localdate() - datetime.timedelta(days=10))


def _proposal():
    from django.utils import timezone

    from orgs.credit.models import ListReason, ListType, Proposal, ProposalAction, Rule
    from tests.factories.orgs import OrganizationFactory

    today = timezone.localdate()
    return Proposal.objects.create(
        rule=Rule.S5_LIST_OVERDUE_REPORT,
        action=ProposalAction.LIST,
        list_type=ListType.ABNORMAL,
        reason=ListReason.REPORT_NOT_FILED,
        organization=OrganizationFactory(),
        report_year=today.year - 1,
        facts={"report_year": today.year - 1},
        fingerprint="0" * 64,
        proposed_on=today,
    )


def _objection():
    from django.utils import timezone

    from orgs.credit import services
    from tests.factories.credit import evidence, make_record
    from tests.factories.orgs import MembershipFactory

    membership = MembershipFactory()
    record = make_record(
        membership.organization, decided_on=timezone.localdate() - datetime.timedelta(days=20)
    )
    return services.file_objection(
        record, user=membership.user, grounds="结论录入有误，见证明材料。", evidence=evidence()
    )


def _annual_report():
    from django.utils import timezone

    from tests.factories.orgs import OrganizationFactory, make_report

    return make_report(OrganizationFactory(), timezone.localdate().year - 1)


def _charity_project():
    from tests.factories.charity import CharityProjectFactory

    return CharityProjectFactory()


def _payment_intent():
    from tests.factories.payments import make_intent

    return make_intent("100.00")


def _refund():
    from payments.models import Refund
    from tests.factories.payments import make_intent

    return Refund.objects.create(intent=make_intent("100.00"), amount=Decimal("40.00"), reason="退还未用项目")


# (app label, model) -> (builder of a real row, the expected table)
def _registration_application():
    from tests.factories.licensing import establishment

    return establishment()


def _slot_booking():
    from marketplace.orders.slots import services
    from tests.factories.orders import family_user, funeral_home
    from tests.factories.slots import hall, published

    resource = published(hall(funeral_home()), days=1)
    return services.hold(resource.slots.order_by("starts_at").first(), family_user())


def _benefit_application():
    from tests.factories.benefits import sea_subsidy, standalone

    return standalone(sea_subsidy())


TABLES = {
    ("benefits", "BenefitApplication"): (
        _benefit_application,
        {
            ("draft", "submitted"),
            ("draft", "withdrawn"),
            ("submitted", "more_documents"),
            ("submitted", "approved"),
            ("submitted", "rejected"),
            ("submitted", "withdrawn"),
            ("more_documents", "submitted"),
            ("more_documents", "rejected"),
            ("more_documents", "withdrawn"),
        },
    ),
    ("order_slots", "Booking"): (
        _slot_booking,
        {
            ("held", "requested"),
            ("held", "expired"),
            ("held", "released"),
            ("requested", "booked"),
            ("requested", "released"),
            ("requested", "moved"),
            ("booked", "released"),
            ("booked", "moved"),
        },
    ),
    ("licensing", "RegistrationApplication"): (
        _registration_application,
        {
            ("draft", "submitted"),
            ("draft", "withdrawn"),
            ("submitted", "returned"),
            ("submitted", "in_review"),
            ("submitted", "withdrawn"),
            ("returned", "submitted"),
            ("returned", "withdrawn"),
            ("in_review", "approved"),
            ("in_review", "refused"),
            ("in_review", "withdrawn"),
        },
    ),
    ("catalogue", "PriceFlag"): (
        _price_flag,
        {("open", "accepted"), ("open", "queried"), ("queried", "accepted")},
    ),
    ("credit", "ListEntry"): (_list_entry, {("listed", "removed")}),
    ("credit", "Proposal"): (
        _proposal,
        {("pending", "confirmed"), ("pending", "rejected"), ("pending", "withdrawn")},
    ),
    ("credit", "Objection"): (_objection, {("pending", "upheld"), ("pending", "dismissed")}),
    ("reports", "AnnualReport"): (
        _annual_report,
        {
            ("draft", "submitted"),
            ("submitted", "returned"),
            ("returned", "submitted"),
            ("submitted", "accepted"),
        },
    ),
    ("charity", "CharityProject"): (
        _charity_project,
        {("fundraising", "running"), ("running", "completed")},
    ),
    ("payments", "PaymentIntent"): (
        _payment_intent,
        {
            ("requires_payment", "processing"),
            ("requires_payment", "canceled"),
            ("processing", "succeeded"),
            ("processing", "failed"),
            ("processing", "canceled"),
            ("canceled", "succeeded"),
            ("failed", "succeeded"),
        },
    ),
    ("payments", "Refund"): (_refund, {("pending", "succeeded"), ("pending", "failed")}),
}
# Tested in test_orders_lifecycle.py.
ORDER_TABLES = {("orders", "Order"), ("orders", "Contract"), ("orders", "ChangeOrder")}
# Every pair of the complaint table (R2): tests/unit/test_feedback_complaints.py.
ORDER_TABLES |= {("feedback", "Complaint")}
# Every pair of the review table (R1; append-only rows): tests/unit/test_feedback_reviews.py.
ORDER_TABLES |= {("feedback", "Review")}
# Every pair of the visit booking table (M3): tests/unit/test_m3_transitions.py.
ORDER_TABLES |= {("memorial_visits", "Booking")}
# Every pair of the memorial, tribute and report tables (M1): tests/unit/test_m1_transitions.py.
ORDER_TABLES |= {("memorials", "Memorial"), ("memorials", "Tribute"), ("memorials", "MemorialReport")}
# Every pair of the incubator's application table (I1; its field is "state", moved by
# decide() and withdraw()): tests/integration/test_incubator.py.
ORDER_TABLES |= {("incubator", "Application")}
# Every pair of the resource pool's application table and of the milestone evidence table
# (their field is "state"): tests/integration/test_incubator_more_transitions.py.
ORDER_TABLES |= {("incubator", "OfferApplication"), ("incubator", "MilestoneEvidence")}
# Every pair of the 身后一件事 co-keeper table: tests/integration/test_benefit_checklist.py.
ORDER_TABLES |= {("benefit_checklist", "ChecklistKeeper")}


def _states(key):
    model = apps.get_model(*key)
    return [value for value, _label in model._meta.get_field("status").choices]


CASES = [
    pytest.param(key, source, target, id=f"{key[1]}:{source}->{target}")
    for key in TABLES
    for source, target in itertools.product(_states(key), _states(key))
]


def test_every_transition_table_in_the_code_is_covered():
    declared = {
        (model._meta.app_label, model.__name__)
        for model in apps.get_models()
        if isinstance(getattr(model, "TRANSITIONS", None), dict)
    }
    assert declared == set(TABLES) | ORDER_TABLES


@pytest.mark.parametrize("key", list(TABLES), ids=[key[1] for key in TABLES])
def test_each_table_is_exactly_the_expected_one(key):
    model = apps.get_model(*key)
    assert {(str(source), str(target)) for source, target in model.TRANSITIONS} == TABLES[key][1]


@pytest.mark.parametrize(("key", "source", "target"), CASES)
def test_every_move_is_made_or_refused_on_a_real_row(key, source, target):
    build, legal = TABLES[key]
    row = build()
    model = type(row)
    model.objects.filter(pk=row.pk).update(status=source)
    row.refresh_from_db()
    user = UserFactory()
    before = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(row.pk)).count()
    if (source, target) in legal:
        transition(row, target, user=user, reason="测试")
        assert model.objects.get(pk=row.pk).status == target
        entry = ModelLogEntry.objects.filter(
            action=TRANSITION_ACTION, object_id=str(row.pk), content_type__model=model._meta.model_name
        ).latest("timestamp", "pk")
        assert entry.user == user
        assert entry.data == {"from": source, "to": target, "reason": "测试", "field": "status"}
    else:
        with pytest.raises(IllegalTransition) as error:
            transition(row, target, user=user, reason="测试")
        assert (error.value.source, error.value.target) == (source, target)
        assert source in str(error.value) and target in str(error.value)
        assert model.objects.get(pk=row.pk).status == source
        assert ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(row.pk)).count() == before
