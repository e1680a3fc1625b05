"""Public charity pages, the donation lookup (C4), open data and the profile section."""

import csv
import datetime
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from freezegun import freeze_time

from orgs.charity.models import ProjectStatus
from orgs.registry.models import District
from tests.factories.charity import (
    CharityFactory,
    CharityProjectFactory,
    DonationFactory,
    ExpenditureFactory,
    ProgressReportFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
SECRET = "隐名捐赠者张三丰"


@pytest.fixture
def project_with_anonymous_donor():
    project = CharityProjectFactory(name="山区助学计划")
    DonationFactory(project=project, donor_name=SECRET, anonymous=True, receipt_number="JZ-ANON")
    DonationFactory(project=project, donor_name="李四", anonymous=False, receipt_number="JZ-NAMED")
    ExpenditureFactory(project=project, purpose="采购冬季校服", amount=Decimal("1200.00"))
    return project


def test_project_page_masks_anonymous_donors_and_shows_spending(client, project_with_anonymous_donor):
    response = client.get(reverse("charity:project", args=[project_with_anonymous_donor.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert SECRET not in html
    assert "匿名" in html
    assert "李四" in html
    assert "采购冬季校服" in html
    assert 'data-chart="raised-spent"' in html
    assert 'data-table="raised-spent"' in html
    assert '<td data-total="raised">1,000.00</td>' in html
    assert '<td data-total="spent">1,200.00</td>' in html


@pytest.mark.parametrize("url_name", ["charity:donations_csv", "charity:donations_json"])
def test_open_data_never_contains_anonymous_donor_names(client, project_with_anonymous_donor, url_name):
    response = client.get(reverse(url_name))
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert response.status_code == 200
    assert SECRET not in body
    if url_name.endswith("csv"):
        rows = {row[2]: row[3] for row in csv.reader(io.StringIO(body))}
    else:
        rows = {row["receipt_number"]: row["donor"] for row in json.loads(body)["records"]}
    assert rows["JZ-ANON"] == "匿名"
    assert rows["JZ-NAMED"] == "李四"


def test_open_data_projects_and_spending(client, project_with_anonymous_donor):
    projects = json.loads(b"".join(client.get(reverse("charity:projects_json")).streaming_content))["records"]
    assert [(p["name"], p["raised"], p["spent"]) for p in projects] == [
        ("山区助学计划", "1000.00", "1200.00")
    ]
    body = b"".join(client.get(reverse("charity:expenditures_csv")).streaming_content).decode("utf-8-sig")
    assert "采购冬季校服" in body
    index = client.get("/open-data/").content.decode()
    assert reverse("charity:donations_csv") in index


def test_lookup_traces_a_donation_to_its_project_and_spending(client, project_with_anonymous_donor):
    organization = project_with_anonymous_donor.organization
    response = client.get(
        reverse("charity:lookup"), {"organization": organization.pk, "receipt_number": "JZ-ANON"}
    )
    html = response.content.decode()
    assert "山区助学计划" in html
    assert "采购冬季校服" in html
    assert "匿名" in html
    assert SECRET not in html


def test_lookup_does_not_find_a_receipt_of_another_organisation(client, project_with_anonymous_donor):
    other = CharityProjectFactory(organization=CharityFactory()).organization
    response = client.get(reverse("charity:lookup"), {"organization": other.pk, "receipt_number": "JZ-ANON"})
    html = response.content.decode()
    assert "未找到该组织此票据号的捐赠记录" in html
    assert "山区助学计划" not in html


def test_index_filters_by_organisation_status_public_area_and_year(client):
    charity = CharityFactory()
    a = CharityProjectFactory(
        organization=charity,
        name="甲项目",
        area=District.HAIDIAN,
        public_fundraising=True,
        starts_on=D(2025, 3, 1),
        ends_on=D(2025, 6, 30),
        status=ProjectStatus.COMPLETED,
    )
    b = CharityProjectFactory(name="乙项目", area=District.CHAOYANG, public_fundraising=False)

    def names(**params):
        html = client.get(reverse("charity:index"), params).content.decode()
        return {name for name in (a.name, b.name) if name in html}

    assert names() == {"甲项目", "乙项目"}
    assert names(organization=charity.pk) == {"甲项目"}
    assert names(status=ProjectStatus.COMPLETED) == {"甲项目"}
    assert names(public_fundraising="no") == {"乙项目"}
    assert names(area=District.CHAOYANG) == {"乙项目"}
    assert names(year=2025) == {"甲项目"}
    assert names(year=2026) == {"乙项目"}


@freeze_time("2026-04-02 10:00:00")
def test_project_page_shows_overdue_badges():
    from django.test import Client

    project = CharityProjectFactory(
        starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31), plan_filed_on=D(2025, 12, 1)
    )
    html = Client().get(reverse("charity:project", args=[project.pk])).content.decode()
    assert 'data-overdue="progress"' in html
    assert 'data-overdue="plan"' not in html
    ProgressReportFactory(project=project, published_on=D(2026, 3, 30), text="第一季度进展：已资助32名学生。")
    html = Client().get(reverse("charity:project", args=[project.pk])).content.decode()
    assert 'data-overdue="progress"' not in html
    assert "第一季度进展" in html


def _populate(count):
    for i in range(count):
        project = CharityProjectFactory()
        DonationFactory(project=project, anonymous=i % 2 == 0)
        ExpenditureFactory(project=project)
        ProgressReportFactory(project=project)
    return project


@pytest.mark.parametrize("count", [2, 15])
def test_query_counts_stay_flat(client, django_assert_max_num_queries, count):
    project = _populate(count)
    for _i in range(count):
        DonationFactory(project=project)
        ExpenditureFactory(project=project)
    # Base template (site, menu, bureau settings) plus count, projects and their reports. This is
    # the new site's first request: it also creates the settings row, and the chrome is loaded
    # once more under the version that insert gave (cms.chrome).
    with django_assert_max_num_queries(16):
        assert client.get(reverse("charity:index")).status_code == 200
    with django_assert_max_num_queries(14):  # with the spending page count and report attachments
        assert client.get(reverse("charity:project", args=[project.pk])).status_code == 200
    for name in ("projects", "donations", "expenditures"):
        for fmt in ("csv", "json"):
            with django_assert_max_num_queries(4):  # streamed: one query per data set, not per row
                response = client.get(reverse(f"charity:{name}_{fmt}"))
                body = b"".join(response.streaming_content).decode("utf-8-sig")
            records = body.splitlines()[1:] if fmt == "csv" else json.loads(body)["records"]
            assert len(records) >= count


def test_profile_shows_charity_disclosure_section(client, project_with_anonymous_donor):
    organization = project_with_anonymous_donor.organization
    html = client.get(reverse("registry:detail", args=[organization.uscc])).content.decode()
    assert "慈善信息公开" in html
    assert "山区助学计划" in html
    assert reverse("charity:project", args=[project_with_anonymous_donor.pk]) in html


def test_english_profile_says_project_not_the_catalogues_item(client, project_with_anonymous_donor):
    """项目 means a service item in the funeral catalogue and a project here; the catalogue's
    catalogue comes first, so the charity's wording uses its own context."""
    organization = project_with_anonymous_donor.organization
    html = client.get(f"/en/orgs/{organization.uscc}/").content.decode()
    assert '<th scope="col">Project</th>' in html
    assert '<th scope="col">Item</th>' not in html


def test_unknown_project_is_404(client):
    assert client.get(reverse("charity:project", args=[999999])).status_code == 404


def test_spending_is_paged_on_the_project_page_and_the_lookup_links_to_it(client, settings):
    settings.CHARITY_SPENDING_PAGE_SIZE = 5
    project = CharityProjectFactory()
    donation = DonationFactory(project=project, receipt_number="PG-1")
    for n in range(7):
        ExpenditureFactory(project=project, purpose=f"分页支出{n}", spent_on=datetime.date(2026, 3, 1 + n))
    url = reverse("charity:project", args=[project.pk])
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "分页支出6" in first and "分页支出2" in first and "分页支出1" not in first  # newest first
    assert "分页支出1" in second and "分页支出0" in second and "分页支出6" not in second
    assert "共 7 笔" in first and 'rel="next"' in first
    lookup = client.get(
        reverse("charity:lookup"),
        {"organization": project.organization.pk, "receipt_number": donation.receipt_number},
    ).content.decode()
    assert "查看全部 7 笔支出" in lookup and f'href="{url}#spending-h"' in lookup
    assert "分页支出1" not in lookup
