"""The open-data API's charity resources (issue 19, C4): projects, donations and spending.
Contents, anonymous donors only as 匿名 in every output and filter, corrections, filters equal
to the HTML page's, and flat query counts."""

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.test import override_settings

from orgs.charity.models import Donation, ProjectStatus
from orgs.registry.models import District
from tests.factories.charity import (
    CharityFactory,
    CharityProjectFactory,
    DonationFactory,
    ExpenditureFactory,
)
from tests.factories.cms import make_home_page

pytestmark = pytest.mark.django_db

SECRET_DONOR = "不愿具名的张三丰"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    make_home_page()


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def results(client, url, **params):
    return get(client, url, **params)["results"]


def correct(donation, **changes):
    """A correction: a new row of the same project pointing at the row it corrects."""
    fields = {
        f.name: getattr(donation, f.name)
        for f in Donation._meta.concrete_fields
        if f.name not in ("id", "corrects", "created_at")
    }
    fields.update(changes)
    return Donation.objects.create(corrects=donation, **fields)


# --- projects ---------------------------------------------------------------------------


def test_a_project_shows_its_totals_from_current_records(client):
    project = CharityProjectFactory(name="助学帮扶项目", goal=Decimal("100000.00"))
    first = DonationFactory(project=project, amount=Decimal("500.00"))
    DonationFactory(project=project, amount=Decimal("1200.50"))
    correct(first, amount=Decimal("300.00"), correction_note="部分退款")
    ExpenditureFactory(project=project, amount=Decimal("400.00"))
    data = get(client, f"/api/v1/charity/projects/{project.pk}/")
    assert data["name"] == "助学帮扶项目"
    assert data["organization"] == {"uscc": project.organization.uscc, "name": project.organization.name}
    assert data["goal"] == "100000.00"
    assert data["raised"] == "1500.50"  # 300.00 after the correction + 1,200.50
    assert data["spent"] == "400.00"
    assert data["project_url"] == f"/charity/projects/{project.pk}/"
    assert client.get("/api/v1/charity/projects/999999/").status_code == 404


def html_project_ids(response):
    return re.findall(r'<h2><a href="/charity/projects/(\d+)/">', response.content.decode())


def test_project_filters_give_the_html_pages_results(client):
    a, b = CharityFactory(), CharityFactory()
    CharityProjectFactory(organization=a, area=District.HAIDIAN, public_fundraising=False)
    CharityProjectFactory(organization=a, status=ProjectStatus.RUNNING)
    CharityProjectFactory(
        organization=b, starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 12, 31)
    )
    queries = (
        {"organization": a.pk},
        {"area": District.HAIDIAN},
        {"public_fundraising": "no"},
        {"status": "running"},
        {"year": 2024},
        {"organization": a.pk, "year": 2026},
        {},
    )
    for query in queries:
        html = sorted(html_project_ids(client.get("/charity/", query)))
        api = sorted(str(row["id"]) for row in results(client, "/api/v1/charity/projects/", **query))
        assert api == html, query
    assert len(results(client, "/api/v1/charity/projects/", organization=a.pk)) == 2


# --- donations -----------------------------------------------------------------------------


def test_a_donation_is_found_by_its_receipt_number_with_its_net_after_a_correction(client):
    donation = DonationFactory(donor_name="李四", amount=Decimal("500.00"), receipt_number="JZ-2026-0001")
    correct(donation, amount=Decimal("200.00"), correction_note="退款 300.00 元")
    data = get(client, "/api/v1/charity/donations/JZ-2026-0001/")
    assert data["receipt_number"] == "JZ-2026-0001"
    assert data["donor"] == "李四"
    assert data["amount"] == "200.00"
    assert data["is_correction"] is True and data["correction_note"] == "退款 300.00 元"
    assert data["organization"]["uscc"] == donation.organization.uscc
    listed = results(client, "/api/v1/charity/donations/")
    assert [(row["receipt_number"], row["amount"]) for row in listed] == [("JZ-2026-0001", "200.00")]
    assert client.get("/api/v1/charity/donations/JZ-NOPE/").status_code == 404


def test_a_receipt_number_two_organisations_use_is_told_apart_by_organisation(client):
    first = DonationFactory(receipt_number="R-1", amount=Decimal("10.00"))
    second = DonationFactory(receipt_number="R-1", amount=Decimal("20.00"))
    assert client.get("/api/v1/charity/donations/R-1/").status_code == 404
    data = get(client, "/api/v1/charity/donations/R-1/", organization=second.organization.uscc)
    assert data["amount"] == "20.00"
    data = get(client, "/api/v1/charity/donations/R-1/", organization=first.organization.uscc.lower())
    assert data["amount"] == "10.00"


def test_an_anonymous_donor_is_only_anonymous_in_every_output_and_filter(client):
    project = CharityProjectFactory()
    secret = DonationFactory(project=project, donor_name=SECRET_DONOR, anonymous=True, receipt_number="AN-1")
    DonationFactory(project=project, donor_name="王五", receipt_number="PUB-1")
    correct(secret, amount=Decimal("1.00"))  # the correction carries the name too
    outputs = [
        client.get("/api/v1/charity/donations/"),
        client.get("/api/v1/charity/donations/AN-1/"),
        client.get("/api/v1/charity/donations/", {"project": project.pk}),
        client.get(f"/api/v1/charity/projects/{project.pk}/"),
        client.get("/api/v1/charity/projects/"),
    ]
    for response in outputs:
        assert response.status_code == 200
        assert "张三丰" not in response.content.decode()
    assert get(client, "/api/v1/charity/donations/AN-1/")["donor"] == "匿名"
    # Searching for the real name, or part of it, never finds the anonymous gift.
    for name in (SECRET_DONOR, "张三丰", "不愿"):
        assert results(client, "/api/v1/charity/donations/", donor=name) == []
    assert [r["receipt_number"] for r in results(client, "/api/v1/charity/donations/", donor="王五")] == [
        "PUB-1"
    ]
    assert [r["receipt_number"] for r in results(client, "/api/v1/charity/donations/", donor="匿名")] == [
        "AN-1"
    ]


# --- expenditures ---------------------------------------------------------------------------


def test_spending_shows_current_records_only(client):
    project = CharityProjectFactory()
    wrong = ExpenditureFactory(project=project, amount=Decimal("900.00"), purpose="采购课桌椅")
    from orgs.charity.models import Expenditure

    fixed = Expenditure.objects.create(
        project=project,
        corrects=wrong,
        amount=Decimal("800.00"),
        purpose="采购课桌椅",
        beneficiary_count=10,
        spent_on=wrong.spent_on,
    )
    rows = results(client, "/api/v1/charity/expenditures/", project=project.pk)
    assert [(row["id"], row["amount"], row["is_correction"]) for row in rows] == [(fixed.pk, "800.00", True)]
    assert rows[0]["organization"]["uscc"] == project.organization.uscc
    assert client.get(f"/api/v1/charity/expenditures/{wrong.pk}/").status_code == 404
    assert get(client, f"/api/v1/charity/expenditures/{fixed.pk}/")["purpose"] == "采购课桌椅"


# --- flat query counts ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/charity/projects/", "/api/v1/charity/donations/", "/api/v1/charity/expenditures/"]
)
def test_charity_list_queries_stay_flat(client, django_assert_max_num_queries, url):
    def build(n):
        for _i in range(n):
            project = CharityProjectFactory()
            DonationFactory(project=project)
            DonationFactory(project=project, anonymous=True)
            ExpenditureFactory(project=project)

    build(1)
    with override_settings(API_RESPONSE_CACHE_SECONDS=0):  # the view's queries, not a cached body
        with django_assert_max_num_queries(40) as small:
            rows = results(client, url)
        assert len(rows) in (1, 2)
        build(10)
        with django_assert_max_num_queries(len(small.captured_queries)):
            rows = results(client, url)
    assert len(rows) >= 11
    assert "捐赠人" not in json.dumps([row.get("donor") for row in rows if row.get("anonymous")])
