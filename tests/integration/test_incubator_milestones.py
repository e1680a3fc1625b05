"""Milestones during incubation (issue 16): evidence checked by content when uploaded and by its
hash when served, accepted or returned by the bureau, private to the organisation; graduation
(出壳) only once every milestone is accepted."""

import hashlib
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from accounts.groups import SOCIAL_ORG_SECTION
from orgs.incubator.models import ApplicationState, EvidenceState, Milestone, MilestoneEvidence
from orgs.incubator.services.applications import decide
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.incubator import ProgrammeFactory, application_in, member
from tests.factories.orgs import OrganizationFactory, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private(settings, tmp_path):
    settings.PRIVATE_ROOT = str(tmp_path / "private")


@pytest.fixture
def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    return user


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


@pytest.fixture
def incubating():
    programme = ProgrammeFactory()
    Milestone.objects.create(programme=programme, order=1, title="完成内部治理制度", due_months=3)
    Milestone.objects.create(programme=programme, order=2, title="完成第一个服务项目", due_months=9)
    organization = OrganizationFactory()
    user = member(organization)
    application = application_in(ApplicationState.INCUBATING, programme=programme, organization=organization)
    return application, user


def post_evidence(client, application, milestone, filename, data, summary="已完成。"):
    url = (
        f"/workbench/incubator/{application.organization.uscc}/applications/"
        f"{application.pk}/milestones/{milestone.pk}/"
    )
    prefix = f"m{milestone.pk}"
    return client.post(
        url, {f"{prefix}-summary": summary, f"{prefix}-file": upload(filename, data)}, follow=True
    )


def test_evidence_is_checked_by_content_and_hashed(incubating):
    application, user = incubating
    first = application.programme.milestones.get(order=1)
    client = login(user)
    response = post_evidence(client, application, first, "制度.pdf", b"<html>not a pdf</html>")
    assert "该文件扩展名为 .pdf，但内容不是有效的 PDF 文件。" in response.content.decode()
    assert not MilestoneEvidence.objects.exists()
    data = pdf_bytes("内部治理制度")
    post_evidence(client, application, first, "制度.pdf", data)
    evidence = MilestoneEvidence.objects.get()
    assert evidence.state == EvidenceState.SUBMITTED
    assert evidence.file_sha256 == hashlib.sha256(data).hexdigest()
    page = client.get(application.get_absolute_url()).content.decode()
    assert "证明待确认" in page


def test_graduation_needs_every_milestone_accepted(incubating, officer):
    application, user = incubating
    with pytest.raises(ValidationError, match="完成内部治理制度、完成第一个服务项目"):
        decide(application, ApplicationState.GRADUATED, user=officer)
    client, bureau = login(user), login(officer)
    review = f"/admin/incubator/applications/edit/{application.pk}/"
    for milestone in application.programme.milestones.all():
        post_evidence(client, application, milestone, "证明.pdf", pdf_bytes(milestone.title))
        evidence = MilestoneEvidence.objects.get(milestone=milestone)
        response = bureau.post(
            review, {"action": "evidence", "evidence": evidence.pk, "decision": "return", "note": ""}
        )
        assert response.status_code == 400  # a return needs its note
        bureau.post(review, {"action": "evidence", "evidence": evidence.pk, "decision": "accept"})
        evidence.refresh_from_db()
        assert evidence.state == EvidenceState.ACCEPTED
    decide(application, ApplicationState.GRADUATED, user=officer)
    application.refresh_from_db()
    assert application.state == ApplicationState.GRADUATED and application.ended_on is not None


def test_returned_evidence_can_be_submitted_again_and_shows_the_note(incubating, officer):
    application, user = incubating
    first = application.programme.milestones.get(order=1)
    client = login(user)
    post_evidence(client, application, first, "证明.pdf", pdf_bytes("第一次"))
    evidence = MilestoneEvidence.objects.get()
    login(officer).post(
        f"/admin/incubator/applications/edit/{application.pk}/",
        {"action": "evidence", "evidence": evidence.pk, "decision": "return", "note": "缺少理事会决议。"},
    )
    page = client.get(application.get_absolute_url()).content.decode()
    assert "缺少理事会决议。" in page
    post_evidence(client, application, first, "证明.pdf", pdf_bytes("第二次"))
    assert MilestoneEvidence.objects.filter(milestone=first).count() == 2


def test_evidence_is_served_only_to_its_organisation_and_only_while_intact(incubating, officer):
    application, user = incubating
    first = application.programme.milestones.get(order=1)
    client = login(user)
    data = pdf_bytes("制度")
    post_evidence(client, application, first, "制度.pdf", data)
    evidence = MilestoneEvidence.objects.get()
    url = f"/workbench/incubator/{application.organization.uscc}/evidence/{evidence.pk}/"
    assert b"".join(client.get(url).streaming_content) == data
    other = OrganizationFactory()
    stranger = login(member(other))
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/workbench/incubator/{other.uscc}/evidence/{evidence.pk}/").status_code == 404
    path = Path(evidence.file.path)
    altered = bytearray(path.read_bytes())
    altered[len(altered) // 2] ^= 0x01
    path.write_bytes(bytes(altered))
    assert client.get(url).status_code == 409
    assert login(officer).get(f"/admin/incubator/applications/evidence/{evidence.pk}/").status_code == 409


def test_evidence_only_while_incubating(incubating):
    application, user = incubating
    first = application.programme.milestones.get(order=1)
    admitted = application_in(ApplicationState.ADMITTED, programme=application.programme)
    client = login(member(admitted.organization))
    post_evidence(client, admitted, first, "证明.pdf", pdf_bytes("太早"))
    assert not MilestoneEvidence.objects.filter(application=admitted).exists()


def test_overdue_milestones_and_decisions_raise_early_warnings(incubating):
    import datetime

    from django.utils import timezone

    from core.dates import add_months
    from orgs.incubator.models import Application
    from orgs.incubator.warnings import decision_overdue, milestone_overdue

    application, _user = incubating
    today = timezone.localdate()
    started = today - datetime.timedelta(days=130)
    Application.objects.filter(pk=application.pk).update(started_on=started)
    (warning,) = list(milestone_overdue(today))
    assert warning.organisation_uscc == application.organization.uscc
    assert warning.deadline == add_months(started, 3)
    assert "完成内部治理制度" in warning.reason
    assert list(milestone_overdue(add_months(started, 3))) == []  # due that day: not yet late

    waiting = application_in(ApplicationState.SCREENING, programme=application.programme)
    assert list(decision_overdue(waiting.decision_due)) == []
    (late,) = list(decision_overdue(waiting.decision_due + datetime.timedelta(days=1)))
    assert late.subject == waiting and "初审中" in late.reason


def test_a_refused_upload_keeps_the_typed_summary_and_names_the_problem(incubating):
    application, user = incubating
    first = application.programme.milestones.get(order=1)
    url = (
        f"/workbench/incubator/{application.organization.uscc}/applications/"
        f"{application.pk}/milestones/{first.pk}/"
    )
    response = login(user).post(
        url,
        {
            f"m{first.pk}-summary": "理事会已通过三项制度。",
            f"m{first.pk}-file": upload("制度.pdf", b"%PDF-fake"),
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "理事会已通过三项制度。" in html
    assert "该文件扩展名为 .pdf，但内容不是有效的 PDF 文件。" in html
    assert not MilestoneEvidence.objects.exists()
