"""The bureau's review of incubator applications in the admin (issue 16, I1): the queue opens
on the open applications with their working-day deadline; the review page shows each criterion
as checked at submission and now, with what changed; only the moves the transition table
allows are offered; a reason is required where the applicant must be told one; an organisation
that is no longer eligible can't be admitted."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.groups import SOCIAL_ORG_SECTION
from core.dates import add_working_days
from core.statemachine import TRANSITION_ACTION
from orgs.credit.models import ListReason, ListType
from orgs.credit.services import list_organization
from orgs.incubator.models import Application, ApplicationState, Programme, ProgrammeKind, RubricItem
from orgs.incubator.services.applications import decide, submit
from orgs.registry.models import District, ServiceField
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.incubator import fill_panel
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

QUEUE = "/admin/incubator/applications/"


def review_url(application):
    return f"{QUEUE}edit/{application.pk}/"


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
def programme():
    today = timezone.localdate()
    programme = Programme.objects.create(
        title="朝阳区养老服务组织孵化计划",
        kind=ProgrammeKind.COHORT,
        summary="为新成立的养老服务组织提供场地和辅导。",
        capacity=1,
        opens_on=today - datetime.timedelta(days=10),
        closes_on=today + datetime.timedelta(days=20),
        districts=[District.CHAOYANG],
        service_fields=[ServiceField.ELDERLY],
        panel_min_reviewers=2,
        published=True,
    )
    RubricItem.objects.create(programme=programme, order=1, title="服务需求与项目方案", weight=60)
    RubricItem.objects.create(programme=programme, order=2, title="团队与内部治理", weight=40)
    return programme


def _applicant(name):
    today = timezone.localdate()
    return OrganizationFactory(
        name=name,
        district=District.CHAOYANG,
        service_field=ServiceField.ELDERLY,
        registered_on=today - datetime.timedelta(days=400),
    )


@pytest.fixture
def application(programme):
    organization = _applicant("朝阳区银龄互助社（测试）")
    return submit(programme, organization, user=UserFactory(), statement="希望获得场地和导师辅导。")


def test_i1_queue_opens_on_open_applications_with_their_working_day_deadline(officer, application):
    response = login(officer).get(QUEUE)
    assert response.status_code == 200
    html = response.content.decode()
    assert "朝阳区银龄互助社（测试）" in html
    assert application.decision_due == add_working_days(timezone.localdate(), 15)
    assert "剩余 15 个工作日" in html


def test_queue_and_review_are_refused_to_staff_outside_the_section(application):
    client = login(UserFactory(is_staff=True))
    assert client.get(QUEUE).status_code in (302, 403)
    response = client.post(review_url(application), {"target": ApplicationState.SCREENING})
    assert response.status_code in (302, 403)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_review_offers_only_the_moves_of_the_transition_table(officer, application):
    html = login(officer).get(review_url(application)).content.decode()
    assert 'value="screening"' in html
    assert 'value="rejected"' in html
    assert 'value="admitted"' not in html  # admission comes after screening
    assert 'value="withdrawn"' not in html  # the applicant's move, never the bureau's


def test_i1_a_move_outside_the_table_is_refused(officer, application):
    response = login(officer).post(review_url(application), {"target": ApplicationState.GRADUATED})
    assert response.status_code == 400
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_screening_moves_the_application_and_audits_it(officer, application):
    response = login(officer).post(review_url(application), {"target": ApplicationState.SCREENING})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.SCREENING
    assert application.review_eligibility  # the check re-run at review time is stored
    entry = ModelLogEntry.objects.filter(object_id=str(application.pk), action=TRANSITION_ACTION).get()
    assert entry.data["from"] == ApplicationState.SUBMITTED
    assert entry.data["to"] == ApplicationState.SCREENING
    assert entry.user_id == officer.pk


def test_i1_rejection_needs_the_reason_the_applicant_will_read(officer, application):
    client = login(officer)
    response = client.post(review_url(application), {"target": ApplicationState.REJECTED, "reason": ""})
    assert response.status_code == 400
    assert "请填写理由" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED

    client.post(
        review_url(application), {"target": ApplicationState.REJECTED, "reason": "服务领域与本期重点不符。"}
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.REJECTED
    assert application.decision_reason == "服务领域与本期重点不符。"


def test_i1_review_shows_what_changed_and_refuses_to_admit_an_organisation_now_listed(officer, application):
    decide(application, ApplicationState.SCREENING, user=officer)
    decide(application, ApplicationState.SCORING, user=officer)
    fill_panel(application)
    listed_on = timezone.localdate()
    list_organization(
        application.organization,
        list_type=ListType.ABNORMAL,
        reason=ListReason.UNREACHABLE,
        listed_on=listed_on,
        document_number="京民社异〔测试〕1号",
        user=officer,
    )
    client = login(officer)
    html = client.get(review_url(application)).content.decode()
    assert "data-eligibility-changes" in html
    assert f"自{listed_on.isoformat()}起被列入活动异常名录" in html

    response = client.post(review_url(application), {"target": ApplicationState.ADMITTED})
    assert response.status_code == 400
    assert "不符合条件：未被列入活动异常名录" in response.content.decode()
    application.refresh_from_db()
    assert application.state == ApplicationState.SCORING


def test_i1_admission_stops_at_the_programme_capacity(officer, programme, application):
    other = submit(
        programme, _applicant("朝阳区夕阳红服务中心（测试）"), user=UserFactory(), statement="申请。"
    )
    for item in (application, other):
        decide(item, ApplicationState.SCREENING, user=officer)
        decide(item, ApplicationState.SCORING, user=officer)
        fill_panel(item)
    decide(application, ApplicationState.ADMITTED, user=officer)
    response = login(officer).post(review_url(other), {"target": ApplicationState.ADMITTED})
    assert response.status_code == 400
    assert "名额已满" in response.content.decode()
    assert Application.objects.filter(programme=programme, state=ApplicationState.ADMITTED).count() == 1


def test_programme_admin_edits_criteria_as_checkboxes_and_checks_them(officer, programme):
    client = login(officer)
    url = f"/admin/incubator/programmes/edit/{programme.pk}/"
    html = client.get(url).content.decode()
    assert 'type="checkbox" name="service_fields" value="elderly"' in html
    data = {
        "title": programme.title,
        "kind": programme.kind,
        "summary": programme.summary,
        "capacity": "3",
        "opens_on": programme.opens_on.isoformat(),
        "closes_on": (programme.opens_on - datetime.timedelta(days=1)).isoformat(),
        "incubation_months": "12",
        "mentoring_hours": "0",
        "training_hours": "0",
        "panel_min_reviewers": "3",
        "admission_min_score": "60",
        "accepted_report_years": "1",
        "service_fields": ["elderly", "disability"],
        "no_abnormal_listing": "on",
        "no_serious_listing": "on",
        "published": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "申请截止日期不能早于开始日期" in response.content.decode()
    data["closes_on"] = (programme.opens_on + datetime.timedelta(days=30)).isoformat()
    response = client.post(url, data)
    assert response.status_code == 302
    programme.refresh_from_db()
    assert programme.service_fields == ["elderly", "disability"]
    assert (programme.panel_min_reviewers, programme.admission_min_score) == (3, Decimal("60.00"))
    assert programme.accepted_report_years == 1
    assert programme.capacity == 3
