"""Founding groups (筹备中, issue 16 point 2): a group not yet registered applies with a
real-name account, its founders and its planned name and field; its eligibility is computed and
explained from what it plans, the registry and its applicant's affiliations (I1); its path ends
in registration, tracked as its first milestone, after which its application belongs to the
registered organisation."""

import datetime

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.dates import add_months
from orgs.credit.models import ListReason, ListType
from orgs.incubator.models import Application, ApplicationState, FoundingGroup
from orgs.incubator.services import applications as services
from orgs.incubator.services.applications import NotEligible
from orgs.incubator.services.founding_eligibility import evaluate_group
from orgs.incubator.services.outcomes import by_district
from orgs.incubator.warnings import milestone_overdue
from orgs.registry.models import District, OrgStatus, OrgType, ServiceField
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_home_page
from tests.factories.credit import make_listing, officer
from tests.factories.incubator import (
    ProgrammeFactory,
    fill_panel,
    founder_account,
    founding_group,
    member,
    reviewer,
    score,
)
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db
S = ApplicationState


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.PAGE_CACHE_ENABLED = False
    make_home_page()


def today():
    return timezone.localdate()


def login(user):
    client = Client()
    client.force_login(user)
    return client


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def open_to_groups(**criteria):
    """A programme that accepts founding groups (no registration-history criteria unless told)."""
    return ProgrammeFactory(accepts_founding_groups=True, **criteria)


def by_code(eligibility):
    return {r.code: r for r in eligibility.results}


def admitted_and_incubating(programme, group):
    bureau = officer()
    application = services.submit_founding(programme, group, user=group.applicant, statement="申请入孵。")
    services.decide(application, S.SCREENING, user=bureau)
    services.decide(application, S.SCORING, user=bureau)
    fill_panel(application)
    services.decide(application, S.ADMITTED, user=bureau)
    services.decide(application, S.INCUBATING, user=bureau)
    return Application.objects.get(pk=application.pk), bureau


# --- Who may file a founding group ---------------------------------------------------------------


def test_only_a_real_name_account_with_a_verified_number_files_a_founding_group():
    with pytest.raises(PermissionDenied):
        founding_group(UserFactory(real_name="张建国"))  # real name typed, never verified
    with pytest.raises(PermissionDenied):
        founding_group(founder_account(mobile_verified_at=None))
    assert not FoundingGroup.objects.exists()
    group = founding_group()
    assert group.founders[0] == {"name": "张建国", "role": "发起人代表"}


def test_founders_at_least_the_setting_no_one_twice_and_the_applicant_among_them(settings):
    settings.INCUBATOR_FOUNDING_MIN_FOUNDERS = 3
    user = founder_account()
    with pytest.raises(ValidationError) as refused:
        founding_group(user, founders="张建国，发起人代表\n李秀英，财务")
    assert refused.value.message_dict["founders"] == [
        "请列出至少 3 位发起人，每行一位：姓名，在筹备中的职务。"
    ]
    with pytest.raises(ValidationError) as refused:
        founding_group(user, founders="张建国，发起人代表\n李秀英\n李秀英，财务")
    assert refused.value.message_dict["founders"] == ["同一位发起人不能重复列出。"]
    with pytest.raises(ValidationError) as refused:
        founding_group(user, founders="赵一\n钱二\n孙三")
    assert refused.value.message_dict["founders"] == ["申请人本人（张建国）须是发起人之一。"]
    group = founding_group(user, founders="张建国，发起人代表\n李秀英, 财务\n\n王志强")
    assert group.founders == [
        {"name": "张建国", "role": "发起人代表"},
        {"name": "李秀英", "role": "财务"},
        {"name": "王志强", "role": ""},
    ]


def test_the_form_page_refuses_an_unverified_account_and_keeps_what_was_typed_on_errors():
    assert login(UserFactory()).get(reverse("incubator:founding_new")).status_code == 403
    client = login(founder_account())
    response = client.post(
        reverse("incubator:founding_new"),
        {
            "planned_name": "北京市朝阳区邻里守望互助中心",
            "planned_type": OrgType.SOCIAL_SERVICE,
            "planned_district": District.CHAOYANG,
            "planned_field": ServiceField.COMMUNITY,
            "purpose": "社区探访。",
            "founders": "张建国，发起人代表",
        },
    )
    assert response.status_code == 400
    page = soup(response)
    assert "请列出至少 3 位发起人" in page.get_text()
    assert page.select_one("#id_planned_name")["value"] == "北京市朝阳区邻里守望互助中心"
    assert not FoundingGroup.objects.exists()


# --- I1 for founding groups ------------------------------------------------------------------------


def test_i1_a_programme_for_registered_organisations_refuses_founding_groups_and_says_why():
    results = by_code(evaluate_group(ProgrammeFactory(), founding_group()))
    founding = results["founding"]
    assert not founding.passed
    assert founding.fact == "北京市朝阳区邻里守望互助中心：筹备中，尚未登记成立"
    assert founding.fix.startswith("本项目只接受已登记的社会组织")
    assert founding.source == "founding"


def test_i1_planned_type_district_and_field_are_checked_against_the_lists():
    programme = open_to_groups(
        org_types=[OrgType.SOCIAL_GROUP],
        districts=[District.HAIDIAN],
        service_fields=[ServiceField.COMMUNITY],
    )
    results = by_code(evaluate_group(programme, founding_group()))
    assert (results["org_type"].passed, results["org_type"].fact) == (False, "拟登记的组织类型：社会服务机构")
    assert (results["district"].passed, results["district"].fact) == (False, "拟设住所所在区：朝阳区")
    assert (results["service_field"].passed, results["service_field"].fact) == (
        True,
        "拟从事的服务领域：社区服务",
    )
    assert results["district"].fix == "本项目只面向住所在上述区的组织，请选择其他项目。"


def test_i1_a_planned_name_already_registered_fails_and_a_free_one_passes():
    programme = open_to_groups()
    group = founding_group()
    assert by_code(evaluate_group(programme, group))["name"].passed
    OrganizationFactory(name="北京市朝阳区邻里守望互助中心")
    name = by_code(evaluate_group(programme, group))["name"]
    assert (name.passed, name.fact, name.source) == (
        False,
        "“北京市朝阳区邻里守望互助中心”已被已登记的社会组织使用",
        "registry",
    )


def test_i1_criteria_that_need_a_registered_history_fail_with_how_to_meet_them():
    programme = open_to_groups(
        min_months_registered=12,
        max_months_registered=36,
        accepted_report_years=1,
        min_rating=3,
        c3_within_limits=True,
    )
    results = by_code(evaluate_group(programme, founding_group()))
    assert not results["min_age"].passed
    assert results["min_age"].fix == "本项目面向成立满1 年的组织，登记成立满1 年后可申请。"
    assert results["max_age"].passed
    assert (results["reports"].passed, results["reports"].fact) == (False, "筹备中，尚无年度报告")
    assert (results["rating"].passed, results["rating"].fact) == (False, "筹备中，尚无评估等级")
    assert results["c3"].passed


def test_i1_the_applicant_s_organisation_on_the_serious_list_makes_the_group_ineligible():
    user = founder_account()
    listed = OrganizationFactory(name="北京某某协会（测试）")
    member(listed, user)
    group = founding_group(user)
    programme = open_to_groups()
    assert by_code(evaluate_group(programme, group))["no_serious"].passed
    make_listing(listed, listed_on=today(), list_type=ListType.SERIOUS, reason=ListReason.FRAUDULENT_CHANGE)
    serious = by_code(evaluate_group(programme, group))["no_serious"]
    assert not serious.passed
    assert serious.fact.startswith(
        f"申请人所在的北京某某协会（测试）自{today().isoformat()}起被列入严重违法失信名单"
    )


# --- Submitting ----------------------------------------------------------------------------------


def test_i1_an_ineligible_group_is_refused_even_by_direct_post_and_nothing_is_created():
    group = founding_group()
    programme = ProgrammeFactory()  # registered organisations only
    with pytest.raises(NotEligible):
        services.submit_founding(programme, group, user=group.applicant, statement="申请。")
    response = login(group.applicant).post(
        reverse("incubator:founding_apply", args=[group.pk, programme.pk]), {"statement": "申请。"}
    )
    assert response.status_code == 400
    assert "不符合条件：接受筹备中的组织申请" in response.content.decode()
    assert not Application.objects.exists()


def test_an_eligible_group_applies_through_its_page_and_reads_its_application():
    group = founding_group()
    programme = open_to_groups(districts=[District.CHAOYANG])
    client = login(group.applicant)
    response = client.post(
        reverse("incubator:founding_apply", args=[group.pk, programme.pk]), {"statement": "申请入孵。"}
    )
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert (application.organization, application.founding_group, application.state) == (
        None,
        group,
        S.SUBMITTED,
    )
    assert {row["code"] for row in application.eligibility} >= {"founding", "name", "district"}
    page = soup(client.get(application.get_absolute_url()))
    assert page.select_one("[data-state]")["data-state"] == "submitted"
    assert page.select_one('[data-milestone="registration"]')["data-done"] == "0"
    # The group's page lists the application, and no longer offers to apply to that programme.
    home = soup(client.get(reverse("incubator:founding_home")))
    assert [a["href"] for a in home.select("[data-applications] a")] == [application.get_absolute_url()]
    assert not home.find("a", href=reverse("incubator:founding_apply", args=[group.pk, programme.pk]))
    # A second application of the same group to the same programme is refused.
    with pytest.raises(ValidationError):
        services.submit_founding(programme, group, user=group.applicant, statement="再申请。")


def test_only_the_groups_applicant_applies_and_reads_it():
    group = founding_group()
    programme = open_to_groups()
    stranger = founder_account(real_name="陈某")
    with pytest.raises(PermissionDenied):
        services.submit_founding(programme, group, user=stranger, statement="申请。")
    assert (
        login(stranger).get(reverse("incubator:founding_apply", args=[group.pk, programme.pk])).status_code
        == 404
    )
    application = services.submit_founding(programme, group, user=group.applicant, statement="申请。")
    assert login(stranger).get(application.get_absolute_url()).status_code == 404
    assert login(stranger).post(application.get_absolute_url(), {"action": "withdraw"}).status_code == 404
    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED
    response = login(group.applicant).post(
        application.get_absolute_url(), {"action": "withdraw", "reason": ""}
    )
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).state == S.WITHDRAWN


def test_a_founder_on_the_panel_must_declare_the_conflict():
    group = founding_group()
    application = services.submit_founding(open_to_groups(), group, user=group.applicant, statement="申请。")
    bureau = officer()
    services.decide(application, S.SCREENING, user=bureau)
    services.decide(application, S.SCORING, user=bureau)
    founder_reviewer = reviewer()
    founder_reviewer.real_name, founder_reviewer.real_name_verified_at = "李秀英", timezone.now()
    founder_reviewer.save()
    with pytest.raises(ValidationError) as refused:
        score(application, founder_reviewer)
    assert "您是筹备中组织“北京市朝阳区邻里守望互助中心”的申请人或发起人。" in refused.value.messages[0]


# --- Registration: the first milestone -------------------------------------------------------------


def test_graduation_waits_for_registration_which_moves_the_application_to_the_organisation():
    group = founding_group()
    programme = open_to_groups()
    application, bureau = admitted_and_incubating(programme, group)
    with pytest.raises(ValidationError) as refused:
        services.decide(application, S.GRADUATED, user=bureau)
    assert refused.value.messages == ["以下里程碑尚未确认完成，不能出壳：登记成立"]

    registered = OrganizationFactory(name="北京市朝阳区邻里守望互助中心", registered_on=today())
    services.record_registration(group, registered, user=bureau)
    application.refresh_from_db()
    assert application.organization == registered
    assert application.applicant_name == "北京市朝阳区邻里守望互助中心"
    # The founders' page now sends them to the organisation's workbench, where its members work.
    response = login(group.applicant).get(reverse("incubator:founding_application", args=[application.pk]))
    assert response.status_code == 302
    assert response["Location"] == application.get_absolute_url()
    admin = member(registered)
    page = soup(login(admin).get(application.get_absolute_url()))
    assert page.select_one('[data-milestone="registration"]')["data-done"] == "1"
    services.decide(application, S.GRADUATED, user=bureau)
    assert Application.objects.get(pk=application.pk).state == S.GRADUATED


def test_registration_is_recorded_once_for_a_normal_organisation_registered_after_the_group():
    group = founding_group()
    bureau = officer()
    earlier = OrganizationFactory(registered_on=today() - datetime.timedelta(days=400))
    with pytest.raises(ValidationError) as refused:
        services.record_registration(group, earlier, user=bureau)
    assert "早于筹备信息的提交日期" in refused.value.messages[0]
    revoked = OrganizationFactory(registered_on=today(), status=OrgStatus.REVOKED)
    with pytest.raises(ValidationError):
        services.record_registration(group, revoked, user=bureau)
    registered = OrganizationFactory(registered_on=today())
    services.record_registration(group, registered, user=bureau)
    with pytest.raises(ValidationError) as refused:
        services.record_registration(group, OrganizationFactory(registered_on=today()), user=bureau)
    assert refused.value.messages == ["已记录该组织的登记信息，不能重复记录。"]
    other = founding_group(founder_account(real_name="周某"))
    with pytest.raises(ValidationError) as refused:
        services.record_registration(other, registered, user=bureau)
    assert refused.value.messages == ["该组织已被记录为另一个筹备中组织的登记结果。"]


def test_the_bureau_records_registration_from_the_review_page():
    group = founding_group()
    application, bureau = admitted_and_incubating(open_to_groups(), group)
    url = f"/admin/incubator/applications/edit/{application.pk}/"
    client = login(bureau)
    page = soup(client.get(url))
    assert "北京市朝阳区邻里守望互助中心（筹备中）" in page.select_one("[data-founding-group]").get_text()
    assert page.select_one("[data-registration-form]") is not None
    response = client.post(url, {"action": "registration", "uscc": "91110000000000000X"})
    assert response.status_code == 400
    assert "登记信息中没有该统一社会信用代码的组织。" in response.content.decode()
    registered = OrganizationFactory(registered_on=today())
    response = client.post(url, {"action": "registration", "uscc": registered.uscc.lower()})
    assert response.status_code == 302
    assert Application.objects.get(pk=application.pk).organization == registered
    # Staff outside the section cannot record it.
    other = founding_group(founder_account(real_name="周某"), planned_name="另一个筹备组织")
    pending, _bureau = admitted_and_incubating(open_to_groups(), other)
    response = login(UserFactory(is_staff=True)).post(
        f"/admin/incubator/applications/edit/{pending.pk}/",
        {"action": "registration", "uscc": OrganizationFactory(registered_on=today()).uscc},
    )
    assert response.status_code in (302, 403)
    assert Application.objects.get(pk=pending.pk).organization is None


def test_registration_overdue_raises_an_early_warning(settings):
    settings.INCUBATOR_FOUNDING_REGISTRATION_MONTHS = 6
    group = founding_group()
    application, bureau = admitted_and_incubating(open_to_groups(), group)
    due = add_months(application.started_on, 6)
    assert [w for w in milestone_overdue(due) if w.detail_key == "registration"] == []  # due that day
    (warning,) = [
        w for w in milestone_overdue(due + datetime.timedelta(days=1)) if w.detail_key == "registration"
    ]
    assert warning.deadline == due
    assert warning.subject_label == "北京市朝阳区邻里守望互助中心（筹备中） · 登记成立"
    services.record_registration(group, OrganizationFactory(registered_on=today()), user=bureau)
    assert [
        w for w in milestone_overdue(due + datetime.timedelta(days=1)) if w.detail_key == "registration"
    ] == []


def test_statistics_count_a_founding_group_under_its_planned_district():
    group = founding_group(planned_district=District.MIYUN)
    services.submit_founding(open_to_groups(), group, user=group.applicant, statement="申请。")
    miyun = next(t for t in by_district() if t.key == District.MIYUN)
    assert (miyun.applications, miyun.admitted) == (1, 0)
