"""The incubator (issue 16): submitting only when eligible (I1, also by a direct POST), the
review's transition table pair by pair on real rows, capacity and reasons, who may see which
workbench page, the public pages and their query counts.

The public page cache is off in this module: a save invalidates cached pages when its
transaction commits, which never happens inside a test's transaction, and the query-count
tests measure the views, not the cache (``tests/integration/test_page_cache.py`` covers it)."""

import datetime
import itertools

import pytest
from bs4 import BeautifulSoup
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.dates import add_working_days
from core.statemachine import TRANSITION_ACTION, IllegalTransition
from orgs.credit.models import Grade, ListType
from orgs.incubator.models import (
    APPLICANT_ACTIONS,
    PANEL_DECISIONS,
    REASON_REQUIRED,
    TRANSITIONS,
    Application,
    ApplicationState,
    ProgrammeKind,
)
from orgs.incubator.services import applications as services
from orgs.incubator.services.applications import NotEligible
from orgs.incubator.services.eligibility import changes, evaluate, requirements
from orgs.registry.models import District, OrgType, ServiceField
from tests.factories.cms import make_home_page
from tests.factories.credit import make_listing, officer
from tests.factories.incubator import (
    ProgrammeFactory,
    application_in,
    apply,
    fill_panel,
    member,
    move,
    set_criteria,
)
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db
S = ApplicationState
STATES = list(S.values)


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    settings.PAGE_CACHE_ENABLED = False
    make_home_page()


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


def login(user):
    client = Client()
    client.force_login(user)
    return client


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def squash(element):
    return " ".join(element.get_text(" ", strip=True).split())


def apply_url(organization, programme):
    return reverse("incubator_workbench:apply", args=[organization.uscc, programme.pk])


def home_url(organization):
    return reverse("incubator_workbench:home", args=[organization.uscc])


def audit(application, action=TRANSITION_ACTION):
    return ModelLogEntry.objects.filter(
        action=action, object_id=str(application.pk), content_type__model="application"
    ).order_by("timestamp", "pk")


@pytest.fixture
def staff():
    """An organisation in Chaoyang, social group, with one admin."""
    organization = OrganizationFactory(district=District.CHAOYANG, service_field=ServiceField.ELDERLY)
    return organization, member(organization)


# --- I1: only the eligible submit ----------------------------------------------------------------


def haidian_only(**values):
    return ProgrammeFactory(districts=[District.HAIDIAN], **values)


def test_i1_ineligible_organisation_sees_each_failure_with_its_fix_and_no_form(staff):
    organization, user = staff
    programme = haidian_only()
    listed_on = today() - days(12)
    make_listing(organization, listed_on=listed_on)
    response = login(user).get(apply_url(organization, programme))
    assert response.status_code == 200
    page = soup(response)
    failures = [squash(li) for li in page.select("[data-ineligible] li")]
    assert failures == [
        "住所位于海淀区：所在区：朝阳区 → 住所以登记为准；迁入本区须先办理住所变更登记。",
        f"未被列入活动异常名录：自{listed_on.isoformat()}起被列入活动异常名录（通过登记的住所无法与其取得联系）"
        " → 完成整改后申请移出活动异常名录（移出后即可申请）。",
    ]
    rows = {row["data-criterion"]: row["data-passed"] for row in page.select("[data-criterion]")}
    assert rows == {"status": "1", "district": "0", "no_abnormal": "0", "no_serious": "1"}
    abnormal = squash(page.select_one('[data-criterion="no_abnormal"]'))
    assert f"来源：社会组织信用信息，{listed_on.isoformat()}" in abnormal
    assert page.select_one("textarea[name=statement]") is None


def test_i1_direct_post_by_an_ineligible_organisation_is_refused_and_creates_nothing(staff):
    organization, user = staff
    programme = haidian_only()
    logs = ModelLogEntry.objects.count()
    response = login(user).post(apply_url(organization, programme), {"statement": "我们想参加孵化。"})
    assert response.status_code == 400
    assert not Application.objects.exists()
    assert ModelLogEntry.objects.count() == logs
    page = soup(response)
    assert [squash(li) for li in page.select("[data-ineligible] li")] == [
        "住所位于海淀区：所在区：朝阳区 → 住所以登记为准；迁入本区须先办理住所变更登记。"
    ]
    with pytest.raises(NotEligible) as refused:
        services.submit(programme, organization, user=user, statement="我们想参加孵化。")
    assert refused.value.messages == ["不符合条件：住所位于海淀区（所在区：朝阳区）"]
    assert [r.code for r in refused.value.eligibility.failures] == ["district"]
    assert not Application.objects.exists()


def test_i1_eligible_organisation_submits_and_its_eligibility_is_stored(staff):
    organization, user = staff
    programme = ProgrammeFactory(
        districts=[District.CHAOYANG, District.HAIDIAN],
        service_fields=[ServiceField.ELDERLY],
        org_types=[OrgType.SOCIAL_GROUP],
        min_months_registered=12,
    )
    client = login(user)
    page = soup(client.get(apply_url(organization, programme)))
    assert page.select_one("[data-ineligible]") is None
    assert page.select_one("textarea[name=statement]") is not None
    response = client.post(apply_url(organization, programme), {"statement": "  为社区老人提供助餐服务。  "})
    application = Application.objects.get()
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert (application.programme, application.organization, application.submitted_by) == (
        programme,
        organization,
        user,
    )
    assert (application.state, application.statement) == (S.SUBMITTED, "为社区老人提供助餐服务。")
    assert application.decision_due == add_working_days(
        today(), django_settings.INCUBATOR_DECISION_WORKING_DAYS
    )
    assert application.eligibility == evaluate(programme, organization).as_json()
    assert [(row["code"], row["passed"]) for row in application.eligibility] == [
        ("status", True),
        ("org_type", True),
        ("district", True),
        ("service_field", True),
        ("min_age", True),
        ("no_abnormal", True),
        ("no_serious", True),
    ]
    assert audit(application, "incubator.application_submitted").get().user == user
    # The applicant's page shows the check made at submission.
    shown = soup(client.get(application.get_absolute_url()))
    assert shown.select_one("[data-state]")["data-state"] == S.SUBMITTED
    assert [row["data-criterion"] for row in shown.select("[data-criterion]")] == [
        row["code"] for row in application.eligibility
    ]


def test_an_empty_statement_is_refused(staff):
    organization, user = staff
    programme = ProgrammeFactory()
    response = login(user).post(apply_url(organization, programme), {"statement": "   "})
    assert response.status_code == 400
    assert not Application.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.submit(programme, organization, user=user, statement="  ")
    assert refused.value.message_dict == {"statement": ["请填写申请说明。"]}


def test_a_second_application_to_the_same_programme_is_refused_until_the_first_is_withdrawn(staff):
    organization, user = staff
    programme = ProgrammeFactory()
    client = login(user)
    first = apply(programme, organization, user=user)
    response = client.post(apply_url(organization, programme), {"statement": "再申请一次。"})
    assert response.status_code == 400
    assert Application.objects.count() == 1
    page = soup(response)
    assert page.select_one("textarea[name=statement]") is None
    assert page.find("a", href=first.get_absolute_url()) is not None
    with pytest.raises(ValidationError) as refused:
        services.submit(programme, organization, user=user, statement="再申请一次。")
    assert refused.value.messages == ["本机构已申请过该项目，不能重复申请。"]

    services.withdraw(first, user=user, reason="材料准备不足")
    second = services.submit(programme, organization, user=user, statement="材料已补齐，重新申请。")
    assert second.pk != first.pk
    assert sorted(Application.objects.values_list("state", flat=True)) == [S.SUBMITTED, S.WITHDRAWN]


@pytest.mark.parametrize(
    ("opens", "closes"), [(-30, -1), (1, 30)], ids=["closed yesterday", "opens tomorrow"]
)
def test_a_programme_outside_its_application_period_refuses_submissions(staff, opens, closes):
    organization, user = staff
    programme = ProgrammeFactory(opens_on=today() + days(opens), closes_on=today() + days(closes))
    message = f"该项目的申请期为 {programme.opens_on.isoformat()} 至 {programme.closes_on.isoformat()}，当前不接受申请。"
    with pytest.raises(ValidationError) as refused:
        services.submit(programme, organization, user=user, statement="申请。")
    assert refused.value.messages == [message]
    response = login(user).post(apply_url(organization, programme), {"statement": "申请。"})
    assert response.status_code == 400
    assert message in squash(soup(response))
    assert not Application.objects.exists()


def test_the_last_day_of_the_application_period_still_takes_applications(staff):
    organization, user = staff
    programme = ProgrammeFactory(opens_on=today(), closes_on=today())
    assert services.submit(programme, organization, user=user, statement="申请。").state == S.SUBMITTED


def test_an_unpublished_programme_is_not_found_and_refuses_submissions(staff):
    organization, user = staff
    programme = ProgrammeFactory(published=False)
    client = login(user)
    assert client.get(apply_url(organization, programme)).status_code == 404
    assert client.post(apply_url(organization, programme), {"statement": "申请。"}).status_code == 404
    with pytest.raises(ValidationError):
        services.submit(programme, organization, user=user, statement="申请。")
    assert not Application.objects.exists()


# --- The transition table, every pair on a real row ----------------------------------------------


def test_the_transition_table_is_the_expected_one():
    assert {(str(a), str(b)): action for (a, b), action in TRANSITIONS.items()} == {
        ("submitted", "screening"): "screen",
        ("submitted", "rejected"): "reject",
        ("submitted", "withdrawn"): "withdraw",
        ("screening", "scoring"): "to_panel",
        ("screening", "rejected"): "reject",
        ("screening", "withdrawn"): "withdraw",
        ("scoring", "admitted"): "admit",
        ("scoring", "waitlisted"): "waitlist",
        ("scoring", "rejected"): "reject",
        ("scoring", "withdrawn"): "withdraw",
        ("waitlisted", "admitted"): "admit",
        ("waitlisted", "rejected"): "reject",
        ("waitlisted", "withdrawn"): "withdraw",
        ("admitted", "incubating"): "start",
        ("admitted", "withdrawn"): "withdraw",
        ("incubating", "graduated"): "graduate",
        ("incubating", "exited"): "exit",
    }
    assert {"withdraw"} == APPLICANT_ACTIONS
    assert {"reject", "waitlist", "exit"} == REASON_REQUIRED


@pytest.mark.parametrize(
    ("source", "target"),
    list(itertools.product(STATES, STATES)),
    ids=[f"{a}->{b}" for a, b in itertools.product(STATES, STATES)],
)
def test_every_move_of_the_application_table_is_made_or_refused_on_a_real_row(source, target):
    bureau = officer()
    application = application_in(source, user=bureau)
    applicant = application.organization.memberships.get().user
    action = TRANSITIONS.get((source, target))
    if (source, action) in PANEL_DECISIONS:
        fill_panel(application)  # the panel's decisions wait for it (tested in test_incubator_panel)
    before = audit(application).count()
    reason = "理由：测试"

    if action is None or action in APPLICANT_ACTIONS:
        # The bureau can't make it: not in the table, or the applicant's own move.
        with pytest.raises(IllegalTransition) as refused:
            services.decide(application, target, user=bureau, reason=reason)
        assert (refused.value.source, refused.value.target) == (source, target)
        assert source in str(refused.value) and target in str(refused.value)
        assert Application.objects.get(pk=application.pk).state == source
        assert audit(application).count() == before
    if target == S.WITHDRAWN and action is None:
        with pytest.raises(IllegalTransition):
            services.withdraw(application, user=applicant, reason=reason)
        assert Application.objects.get(pk=application.pk).state == source
        assert audit(application).count() == before
    if action is None:
        return

    if action in APPLICANT_ACTIONS:
        services.withdraw(application, user=applicant, reason=reason)
        user = applicant
    else:
        services.decide(application, target, user=bureau, reason=reason)
        user = bureau
    moved = Application.objects.get(pk=application.pk)
    assert moved.state == target
    entry = audit(application).last()
    assert audit(application).count() == before + 1
    assert entry.user == user
    assert {key: entry.data[key] for key in ("from", "to", "reason", "field")} == {
        "from": source,
        "to": target,
        "reason": reason,
        "field": "state",
    }
    if action in ("admit", "waitlist", "reject"):
        assert moved.decided_at is not None
    if action in REASON_REQUIRED:
        assert moved.decision_reason == reason
    if action in ("screen", "admit"):
        assert moved.reviewed_at is not None
        assert moved.review_eligibility == evaluate(moved.programme, moved.organization).as_json()
    if action == "start":
        assert moved.started_on == today()
    if action in ("graduate", "exit"):
        assert moved.ended_on == today()


@pytest.mark.parametrize(
    ("source", "target"),
    [(a, b) for (a, b), action in TRANSITIONS.items() if action in REASON_REQUIRED],
    ids=[f"{a}->{b}" for (a, b), action in TRANSITIONS.items() if action in REASON_REQUIRED],
)
def test_reject_waitlist_and_exit_need_a_reason_the_applicant_then_reads(source, target):
    bureau = officer()
    application = application_in(source, user=bureau)
    if source == S.SCORING:
        fill_panel(application)
    before = audit(application).count()
    with pytest.raises(ValidationError) as refused:
        services.decide(application, target, user=bureau, reason="   ")
    assert refused.value.message_dict == {"reason": ["请填写理由，申请机构将看到该理由。"]}
    assert Application.objects.get(pk=application.pk).state == source
    assert audit(application).count() == before

    services.decide(application, target, user=bureau, reason="服务对象与项目方向不一致。")
    applicant = application.organization.memberships.get().user
    page = soup(login(applicant).get(application.get_absolute_url()))
    assert squash(page.select_one("[data-reason]")) == "服务对象与项目方向不一致。"
    assert page.select_one("[data-state]")["data-state"] == target


def test_a_full_programme_refuses_admission_and_a_withdrawal_frees_the_place():
    bureau = officer()
    programme = ProgrammeFactory(capacity=1)
    first = application_in(S.SCORING, programme=programme, user=bureau)
    second = application_in(S.SCORING, programme=programme, user=bureau)
    fill_panel(first)
    fill_panel(second)
    services.decide(first, S.ADMITTED, user=bureau)
    assert services.places_taken(programme) == 1
    with pytest.raises(ValidationError) as refused:
        services.decide(second, S.ADMITTED, user=bureau)
    assert refused.value.messages == ["该项目的 1 个名额已满，不能再录取；可列入候补。"]
    assert Application.objects.get(pk=second.pk).state == S.SCORING
    services.decide(second, S.WAITLISTED, user=bureau, reason="名额已满，列入候补。")

    move(Application.objects.get(pk=first.pk), S.WITHDRAWN)
    assert services.places_taken(programme) == 0
    services.decide(second, S.ADMITTED, user=bureau)
    assert Application.objects.get(pk=second.pk).state == S.ADMITTED


def test_places_stay_taken_through_incubation_graduation_and_exit():
    bureau = officer()
    programme = ProgrammeFactory(capacity=3)
    for state in (S.INCUBATING, S.GRADUATED, S.EXITED):
        application_in(state, programme=programme, user=bureau)
    late = application_in(S.SCORING, programme=programme, user=bureau)
    fill_panel(late)
    assert services.places_taken(programme) == 3
    with pytest.raises(ValidationError):
        services.decide(late, S.ADMITTED, user=bureau)


def test_i1_admission_is_refused_when_the_organisation_became_ineligible_and_the_change_is_shown(staff):
    organization, user = staff
    bureau = officer()
    programme = ProgrammeFactory()
    application = apply(programme, organization, user=user)
    assert all(row["passed"] for row in application.eligibility)

    listed_on = today()
    make_listing(organization, listed_on=listed_on, list_type=ListType.ABNORMAL)
    # Screening records the check as it is now, beside the one made at submission.
    services.decide(application, S.SCREENING, user=bureau)
    application.refresh_from_db()
    found = changes(application.eligibility, application.review_eligibility)
    assert [c.code for c in found] == ["no_abnormal"]
    assert (found[0].before["passed"], found[0].after["passed"]) == (True, False)
    assert found[0].after["fact"].startswith(f"自{listed_on.isoformat()}起被列入活动异常名录")

    services.decide(application, S.SCORING, user=bureau)
    fill_panel(application)
    with pytest.raises(NotEligible) as refused:
        services.decide(application, S.ADMITTED, user=bureau)
    assert [r.code for r in refused.value.eligibility.failures] == ["no_abnormal"]
    assert refused.value.messages[0].startswith("不符合条件：未被列入活动异常名录（自")
    assert Application.objects.get(pk=application.pk).state == S.SCORING
    # Waitlisting or rejecting stays possible, with a reason.
    services.decide(application, S.REJECTED, user=bureau, reason="已被列入活动异常名录。")
    assert [(e.data["from"], e.data["to"]) for e in audit(application)] == [
        ("submitted", "screening"),
        ("screening", "scoring"),
        ("scoring", "rejected"),
    ]


def test_allowed_decisions_are_the_bureaus_moves_from_the_current_state():
    assert sorted(services.allowed_decisions(application_in(S.SCREENING))) == sorted(
        [(S.SCORING, "to_panel"), (S.REJECTED, "reject")]
    )
    assert sorted(services.allowed_decisions(application_in(S.SCORING))) == sorted(
        [(S.ADMITTED, "admit"), (S.WAITLISTED, "waitlist"), (S.REJECTED, "reject")]
    )
    assert services.allowed_decisions(application_in(S.GRADUATED)) == []


# --- The applicant's application page: withdrawing --------------------------------------------


def test_the_applicant_withdraws_from_the_application_page(staff):
    organization, user = staff
    application = apply(ProgrammeFactory(), organization, user=user)
    client = login(user)
    assert soup(client.get(application.get_absolute_url())).select_one("input[name=reason]") is not None
    response = client.post(application.get_absolute_url(), {"action": "withdraw", "reason": "负责人变动"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == S.WITHDRAWN
    entry = audit(application).get()
    assert (entry.user, entry.data["reason"]) == (user, "负责人变动")


def test_an_incubating_application_cannot_be_withdrawn_even_by_a_direct_post():
    application = application_in(S.INCUBATING)
    client = login(application.organization.memberships.get().user)
    assert soup(client.get(application.get_absolute_url())).select_one("input[name=reason]") is None
    before = audit(application).count()
    response = client.post(
        application.get_absolute_url(), {"action": "withdraw", "reason": "不想参加了"}, follow=True
    )
    assert "该申请当前不能撤回。" in squash(soup(response))
    assert Application.objects.get(pk=application.pk).state == S.INCUBATING
    assert audit(application).count() == before


# --- Who may see which workbench page ----------------------------------------------------------


def test_another_organisations_member_gets_404_on_every_workbench_page():
    victim = application_in(S.SUBMITTED)
    programme = victim.programme
    intruder_org = OrganizationFactory()
    intruder = login(member(intruder_org))
    urls = [
        home_url(victim.organization),
        apply_url(victim.organization, programme),
        victim.get_absolute_url(),
        # Their own organisation with the victim's application id.
        reverse("incubator_workbench:application", args=[intruder_org.uscc, victim.pk]),
    ]
    for url in urls:
        assert intruder.get(url).status_code == 404, url
        assert intruder.post(url, {"statement": "冒名申请", "reason": "冒名撤回"}).status_code == 404, url
    assert Application.objects.get(pk=victim.pk).state == S.SUBMITTED
    assert Application.objects.count() == 1
    # A bureau officer is not the organisation's member either.
    assert login(officer()).get(home_url(victim.organization)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in():
    application = application_in(S.SUBMITTED)
    login_url = reverse("accounts:login")
    for url in (
        home_url(application.organization),
        apply_url(application.organization, application.programme),
        application.get_absolute_url(),
    ):
        for method in ("get", "post"):
            response = getattr(Client(), method)(url)
            assert response.status_code == 302, url
            assert response["Location"].split("?")[0] == login_url
    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED


def test_the_workbench_home_shows_each_open_programme_with_the_organisations_eligibility(staff):
    organization, user = staff
    fits = ProgrammeFactory(title="朝阳养老孵化", districts=[District.CHAOYANG])
    elsewhere = ProgrammeFactory(title="海淀孵化", districts=[District.HAIDIAN])
    ProgrammeFactory(title="已截止的项目", opens_on=today() - days(40), closes_on=today() - days(1))
    ProgrammeFactory(title="未发布的项目", published=False)
    applied = apply(fits, organization, user=user)
    page = soup(login(user).get(home_url(organization)))
    rows = {row["data-programme"]: squash(row) for row in page.select("tr[data-programme]")}
    assert set(rows) == {str(fits.pk), str(elsewhere.pk)}
    assert "符合条件" in rows[str(fits.pk)] and "已申请（已提交）" in rows[str(fits.pk)]
    assert "1 项条件不符合" in rows[str(elsewhere.pk)] and "查看原因" in rows[str(elsewhere.pk)]
    assert page.find("a", href=applied.get_absolute_url()) is not None


# --- Public pages ------------------------------------------------------------------------------


def listed(params=None):
    response = Client().get(reverse("incubator:index"), params or {})
    assert response.status_code == 200
    return sorted(li.h2.get_text(strip=True) for li in soup(response).select("li[data-programme]"))


@pytest.fixture
def catalogue():
    ProgrammeFactory(
        title="甲",
        kind=ProgrammeKind.COHORT,
        service_fields=[ServiceField.ELDERLY],
        districts=[District.HAIDIAN],
    )
    ProgrammeFactory(
        title="乙",
        kind=ProgrammeKind.SCHEME,
        districts=[District.CHAOYANG],
        opens_on=today() + days(5),
        closes_on=today() + days(30),
    )
    ProgrammeFactory(
        title="丙",
        kind=ProgrammeKind.COHORT,
        service_fields=[ServiceField.EDUCATION],
        opens_on=today() - days(60),
        closes_on=today() - days(1),
    )
    ProgrammeFactory(title="丁", published=False)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["丙", "乙", "甲"]),
        ({"kind": "scheme"}, ["乙"]),
        ({"kind": "cohort"}, ["丙", "甲"]),
        # A programme open to every field or district matches any.
        ({"service_field": "elderly"}, ["乙", "甲"]),
        ({"service_field": "education"}, ["丙", "乙"]),
        ({"district": "110108"}, ["丙", "甲"]),
        ({"district": "110105"}, ["丙", "乙"]),
        ({"when": "open"}, ["甲"]),
        ({"when": "upcoming"}, ["乙"]),
        ({"when": "closed"}, ["丙"]),
        ({"kind": "cohort", "when": "closed"}, ["丙"]),
        ({"service_field": "elderly", "district": "110105"}, ["乙"]),
    ],
)
def test_the_public_list_filters_by_kind_field_district_and_period(catalogue, params, expected):
    assert listed(params) == expected


def test_the_public_list_shows_requirements_and_places():
    programme = ProgrammeFactory(title="社区服务孵化", capacity=4, min_months_registered=6)
    application_in(S.ADMITTED, programme=programme)
    item = soup(Client().get(reverse("incubator:index"))).select_one(f'li[data-programme="{programme.pk}"]')
    text = squash(item)
    assert "已录取 1 / 名额 4" in text
    assert "申请条件：" + "；".join(requirements(programme)) in text
    assert "正在接受申请" in text


def test_the_programme_page_shows_the_criteria_in_plain_chinese_and_its_graduates():
    programme = ProgrammeFactory(title="养老服务孵化", capacity=3)
    graduated = application_in(S.GRADUATED, programme=programme)
    application_in(S.INCUBATING, programme=programme)
    application_in(S.REJECTED, programme=programme)
    set_criteria(
        programme,
        org_types=[OrgType.SOCIAL_SERVICE, OrgType.SOCIAL_GROUP],
        service_fields=[ServiceField.ELDERLY],
        min_months_registered=12,
        accepted_report_years=1,
        min_rating=Grade.A3,
    )
    response = Client().get(programme.get_absolute_url())
    assert response.status_code == 200
    page = soup(response)
    assert [squash(li) for li in page.select("[data-requirements] li")] == [
        "登记状态正常",
        "组织类型为社会服务机构、社会团体",
        "服务领域为养老服务",
        "成立满1 年",
        "未被列入活动异常名录",
        "未被列入严重违法失信名单",
        "近 1 年年度报告审核合格",
        "评估等级不低于 3A",
    ]
    graduates = page.select_one("#graduates-h").find_parent("section")
    assert [li.get_text("", strip=True) for li in graduates.select("li")] == [
        f"{graduated.organization.name}（{today().isoformat()} 出壳）"
    ]
    assert "已录取 2 / 名额 3" in squash(page)
    # Signed out: a sign-in link; a member: a link to check and apply for each organisation.
    assert page.select_one('a[href*="/workbench/incubator/"]') is None
    user = member()
    own = user.org_memberships.get().organization
    member_page = soup(login(user).get(programme.get_absolute_url()))
    assert member_page.find("a", href=apply_url(own, programme)) is not None


def test_an_unpublished_or_unknown_programme_is_not_found():
    hidden = ProgrammeFactory(published=False)
    assert Client().get(hidden.get_absolute_url()).status_code == 404
    assert Client().get(reverse("incubator:programme", args=[hidden.pk + 1000])).status_code == 404
    assert listed() == []


def test_the_profile_lists_the_programmes_the_organisation_was_admitted_to():
    organization = OrganizationFactory()
    admitted = application_in(
        S.ADMITTED, organization=organization, programme=ProgrammeFactory(title="甲项目")
    )
    graduated = application_in(
        S.GRADUATED, organization=organization, programme=ProgrammeFactory(title="乙项目")
    )
    application_in(S.SUBMITTED, organization=organization, programme=ProgrammeFactory(title="丙项目"))
    application_in(S.REJECTED, organization=organization, programme=ProgrammeFactory(title="丁项目"))
    response = Client().get(f"/orgs/{organization.uscc}/")
    assert response.status_code == 200
    page = soup(response)
    caption = page.find("caption", string="参加的孵化项目")
    assert caption is not None
    rows = [squash(tr) for tr in caption.find_parent("table").select("tbody tr")]
    assert sorted(rows) == sorted(
        [
            "甲项目 已录取 — —",
            f"乙项目 已出壳 {graduated.started_on.isoformat()} {graduated.ended_on.isoformat()}",
        ]
    )
    assert page.find("a", href=admitted.programme.get_absolute_url()) is not None


def test_the_profile_has_no_incubator_section_without_an_admission():
    organization = OrganizationFactory()
    application_in(S.SUBMITTED, organization=organization)
    page = soup(Client().get(f"/orgs/{organization.uscc}/"))
    assert page.find("caption", string="参加的孵化项目") is None


# --- Flat query counts -------------------------------------------------------------------------


def _programmes(n, **values):
    """``n`` open programmes, each asking every criterion, each with a graduate and an
    admitted application (so places, graduates and eligibility all have rows to read)."""
    made = []
    for _i in range(n):
        programme = ProgrammeFactory(capacity=5, **values)
        application_in(S.GRADUATED, programme=programme)
        application_in(S.ADMITTED, programme=programme)
        # The criteria are set after the applications, which they would refuse.
        set_criteria(
            programme,
            districts=[District.CHAOYANG],
            service_fields=[ServiceField.ELDERLY],
            min_months_registered=6,
            max_months_registered=600,
            accepted_report_years=1,
            min_rating=Grade.A1,
            c3_within_limits=True,
        )
        made.append(programme)
    return made


def _count(client, url, limit, django_assert_max_num_queries):
    client.get(url)  # sessions, the site and other first-request lookups
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# Bounds a little above the counts measured on 6 December 2026: the list 2, a programme page
# 7 (10 on PostgreSQL), the workbench home 11 (13 for a charity, whose C3 figures are read).
# The counts for 2 and for 6 rows must also be equal.
INDEX_QUERIES = 5
PROGRAMME_QUERIES = 12
HOME_QUERIES = 16


def test_the_public_list_keeps_a_flat_number_of_queries(django_assert_max_num_queries):
    client = Client()
    _programmes(2)
    small = _count(client, reverse("incubator:index"), INDEX_QUERIES, django_assert_max_num_queries)
    _programmes(4)
    large = _count(client, reverse("incubator:index"), INDEX_QUERIES, django_assert_max_num_queries)
    assert large == small
    assert len(listed()) == 6


def test_the_programme_page_keeps_a_flat_number_of_queries(django_assert_max_num_queries):
    programme = ProgrammeFactory(capacity=10)
    for _i in range(2):
        application_in(S.GRADUATED, programme=programme)
    client = login(member())
    small = _count(client, programme.get_absolute_url(), PROGRAMME_QUERIES, django_assert_max_num_queries)
    for _i in range(4):
        application_in(S.GRADUATED, programme=programme)
    large = _count(client, programme.get_absolute_url(), PROGRAMME_QUERIES, django_assert_max_num_queries)
    assert large == small
    assert len(soup(client.get(programme.get_absolute_url())).select("#graduates-h ~ ul li")) == 6


@pytest.mark.parametrize("charity", [False, True], ids=["social group", "charity"])
def test_the_workbench_home_keeps_a_flat_number_of_queries(django_assert_max_num_queries, charity):
    from tests.factories.charity import CharityFactory
    from tests.factories.incubator import report

    organization = (CharityFactory if charity else OrganizationFactory)(
        district=District.CHAOYANG, service_field=ServiceField.ELDERLY
    )
    if charity:  # an accepted report, so C3 has figures to check
        report(organization, today().year - 2)
    client = login(member(organization))
    url = home_url(organization)

    def applied(programmes):
        for programme in programmes:
            programme.refresh_from_db()
            if evaluate(programme, organization).eligible:
                apply(programme, organization)

    first = _programmes(2) + ProgrammeFactory.create_batch(2)
    applied(first)
    small = _count(client, url, HOME_QUERIES, django_assert_max_num_queries)
    more = _programmes(4) + ProgrammeFactory.create_batch(4)
    applied(more)
    large = _count(client, url, HOME_QUERIES, django_assert_max_num_queries)
    assert large == small
    assert len(soup(client.get(url)).select("tr[data-programme]")) == 12


def test_a_post_without_the_withdraw_action_withdraws_nothing(staff):
    organization, user = staff
    application = apply(ProgrammeFactory(), organization, user=user)
    response = login(user).post(application.get_absolute_url(), {"reason": "误点"})
    assert response.status_code == 400
    assert Application.objects.get(pk=application.pk).state == S.SUBMITTED
