"""Every (from, to) pair of the resource pool's application table and of the milestone
evidence table, on real rows: a legal pair moves through its service (award, decline,
withdraw; accept, return) and is audited, an illegal one raises ``IllegalTransition`` and
leaves the row as it was."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from orgs.incubator.models import (
    OFFER_TRANSITIONS,
    EvidenceState,
    Milestone,
    MilestoneEvidence,
    Offer,
    OfferApplication,
    OfferApplicationState,
    OfferKind,
)
from orgs.incubator.services.milestones import review_evidence
from orgs.incubator.services.offers import apply_to_offer, award, decline, withdraw_offer_application
from tests.factories.accounts import UserFactory
from tests.factories.credit import officer
from tests.factories.incubator import ProgrammeFactory, application_in, member
from tests.factories.orgs import OrganizationFactory, pdf_bytes, upload

pytestmark = pytest.mark.django_db

OS = OfferApplicationState


def test_the_tables_are_exactly_the_expected_ones():
    assert set(OFFER_TRANSITIONS) == {
        (OS.SUBMITTED, OS.AWARDED),
        (OS.SUBMITTED, OS.DECLINED),
        (OS.SUBMITTED, OS.WITHDRAWN),
    }
    assert set(MilestoneEvidence.TRANSITIONS) == {
        (EvidenceState.SUBMITTED, EvidenceState.ACCEPTED),
        (EvidenceState.SUBMITTED, EvidenceState.RETURNED),
    }


def _offer_application():
    today = timezone.localdate()
    offer = Offer.objects.create(
        kind=OfferKind.PRO_BONO,
        title="公益法律服务",
        provider_name="北京某律师事务所",
        description="合同审查。",
        opens_on=today - datetime.timedelta(days=1),
        deadline=today + datetime.timedelta(days=10),
        published=True,
    )
    organization = OrganizationFactory()
    return apply_to_offer(offer, organization, user=member(organization), statement="申请法律服务。")


def _move_offer_application(application, target):
    today = timezone.localdate()
    if target == OS.AWARDED:
        award(
            application,
            amount=Decimal("0"),
            starts_on=today,
            ends_on=today,
            deliverables="合同审查一次",
            document_number="PB-1",
            user=officer(),
        )
    elif target == OS.DECLINED:
        decline(application, user=officer(), reason="名额已满")
    else:
        withdraw_offer_application(application, user=application.submitted_by)


@pytest.mark.parametrize(("source", "target"), list(itertools.permutations(OS.values, 2)))
def test_every_offer_application_move(source, target):
    application = _offer_application()
    OfferApplication.objects.filter(pk=application.pk).update(state=source)
    application.refresh_from_db()
    if (source, target) in OFFER_TRANSITIONS:
        _move_offer_application(application, target)
        assert OfferApplication.objects.get(pk=application.pk).state == target
        entry = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(application.pk)).latest(
            "pk"
        )
        assert (entry.data["from"], entry.data["to"]) == (source, target)
    else:
        with pytest.raises(IllegalTransition):
            transition(application, target, user=UserFactory(), field="state")
        assert OfferApplication.objects.get(pk=application.pk).state == source


def _evidence(settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path)
    programme = ProgrammeFactory()
    milestone = Milestone.objects.create(programme=programme, order=1, title="制度建设", due_months=3)
    application = application_in("incubating", programme=programme)
    return MilestoneEvidence.objects.create(
        application=application,
        milestone=milestone,
        summary="已完成",
        file=upload("证明.pdf", pdf_bytes()),
        submitted_by=UserFactory(),
    )


@pytest.mark.parametrize(("source", "target"), list(itertools.permutations(EvidenceState.values, 2)))
def test_every_evidence_move(source, target, settings, tmp_path):
    evidence = _evidence(settings, tmp_path)
    MilestoneEvidence.objects.filter(pk=evidence.pk).update(state=source)
    evidence.refresh_from_db()
    if (source, target) in MilestoneEvidence.TRANSITIONS:
        review_evidence(evidence, accept=target == EvidenceState.ACCEPTED, user=officer(), note="意见")
        assert MilestoneEvidence.objects.get(pk=evidence.pk).state == target
    else:
        with pytest.raises(IllegalTransition):
            transition(evidence, target, user=UserFactory(), field="state")
        assert MilestoneEvidence.objects.get(pk=evidence.pk).state == source
