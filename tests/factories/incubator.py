"""Builders for incubator programmes and applications (issue 16). Applications are filed with
``orgs.incubator.services.applications.submit`` and moved with ``decide`` / ``withdraw``, so
every rule (I1 eligibility, the transition table, capacity, reasons) runs as for real users.

Every date is relative to ``timezone.localdate()``: a programme is open from ten days ago to
twenty days from now unless told otherwise."""

import collections
import datetime

import factory
from django.utils import timezone
from freezegun import freeze_time

from orgs.credit import services as credit
from orgs.incubator.models import (
    PANEL_DECISIONS,
    TRANSITIONS,
    Application,
    ApplicationState,
    Offer,
    OfferKind,
    Programme,
    ProgrammeKind,
    RubricItem,
)
from orgs.incubator.services import applications, panel
from orgs.registry.models import MemberRole, Membership
from orgs.reports.models import Conclusion
from orgs.reports.services import accept_report, return_report
from tests.factories.accounts import UserFactory
from tests.factories.credit import at, officer
from tests.factories.orgs import OrganizationFactory, submitted_report

S = ApplicationState


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def offer(title, **values):
    """A published resource-pool offer open today (a venue unless told), with ``values`` on top."""
    values.setdefault("kind", OfferKind.VENUE)
    values.setdefault("provider_name", "朝阳区社会组织服务中心")
    values.setdefault("description", "提供办公场地。")
    values.setdefault("opens_on", today() - days(5))
    values.setdefault("deadline", today() + days(30))
    values.setdefault("published", True)
    return Offer.objects.create(title=title, **values)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    """A published programme open today, with no criteria beyond the defaults (registered and
    in good standing, on neither credit list)."""

    class Meta:
        model = Programme
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"测试孵化项目{n}")
    kind = ProgrammeKind.COHORT
    summary = "为初创社会组织提供办公场地、导师辅导和能力建设培训。"
    capacity = 5
    opens_on = factory.LazyFunction(lambda: today() - days(10))
    closes_on = factory.LazyFunction(lambda: today() + days(20))
    mentoring_hours = 40
    training_hours = 24
    panel_min_reviewers = 2
    published = True

    @factory.post_generation
    def with_rubric(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        for order, (title, weight, max_score) in enumerate(kwargs.get("lines", DEFAULT_RUBRIC), start=1):
            RubricItem.objects.create(
                programme=obj, order=order, title=title, weight=weight, max_score=max_score
            )


DEFAULT_RUBRIC = (("服务需求与项目方案", 60, 10), ("团队与内部治理", 40, 10))


def reviewer():
    """A bureau officer who may score applications (the social-organisation section)."""
    return officer()


def score(application, user=None, points=8, **fields):
    """``user`` (a new reviewer by default) scores every rubric line of ``application`` with
    ``points`` (or declares a conflict with ``conflict=True, conflict_note=…``)."""
    user = user or reviewer()
    if fields.get("conflict"):
        return panel.submit_review(application, user, **fields)
    scores = {item.pk: points for item in panel.rubric(application.programme)}
    return panel.submit_review(application, user, conflict=False, scores=scores, **fields)


def fill_panel(application, points=8):
    """Complete ``application``'s panel: as many new reviewers as its programme still needs."""
    result = panel.panel_result(application)
    for _n in range(result.missing):
        score(application, points=points)


def set_criteria(programme, **values):
    """Change a programme's criteria after the fact (e.g. once the applications a test needs,
    which the new criteria would refuse, are in), as the bureau may edit a programme."""
    Programme.objects.filter(pk=programme.pk).update(**values)
    programme.refresh_from_db()
    return programme


def criteria(**values):
    """An unsaved programme holding only the criteria a unit test is about: the two listing
    criteria, on by default, are off unless named."""
    values.setdefault("no_abnormal_listing", False)
    values.setdefault("no_serious_listing", False)
    return ProgrammeFactory.build(**values)


def member(organization=None, user=None):
    """A user who is an admin of ``organization`` (a new one by default)."""
    organization = organization or OrganizationFactory()
    user = user or UserFactory()
    Membership.objects.create(user=user, organization=organization, role=MemberRole.ADMIN)
    return user


def apply(
    programme, organization, user=None, statement="我们为社区老人提供助餐和陪伴服务，希望获得场地和导师支持。"
):
    """An application filed through the service by a member of ``organization``."""
    if user is None:
        membership = organization.memberships.select_related("user").first()
        user = membership.user if membership else member(organization)
    return applications.submit(programme, organization, user=user, statement=statement)


def _path(target):
    """The shortest chain of moves from "submitted" to ``target`` in the transition table."""
    queue, seen = collections.deque([(S.SUBMITTED, [])]), {S.SUBMITTED}
    while queue:
        state, moves = queue.popleft()
        if state == target:
            return moves
        for (source, to), _action in TRANSITIONS.items():
            if source == state and to not in seen:
                seen.add(to)
                queue.append((to, [*moves, to]))
    raise ValueError(target)


def move(application, target, user=None, reason="理由：测试"):
    """One real move: the applicant's withdrawal, or the bureau's decision."""
    if TRANSITIONS.get((application.state, target)) == "withdraw":
        membership = application.organization.memberships.select_related("user").first()
        return applications.withdraw(application, user=membership.user if membership else user, reason=reason)
    if (application.state, TRANSITIONS.get((application.state, target))) in PANEL_DECISIONS:
        fill_panel(application)
    return applications.decide(application, target, user=user or officer(), reason=reason)


def application_in(state, programme=None, organization=None, user=None):
    """An application brought to ``state`` through the real moves (submit, then the shortest
    legal chain of decisions)."""
    programme = programme or ProgrammeFactory()
    organization = organization or OrganizationFactory()
    application = apply(programme, organization)
    bureau = user or officer()
    for target in _path(state):
        application = move(application, target, user=bureau)
    application = Application.objects.get(pk=application.pk)
    assert application.state == state
    return application


# --- Annual reports and ratings the criteria read ----------------------------------------------


def report(organization, year, *, status="accepted", conclusion=Conclusion.QUALIFIED, on=None, **figures):
    """``organization``'s report for ``year`` in ``status`` (draft, submitted, returned or
    accepted); an accepted one is accepted on ``on`` (default: today)."""
    from tests.factories.orgs import make_report

    if status == "draft":
        return make_report(organization, year, **figures)
    user = UserFactory()
    filed, _submission = submitted_report(organization, year, user=user, **figures)
    if status == "returned":
        return_report(filed, reasons="财务报表缺少附注，请补正。", user=officer())
    elif status == "accepted":
        with freeze_time(at(on or today())):
            accept_report(filed, conclusion=conclusion, user=officer())
    filed.refresh_from_db()
    return filed


def rated(organization, *, score, rated_on):
    """A rating recorded through S7's service (the organisation must be eligible for it)."""
    return credit.rate(
        organization,
        score=score,
        evaluating_body="北京市社会组织评估委员会",
        rated_on=rated_on,
        user=officer(),
        document_number=f"京社评〔{rated_on.year}〕{organization.pk}号",
    )


# --- Founding groups (筹备中) -----------------------------------------------------------------------


def founder_account(real_name="张建国", **fields):
    """A real-name verified account whose number was proven by SMS (as every signed-up one)."""
    return UserFactory(real_name=real_name, real_name_verified_at=timezone.now(), **fields)


def founding_group(user=None, **fields):
    """A founding group filed through the service by ``user`` (a new verified account)."""
    user = user or founder_account()
    values = {
        "planned_name": "北京市朝阳区邻里守望互助中心",
        "planned_type": "social_service",
        "planned_district": "110105",  # 朝阳区
        "planned_field": "community",
        "purpose": "组织社区志愿者为独居老人提供探访和助餐服务。",
        "founders": [
            {"name": user.real_name, "role": "发起人代表"},
            {"name": "李秀英", "role": "财务负责人"},
            {"name": "王志强", "role": "志愿者负责人"},
        ],
    }
    values.update(fields)
    return applications.create_founding_group(user, **values)
