"""The resource pool (资源配置平台, issue 16 point 3): offers ranked for an organisation, eligible
first and then by fit, each match explained (I2); applications only from eligible
organisations (I1); awards recorded by the bureau, a government service contract becoming a
credit record (S4, other); awards on the profile and in the 360Giving-style grants data set;
organisations' needs."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts.groups import SOCIAL_ORG_SECTION
from orgs.credit.models import Category, CreditRecord
from orgs.incubator.models import (
    Award,
    Need,
    Offer,
    OfferApplication,
    OfferApplicationState,
    OfferKind,
)
from orgs.incubator.services.applications import NotEligible
from orgs.incubator.services.matching import rank
from orgs.incubator.services.offers import apply_to_offer, award, decline
from orgs.registry.models import District, OrgType, ServiceField
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.incubator import member, offer, report
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def days(n):
    return datetime.timedelta(days=n)


@pytest.fixture
def organization():
    return OrganizationFactory(
        name="朝阳区银龄互助社（测试）",
        org_type=OrgType.SOCIAL_SERVICE,
        district=District.CHAOYANG,
        service_field=ServiceField.ELDERLY,
        registered_on=today() - days(800),
    )


@pytest.fixture
def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    return user


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def titles(matches):
    return [m.offer.title for m in matches]


def test_i2_eligible_offers_rank_before_ineligible_ones_whatever_their_fit(organization):
    offer(
        "基金会专场",
        org_types=[OrgType.FOUNDATION],
        field=ServiceField.ELDERLY,
        district=District.CHAOYANG,
    )
    offer("不限条件的场地", field=ServiceField.CULTURE)
    ranked = rank(organization)
    assert titles(ranked) == ["不限条件的场地", "基金会专场"]
    blocked = ranked[1]
    assert not blocked.eligible and blocked.score > ranked[0].score
    assert "不符合：组织类型为基金会" in blocked.explanation
    assert "符合：服务领域=养老服务；所在区=朝阳区" in blocked.explanation


def test_i2_fit_orders_eligible_offers_and_states_every_reason(organization, settings):
    settings.I2_FIT_FIELD_POINTS, settings.I2_FIT_DISTRICT_POINTS = 3, 2
    offer("只有区相符", district=District.CHAOYANG)
    offer("领域和区都相符", field=ServiceField.ELDERLY, district=District.CHAOYANG)
    offer("只有领域相符", field=ServiceField.ELDERLY, district=District.HAIDIAN)
    offer("都不相符", field=ServiceField.CULTURE, district=District.HAIDIAN)
    ranked = rank(organization)
    assert titles(ranked) == ["领域和区都相符", "只有领域相符", "只有区相符", "都不相符"]
    assert [m.score for m in ranked] == [5, 3, 2, 0]
    assert ranked[0].explanation == "符合：服务领域=养老服务；所在区=朝阳区"
    assert ranked[3].explanation == "无特别匹配项"


def test_i2_budget_and_posting_order_never_buy_a_higher_rank(organization):
    later = offer("预算大、发布晚", budget=Decimal("900000"), deadline=today() + days(40))
    sooner = offer("预算小、截止早", budget=Decimal("1000"), deadline=today() + days(10))
    same_day = offer("同日截止、发布更晚", budget=Decimal("5000000"), deadline=today() + days(10))
    ranked = rank(organization)
    # Equal fit: the earlier deadline first, then the older offer; the budget never counts.
    assert [m.offer.pk for m in ranked] == [sooner.pk, same_day.pk, later.pk]
    assert {m.score for m in ranked} == {0}
    paid_like = {f.name for f in Offer._meta.get_fields()} & {
        "promoted",
        "sponsored",
        "boost",
        "priority",
        "paid",
    }
    assert paid_like == set()


def test_i2_size_from_the_latest_accepted_annual_income(organization):
    year = today().year - 1
    report(organization, year, income_total=Decimal("500000.00"))
    offer("小型机构资助", min_income=Decimal("0"), max_income=Decimal("100000"))
    offer("中型机构资助", min_income=Decimal("100000"), max_income=Decimal("1000000"))
    fits = {m.offer.title: m for m in rank(organization)}
    assert fits["中型机构资助"].score > fits["小型机构资助"].score
    assert f"{year} 年度收入 500,000.00 元，在适合的规模内" in fits["中型机构资助"].explanation
    assert "年度收入" not in fits["小型机构资助"].explanation


def test_i2_past_delivery_counts_ended_awards_up_to_the_cap(organization, officer, settings):
    settings.I2_FIT_AWARD_POINTS, settings.I2_FIT_AWARD_CAP = 1, 1
    user = member(organization)
    for n in range(2):
        done = offer(f"已完成的项目{n}", kind=OfferKind.PRO_BONO)
        application = apply_to_offer(done, organization, user=user, statement="申请专业服务。")
        award(
            application,
            amount=None,
            starts_on=today() - days(200),
            ends_on=today() - days(1 + n),
            deliverables="完成财务制度梳理",
            document_number=f"PB-{n}",
            user=officer,
        )
    running = offer("进行中的项目", kind=OfferKind.PRO_BONO)
    application = apply_to_offer(running, organization, user=user, statement="申请。")
    award(
        application,
        amount=None,
        starts_on=today(),
        ends_on=today() + days(90),
        deliverables="法律顾问",
        document_number="PB-9",
        user=officer,
    )
    fresh = offer("新资源")
    (result,) = [m for m in rank(organization) if m.offer.pk == fresh.pk]
    assert result.score == 1  # two ended awards, capped at one point; the running one doesn't count
    assert "已完成 2 个资助或购买服务项目" in result.explanation


def test_i2_government_service_contract_award_becomes_a_credit_record_in_other(organization, officer):
    purchase = offer(
        "朝阳区居家养老巡访服务项目",
        kind=OfferKind.SERVICE_PURCHASE,
        provider_name="北京市朝阳区民政局",
        budget=Decimal("300000"),
    )
    application = apply_to_offer(
        purchase, organization, user=member(organization), statement="承接巡访服务。"
    )
    result = award(
        application,
        amount=Decimal("280000"),
        starts_on=today(),
        ends_on=today() + days(364),
        deliverables="为 500 户高龄独居老人每月巡访两次",
        document_number="朝民购〔测试〕8号",
        user=officer,
    )
    record = CreditRecord.objects.get(organization=organization)
    assert result.credit_record == record
    assert record.category == Category.OTHER
    assert record.authority == "北京市朝阳区民政局"
    assert record.document_number == "朝民购〔测试〕8号"
    assert "承接政府购买服务项目“朝阳区居家养老巡访服务项目”，金额 280,000.00 元" in record.summary
    application.refresh_from_db()
    assert application.state == OfferApplicationState.AWARDED


def test_a_grant_award_is_published_but_is_not_a_credit_record(organization, officer):
    foundation = OrganizationFactory(org_type=OrgType.FOUNDATION, name="北京测试公益基金会")
    grant = offer("银龄关爱小额资助", kind=OfferKind.GRANT, funder=foundation, budget=Decimal("50000"))
    application = apply_to_offer(grant, organization, user=member(organization), statement="申请小额资助。")
    award(
        application,
        amount=Decimal("50000"),
        starts_on=today(),
        ends_on=today() + days(180),
        deliverables="开展 20 场助老活动",
        document_number="基资〔测试〕1号",
        user=officer,
    )
    assert not CreditRecord.objects.filter(organization=organization).exists()


def test_award_is_refused_over_budget_without_amount_or_when_no_longer_eligible(organization, officer):
    purchase = offer(
        "政府购买服务",
        kind=OfferKind.SERVICE_PURCHASE,
        budget=Decimal("1000"),
        org_types=[OrgType.SOCIAL_SERVICE],
    )
    application = apply_to_offer(purchase, organization, user=member(organization), statement="申请。")
    common = {
        "starts_on": today(),
        "ends_on": today() + days(30),
        "deliverables": "服务",
        "document_number": "X-1",
        "user": officer,
    }
    with pytest.raises(Exception, match="不能超过预算"):
        award(application, amount=Decimal("1000.01"), **common)
    with pytest.raises(Exception, match="须填写金额"):
        award(application, amount=None, **common)
    organization.org_type = OrgType.SOCIAL_GROUP
    organization.save()
    with pytest.raises(NotEligible):
        award(application, amount=Decimal("1000"), **common)
    assert not Award.objects.exists()
    application.refresh_from_db()
    assert application.state == OfferApplicationState.SUBMITTED


def test_i1_an_ineligible_organisation_cannot_apply_to_an_offer_even_by_direct_post(organization):
    closed_to_it = offer("仅限基金会", org_types=[OrgType.FOUNDATION])
    client = login(member(organization))
    url = f"/workbench/incubator/{organization.uscc}/offers/{closed_to_it.pk}/"
    response = client.post(url, {"action": "apply", "statement": "我们想申请。"})
    assert response.status_code == 400
    assert "不符合条件：组织类型为基金会（组织类型：社会服务机构）" in response.content.decode()
    assert not OfferApplication.objects.exists()


def test_workbench_matches_are_ranked_and_explained_and_private_to_the_organisation(organization):
    offer("领域相符的场地", field=ServiceField.ELDERLY)
    offer("其他场地", field=ServiceField.CULTURE)
    html = (
        login(member(organization)).get(f"/workbench/incubator/{organization.uscc}/offers/").content.decode()
    )
    assert html.index("领域相符的场地") < html.index("其他场地")
    assert "符合：服务领域=养老服务" in html
    stranger = login(member(OrganizationFactory()))
    assert stranger.get(f"/workbench/incubator/{organization.uscc}/offers/").status_code == 404


def test_decline_needs_a_reason_the_applicant_reads(organization, officer):
    venue = offer("场地")
    application = apply_to_offer(venue, organization, user=member(organization), statement="申请。")
    client = login(officer)
    url = f"/admin/incubator/offer-applications/edit/{application.pk}/"
    assert client.post(url, {"action": "decline", "reason": ""}).status_code == 400
    assert client.post(url, {"action": "decline", "reason": "场地已满。"}).status_code == 302
    application.refresh_from_db()
    assert application.state == OfferApplicationState.DECLINED
    assert application.decision_reason == "场地已满。"
    with pytest.raises(Exception):  # noqa: B017 - the transition table refuses a second decision
        decline(application, user=officer, reason="再次")


def test_admin_award_form_records_the_award_and_the_profile_and_grants_data_show_it(
    organization, officer, client
):
    purchase = offer(
        "朝阳区助餐点运营项目",
        kind=OfferKind.SERVICE_PURCHASE,
        provider_name="北京市朝阳区民政局",
        budget=Decimal("200000"),
        district=District.CHAOYANG,
    )
    application = apply_to_offer(purchase, organization, user=member(organization), statement="运营助餐点。")
    starts, ends = today(), today() + days(364)
    response = login(officer).post(
        f"/admin/incubator/offer-applications/edit/{application.pk}/",
        {
            "action": "award",
            "amount": "150000",
            "starts_on": starts.isoformat(),
            "ends_on": ends.isoformat(),
            "deliverables": "每日供餐 120 份",
            "document_number": "朝民购〔测试〕9号",
        },
    )
    assert response.status_code == 302
    profile = client.get(f"/orgs/{organization.uscc}/").content.decode()
    assert "data-awards" in profile and "朝阳区助餐点运营项目" in profile and "150,000.00" in profile

    response = client.get("/incubator/open-data/grants.csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, (row,) = rows[0], rows[1:]
    assert header[:5] == ["Identifier", "Title", "Description", "Currency", "Amount Awarded"]
    record = dict(zip(header, row, strict=True))
    award_pk = Award.objects.get().pk
    assert record["Identifier"] == f"360G-bjmzj-incubator-{award_pk}"
    assert record["Amount Awarded"] == "150000.00"
    assert record["Currency"] == "CNY"
    assert record["Recipient Org:Identifier"] == f"CN-USCC-{organization.uscc}"
    assert record["Funding Org:Name"] == "北京市朝阳区民政局"
    assert record["Planned Dates:Start Date"] == starts.isoformat()
    assert record["Beneficiary Location:Name"] == "朝阳区"

    data = json.loads(b"".join(client.get("/incubator/open-data/grants.json").streaming_content))
    assert data["records"][0]["Recipient Org:Name"] == organization.name


def test_needs_are_posted_in_public_and_closed_only_by_their_organisation(organization, client):
    user = member(organization)
    own = login(user)
    url = f"/workbench/incubator/{organization.uscc}/needs/"
    assert own.post(url, {"kind": OfferKind.PRO_BONO, "title": "", "description": ""}).status_code == 400
    own.post(url, {"kind": OfferKind.PRO_BONO, "title": "需要财务审计志愿服务", "description": "年度审计。"})
    need = Need.objects.get()
    assert "需要财务审计志愿服务" in client.get("/incubator/needs/").content.decode()
    other = OrganizationFactory()
    stranger = login(member(other))
    response = stranger.post(f"/workbench/incubator/{other.uscc}/needs/{need.pk}/close/")
    assert response.status_code == 404
    own.post(f"/workbench/incubator/{organization.uscc}/needs/{need.pk}/close/")
    assert "需要财务审计志愿服务" not in client.get("/incubator/needs/").content.decode()


@pytest.mark.parametrize("count", [2, 6])
def test_offer_pages_and_matches_keep_a_flat_query_count(
    organization, client, count, django_assert_max_num_queries
):
    for n in range(count):
        offer(f"资源{n}", field=ServiceField.ELDERLY, accepted_report_years=1, c3_within_limits=True)
    user_client = login(member(organization))
    with django_assert_max_num_queries(23):
        assert user_client.get(f"/workbench/incubator/{organization.uscc}/offers/").status_code == 200
    with django_assert_max_num_queries(3):
        assert client.get("/incubator/offers/").status_code == 200
