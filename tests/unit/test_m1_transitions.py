"""M1's state machines, every (from, to) pair on a real row: a memorial (active/hidden), a
tribute (pending, held, published, rejected, hidden) and a report (open, dismissed, upheld).
A legal move saves and writes the audit entry; an illegal one raises and changes nothing."""

import itertools

import pytest
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from marketplace.memorials.models import Memorial, MemorialReport, Tribute
from tests.factories.accounts import UserFactory
from tests.factories.memorials import make_memorial

pytestmark = pytest.mark.django_db


def _memorial():
    return make_memorial()


def _tribute():
    return Tribute.objects.create(
        memorial=make_memorial(),
        author=UserFactory(),
        kind="message",
        message="安息",
        signed_as="甲",
        status="published",
    )


def _report():
    return MemorialReport.objects.create(memorial=make_memorial(), reason="测试", ip_hash="x")


TABLES = {
    Memorial: (_memorial, {("active", "hidden"), ("hidden", "active")}),
    Tribute: (
        _tribute,
        {
            ("pending", "published"),
            ("pending", "rejected"),
            ("held", "published"),
            ("held", "rejected"),
            ("published", "hidden"),
            ("hidden", "published"),
        },
    ),
    MemorialReport: (_report, {("open", "dismissed"), ("open", "upheld")}),
}


def _states(model):
    return [value for value, _label in model._meta.get_field("status").choices]


@pytest.mark.parametrize("model", list(TABLES), ids=lambda m: m.__name__)
def test_m1_each_table_is_exactly_the_expected_one(model):
    assert {(str(a), str(b)) for a, b in model.TRANSITIONS} == TABLES[model][1]


CASES = [
    pytest.param(model, source, target, id=f"{model.__name__}:{source}->{target}")
    for model in TABLES
    for source, target in itertools.product(_states(model), _states(model))
]


@pytest.mark.parametrize(("model", "source", "target"), CASES)
def test_m1_every_move_is_made_or_refused_on_a_real_row(model, source, target):
    build, legal = TABLES[model]
    row = build()
    # The report's decision needs a reason by constraint; give one for the decided states.
    extra = {"decision_reason": "测试"} if model is MemorialReport and source != "open" else {}
    model.objects.filter(pk=row.pk).update(status=source, **extra)
    row.refresh_from_db()
    if model is MemorialReport and target != "open":
        row.decision_reason = "测试"
    user = UserFactory()
    before = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(row.pk)).count()
    if (source, target) in legal:
        transition(
            row,
            target,
            user=user,
            reason="测试",
            save_fields=("decision_reason",) if model is MemorialReport else (),
        )
        assert model.objects.get(pk=row.pk).status == target
        entry = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(row.pk)).latest("pk")
        assert entry.data["from"] == source and entry.data["to"] == target and entry.user_id == user.pk
    else:
        with pytest.raises(IllegalTransition):
            transition(row, target, user=user, reason="测试")
        assert model.objects.get(pk=row.pk).status == source
        assert ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(row.pk)).count() == before
