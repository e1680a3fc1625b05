"""The public registry, the profile page, and organisation staff in the workbench."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from orgs.registry import services
from orgs.registry.models import (
    District,
    Invitation,
    MemberRole,
    Membership,
    Organization,
    OrgStatus,
    OrgType,
    RegistryChange,
)
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.cms import make_home_page
from tests.factories.orgs import (
    MembershipFactory,
    OrganizationFactory,
    SupervisingUnitFactory,
    submitted_report,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()


def last_year():
    return timezone.localdate().year - 1


def names(response):
    return re.findall(r'<h2><a href="/orgs/[^"]+/">([^<]+)</a></h2>', response.content.decode())


def test_search_finds_chinese_substrings(client):
    OrganizationFactory(name="北京市朝阳区养老服务协会")
    OrganizationFactory(name="北京市海淀区智慧养老研究院", org_type=OrgType.SOCIAL_SERVICE)
    OrganizationFactory(name="北京市西城区志愿服务联合会")
    assert sorted(names(client.get("/orgs/", {"q": "养老"}))) == [
        "北京市朝阳区养老服务协会",
        "北京市海淀区智慧养老研究院",
    ]
    # jieba words: both words must appear, in any order, with anything between them.
    assert names(client.get("/orgs/", {"q": "朝阳 养老协会"})) == ["北京市朝阳区养老服务协会"]
    assert names(client.get("/orgs/", {"q": "火星"})) == []


def test_search_by_exact_uscc_in_any_case(client):
    target = OrganizationFactory(name="北京市东城区社会工作者协会")
    OrganizationFactory()
    assert names(client.get("/orgs/", {"q": target.uscc.lower()})) == ["北京市东城区社会工作者协会"]


def test_filters_by_type_district_status_charity_fundraising_and_supervisor(client):
    unit = SupervisingUnitFactory(name="北京市老龄工作委员会办公室")
    OrganizationFactory(
        name="甲",
        org_type=OrgType.FOUNDATION,
        charity_recognized_on=datetime.date(2018, 1, 1),
        public_fundraising=True,
        district=District.HAIDIAN,
    )
    OrganizationFactory(name="乙", supervising_unit=unit, status=OrgStatus.DEREGISTERED)
    OrganizationFactory(name="丙", org_type=OrgType.SOCIAL_SERVICE)
    assert names(client.get("/orgs/", {"org_type": "foundation"})) == ["甲"]
    assert names(client.get("/orgs/", {"district": District.HAIDIAN})) == ["甲"]
    assert names(client.get("/orgs/", {"status": "deregistered"})) == ["乙"]
    assert names(client.get("/orgs/", {"charity": "1"})) == ["甲"]
    assert sorted(names(client.get("/orgs/", {"charity": "0"}))) == ["丙", "乙"]
    assert names(client.get("/orgs/", {"public_fundraising": "1"})) == ["甲"]
    assert names(client.get("/orgs/", {"supervising_unit": unit.pk})) == ["乙"]
    assert names(client.get("/orgs/", {"org_type": "social_service", "status": "normal"})) == ["丙"]


def count_queries(client, *args):
    with CaptureQueriesContext(connection) as context:
        client.get(*args)
    return len(context.captured_queries)


def test_registry_list_query_count_is_flat(client, django_assert_max_num_queries):
    OrganizationFactory.create_batch(3, supervising_unit=SupervisingUnitFactory())
    client.get("/orgs/")  # warm up caches (site root, jieba)
    small = count_queries(client, "/orgs/", {"q": "测试"})
    assert small <= 10
    OrganizationFactory.create_batch(40, supervising_unit=SupervisingUnitFactory())
    with django_assert_max_num_queries(small):
        response = client.get("/orgs/", {"q": "测试"})
    assert len(names(response)) == 20 and "第 1 / 3 页" in response.content.decode()


def test_profile_shows_registry_data_history_and_accepted_reports(client):
    org = OrganizationFactory(name="北京市朝阳区养老服务协会", legal_representative="李四")
    services.record_change(
        org, "legal_representative", "王五", changed_on=datetime.date(2024, 5, 1), user=UserFactory()
    )
    report, _ = submitted_report(org, last_year())
    from orgs.reports.services import accept_report

    html = client.get(f"/orgs/{org.uscc}/").content.decode()
    assert "王五" in html and "李四" in html and "2024-05-01" in html
    assert "暂无已审核的年度报告" in html  # submitted, not yet accepted: not public
    accept_report(report, conclusion="qualified", comment="", user=UserFactory())
    html = client.get(f"/orgs/{org.uscc}/").content.decode()
    assert "已审核的年度报告摘要" in html and re.search(r"500,?000\.00", html) and "合格" in html
    assert 'role="img" aria-labelledby="income-title income-desc" data-chart="income"' in html
    assert "各年度收入来源（元）" in html and "各年度支出类型（元）" in html  # the tables beside the charts


def test_profile_query_count_is_flat(client, django_assert_max_num_queries):
    from orgs.reports.services import accept_report

    org = OrganizationFactory()
    bureau = UserFactory()
    report, _ = submitted_report(org, last_year() - 1)
    accept_report(report, conclusion="qualified", user=bureau)
    client.get(f"/orgs/{org.uscc}/")
    small = count_queries(client, f"/orgs/{org.uscc}/")
    # Five years a report can still be filed for, relative to today (the window moves).
    for year in (last_year() - 4, last_year() - 3, last_year() - 2, last_year()):
        report, _ = submitted_report(org, year)
        accept_report(report, conclusion="qualified", user=bureau)
    for n in range(5):
        services.record_change(
            org, "domicile", f"新住所{n}", changed_on=datetime.date(2024, 1, 1 + n), user=bureau
        )
    with django_assert_max_num_queries(small):
        html = client.get(f"/orgs/{org.uscc}/").content.decode()
    assert html.count('<g data-year="') == 10 and html.count("新住所") >= 5  # 5 years x 2 charts


def test_unknown_uscc_answers_404(client):
    assert client.get("/orgs/51110105MJ0000000X/").status_code == 404


def test_registry_changes_are_append_only():
    org = OrganizationFactory(registered_funds=Decimal("300000.00"))
    change = services.record_change(
        org, "registered_funds", "500000", changed_on=datetime.date(2025, 1, 1), user=None
    )
    org.refresh_from_db()
    assert org.registered_funds == Decimal("500000.00") and change.before == "300000.00"
    change.after = "篡改"
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()
    with pytest.raises(ValidationError) as info:
        services.record_change(
            org, "registered_funds", "500000.00", changed_on=datetime.date(2025, 2, 1), user=None
        )
    assert info.value.message_dict == {"after": ["变更后的内容与当前登记内容相同。"]}
    assert RegistryChange.objects.count() == 1


def test_s1_model_refuses_a_failing_code_unless_the_bureau_records_a_reason():
    org = OrganizationFactory.build(uscc="51110105MJ0000001A")
    with pytest.raises(ValidationError) as info:
        org.full_clean()
    assert "第18位校验码应为" in info.value.message_dict["uscc"][0]
    org.uscc_override_reason = "1998年登记的历史代码，经核对纸质档案确认有效"
    org.full_clean()


# --- Workbench ------------------------------------------------------------------------


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def test_member_edits_only_non_registry_fields():
    membership = MembershipFactory(
        organization=OrganizationFactory(name="甲协会", legal_representative="张三")
    )
    client = login(membership.user)
    url = f"/workbench/orgs/{membership.organization.uscc}/profile/"
    response = client.post(
        url,
        {
            "website": "https://a.example",
            "contact_phone": "010-1234",
            "introduction": "新简介",
            "name": "篡改名称",
            "legal_representative": "篡改",
            "uscc": "X",
        },
    )
    assert response.status_code == 302
    org = Organization.objects.get(pk=membership.organization.pk)
    assert (org.name, org.legal_representative, org.website, org.introduction) == (
        "甲协会",
        "张三",
        "https://a.example",
        "新简介",
    )
    assert ModelLogEntry.objects.filter(action="wagtail.edit", object_id=str(org.pk)).exists()


def test_another_organisations_workbench_answers_404():
    mine = MembershipFactory()
    theirs = OrganizationFactory()
    client = login(mine.user)
    for path in ("", "profile/", "members/"):
        assert client.get(f"/workbench/orgs/{theirs.uscc}/{path}").status_code == 404
        assert client.get(f"/workbench/orgs/{mine.organization.uscc}/{path}").status_code == 200
    assert client.post(f"/workbench/orgs/{theirs.uscc}/profile/", {"introduction": "x"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.introduction == ""


def test_anonymous_users_are_sent_to_sign_in():
    org = OrganizationFactory()
    response = Client().get(f"/workbench/orgs/{org.uscc}/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_invites_a_filer_who_joins_on_sign_up():
    admin = MembershipFactory(role=MemberRole.ADMIN)
    client = login(admin.user)
    url = f"/workbench/orgs/{admin.organization.uscc}/members/"
    response = client.post(url, {"mobile": "138 0013 8000", "role": "filer"})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.mobile == "13800138000" and invitation.is_pending
    newcomer = Client()
    newcomer.post("/accounts/signup/", {"mobile": "13800138000"})
    from accounts import sms

    code = re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)
    newcomer.post(
        "/accounts/signup/verify/",
        {
            "code": code,
            "display_name": "新填报员",
            "password1": "Filer-Pass-2026",
            "password2": "Filer-Pass-2026",
        },
    )
    membership = Membership.objects.get(user__mobile="13800138000")
    assert membership.organization == admin.organization and membership.role == MemberRole.FILER
    assert newcomer.get(f"/workbench/orgs/{admin.organization.uscc}/").status_code == 200


def test_filer_cannot_invite():
    filer = MembershipFactory(role=MemberRole.FILER)
    client = login(filer.user)
    response = client.post(
        f"/workbench/orgs/{filer.organization.uscc}/members/", {"mobile": "13800138001", "role": "admin"}
    )
    assert response.status_code == 302 and not Invitation.objects.exists()


def test_invitation_of_an_existing_account_waits_for_the_number_to_be_proven_and_bad_numbers_are_refused():
    org = OrganizationFactory()
    user = UserFactory(mobile="13911112222")
    invitation = services.invite(org, "13911112222", MemberRole.ADMIN, invited_by=None)
    # The account proved its number before the invitation: whoever holds it now must prove it again.
    assert invitation.is_pending and not Membership.objects.filter(user=user).exists()
    user.mobile_verified_at = timezone.now()
    user.save(update_fields=["mobile_verified_at"])
    services.accept_pending_invitations(user)
    assert Membership.objects.get(user=user).role == MemberRole.ADMIN
    with pytest.raises(ValidationError) as info:
        services.invite(org, "12345", MemberRole.FILER, invited_by=None)
    assert "请输入有效的中国大陆手机号码" in info.value.message_dict["mobile"][0]


def test_workbench_lists_the_organisation_panels():
    membership = MembershipFactory(organization=OrganizationFactory(name="北京市测试养老协会"))
    html = login(membership.user).get("/workbench/").content.decode()
    uscc = membership.organization.uscc
    assert "北京市测试养老协会" in html and f"/workbench/reports/{uscc}/" in html
    # One panel per organisation app (orgs.registry.panels.membership_panels), each with the
    # organisation's name in its title and its own workbench URL.
    for title, url in (
        ("年度报告", f"/workbench/reports/{uscc}/"),
        ("信用信息", f"/workbench/credit/{uscc}/"),
        ("孵化培育", f"/workbench/incubator/{uscc}/"),
        ("电子证照", f"/workbench/licences/{uscc}/"),
    ):
        assert f"北京市测试养老协会 · {title}" in html and f'href="{url}"' in html, title
    # The charity panel only for a charity.
    assert "慈善项目" not in html and f"/workbench/charity/{uscc}/" not in html


def test_registry_open_data_csv_and_json(client):
    OrganizationFactory(name="北京市朝阳区养老服务协会", org_type=OrgType.FOUNDATION)
    # Stored by a task and streamed from disk (core.opendata.stored).
    body = b"".join(client.get("/orgs/open-data/organizations.csv").streaming_content).decode("utf-8")
    assert body.startswith("\ufeff统一社会信用代码,名称,组织类型")
    assert "北京市朝阳区养老服务协会,基金会" in body
    data = json.loads(b"".join(client.get("/orgs/open-data/organizations.json").streaming_content))
    assert data["organizations"][0]["name"] == "北京市朝阳区养老服务协会"
    assert "/orgs/open-data/organizations.csv" in client.get("/open-data/").content.decode()
