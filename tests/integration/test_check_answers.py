"""Issue 18 point 7: task lists on the long forms and a check-your-answers step before the
annual report is submitted (S2) and before an order is placed (F4 prices from the server)."""

import re
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.test import Client

from marketplace.orders.models import Order
from orgs.reports import services as report_services
from orgs.reports.models import AnnualReport, ReportStatus, ReportSubmission
from tests.factories.cms import make_home_page
from tests.factories.orders import family_user, funeral_home, make_quote
from tests.factories.orgs import MembershipFactory, OrganizationFactory, attach_required, make_report
from tests.integration.test_orders_views import form_data as order_form_data
from tests.integration.test_reports_views import form_data as report_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()


def login(user):
    client = Client()
    client.force_login(user)
    return client


def task_statuses(html):
    """{section title: status} from the task list at the top of a form."""
    soup = BeautifulSoup(html, "html.parser")
    tasklist = soup.select_one("ol.task-list")
    assert tasklist is not None, "no task list on the page"
    return {
        item.select_one("a").get_text(strip=True): item.select_one(".task-status").get_text(strip=True)
        for item in tasklist.select("li")
    }


@pytest.fixture
def member():
    return MembershipFactory(organization=OrganizationFactory(name="北京市朝阳区养老服务协会"))


# --- Annual report ---------------------------------------------------------------------------------------


def test_report_task_list_shows_each_sections_status_from_the_saved_draft(member):
    report = report_services.start_report(member.organization, 2025, user=member.user)
    report.council_meetings = 2
    report.activities_summary = "开展助老服务"
    report.income_donations = Decimal("100.00")  # the income total still says 0: an S2 content error
    report.total_assets = Decimal("50.00")
    report.total_liabilities = Decimal("50.00")
    report.save()
    html = login(member.user).get(f"/workbench/reports/{member.organization.uscc}/2025/").content.decode()
    statuses = task_statuses(html)
    assert statuses == {
        "一、基本信息确认": "未开始",
        "二、内部治理": "已完成",
        "三、业务活动": "已完成",
        "四、财务状况：资产负债": "已完成",
        "五、财务状况：收入": "有错误",
        "六、财务状况：费用": "未开始",
        "附件": "未开始",
    }
    soup = BeautifulSoup(html, "html.parser")
    assert soup.select_one("ol.task-list a[href='#section-income']") is not None
    assert soup.select_one("#section-income") is not None
    # Notes typed without the confirmation tick: the first section is in progress.
    report.basic_info_notes = "住所已变更"
    report.save()
    html = login(member.user).get(f"/workbench/reports/{member.organization.uscc}/2025/").content.decode()
    assert task_statuses(html)["一、基本信息确认"] == "进行中"


def test_report_form_shows_the_server_computed_totals(member):
    make_report(member.organization, user=member.user, income_donations=Decimal("1234.56"))
    html = login(member.user).get(f"/workbench/reports/{member.organization.uscc}/2025/").content.decode()
    soup = BeautifulSoup(html, "html.parser")
    income = soup.select_one("[data-total-for='income_total']")
    assert income is not None and income.get("aria-live") == "polite"
    report = AnnualReport.objects.get()
    parts = sum((getattr(report, name) for name in AnnualReport.INCOME_PARTS), Decimal("0"))
    assert f"{parts:,.2f}" in income.get_text()


def test_S2_submitting_shows_the_check_page_and_submits_only_when_confirmed(member):
    client = login(member.user)
    uscc = member.organization.uscc
    report = make_report(member.organization, user=member.user)
    attach_required(report, member.user)
    response = client.post(
        f"/workbench/reports/{uscc}/2025/",
        {**report_form_data(activities_summary="十二场活动"), "submit": "1"},
    )
    assert response.status_code == 302 and response["Location"] == f"/workbench/reports/{uscc}/2025/check/"
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.activities_summary == "十二场活动"
    assert not ReportSubmission.objects.exists()

    html = client.get(response["Location"]).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    assert soup.h1.get_text(strip=True).startswith("提交前请核对")
    lists = soup.select("dl.summary-list")
    assert len(lists) >= 6
    text = soup.get_text()
    assert "十二场活动" in text and "1,000,000.00" in text
    change_links = {
        a["href"] for a in soup.select(".summary-section a") if a.get_text(strip=True).startswith("修改")
    }
    assert f"/workbench/reports/{uscc}/2025/#section-income" in change_links
    assert f"/workbench/reports/{uscc}/2025/#id_activities_summary" in change_links
    assert soup.select_one("button[name='confirm']").get_text(strip=True) == "确认提交"
    assert not ReportSubmission.objects.exists()

    response = client.post(f"/workbench/reports/{uscc}/2025/check/", {"confirm": "1"}, follow=True)
    assert "年度报告已提交" in response.content.decode()
    assert AnnualReport.objects.get().status == ReportStatus.SUBMITTED
    # A second confirmation (a double click, the back button) does not submit again.
    response = client.post(f"/workbench/reports/{uscc}/2025/check/", {"confirm": "1"})
    assert response.status_code == 302
    assert ReportSubmission.objects.count() == 1


def test_S2_check_page_lists_the_problems_and_offers_no_confirm_while_the_report_is_incomplete(member):
    client = login(member.user)
    uscc = member.organization.uscc
    make_report(member.organization, user=member.user, total_assets=Decimal("1.00"))
    html = client.get(f"/workbench/reports/{uscc}/2025/check/").content.decode()
    assert "资产负债表不平衡" in html and "缺少必需的附件：签章声明页。" in html
    assert 'name="confirm"' not in html
    response = client.post(f"/workbench/reports/{uscc}/2025/check/", {"confirm": "1"})
    assert response.status_code == 400
    assert AnnualReport.objects.get().status == ReportStatus.DRAFT


def test_another_organisations_report_check_page_is_404(member):
    other = make_report(OrganizationFactory(), user=member.user)
    client = login(member.user)
    assert client.get(f"/workbench/reports/{other.organization.uscc}/2025/check/").status_code == 404
    assert (
        client.post(f"/workbench/reports/{other.organization.uscc}/2025/check/", {"confirm": "1"}).status_code
        == 404
    )


# --- Orders ------------------------------------------------------------------------------------------------


def check_url(quote):
    return f"/orders/new/check/?quote={quote.reference}"


def confirm_data(client, quote):
    html = client.get(check_url(quote)).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one("form.confirm-order")
    return {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}


def test_order_task_list_shows_each_sections_status_from_the_posted_form(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    html = client.get(f"/orders/new/?quote={quote.reference}").content.decode()
    assert set(task_statuses(html).values()) == {"未开始"}
    data = order_form_data(quote, deceased_id="123", contact_relation="", requested_time="")
    html = client.post("/orders/new/", data).content.decode()
    assert task_statuses(html) == {"逝者信息": "有错误", "经办家属": "有错误", "服务日期和时间": "有错误"}
    data = order_form_data(quote, requested_time="")
    html = client.post("/orders/new/", data).content.decode()
    assert task_statuses(html) == {"逝者信息": "已完成", "经办家属": "已完成", "服务日期和时间": "有错误"}


def test_posting_the_order_form_shows_the_check_page_and_creates_no_order_until_confirmed(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    response = client.post("/orders/new/", order_form_data(quote, deceased_name="王建国"))
    assert response.status_code == 302 and response["Location"] == check_url(quote)
    assert not Order.objects.exists()
    html = client.get(check_url(quote)).content.decode()
    soup = BeautifulSoup(html, "html.parser")
    text = soup.get_text()
    assert "王建国" in text and "女儿" in text and "09:30" in text
    assert f"¥{quote.total}" in text
    for line in quote.lines.all():
        assert line.item.name in text
    assert len(soup.select("dl.summary-list")) == 3
    hrefs = {a["href"] for a in soup.select(".summary-section a")}
    assert f"/orders/new/?quote={quote.reference}&edit=1#section-deceased" in hrefs
    # The "change" link brings the typed answers back.
    edit = client.get(f"/orders/new/?quote={quote.reference}&edit=1").content.decode()
    assert 'value="王建国"' in edit and 'value="女儿"' in edit
    assert set(task_statuses(edit).values()) == {"已完成"}
    assert not Order.objects.exists()

    response = client.post("/orders/new/check/", confirm_data(client, quote))
    order = Order.objects.get(quote=quote)
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.deceased_name == "王建国" and order.total == quote.total


def test_F4_a_tampered_price_in_the_confirm_post_is_ignored(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    client.post("/orders/new/", order_form_data(quote))
    data = confirm_data(client, quote)
    for line in quote.lines.all():
        data[f"price_{line.item_id}"] = "0.01"
    data.update(total="0.01", subtotal="0.01")
    client.post("/orders/new/check/", data)
    order = Order.objects.get(quote=quote)
    assert order.total == quote.total and order.total > Decimal("1")
    assert {line.unit_price for line in order.lines.all()} == {line.unit_price for line in quote.lines.all()}


def test_a_double_confirm_creates_one_order(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    client.post("/orders/new/", order_form_data(quote))
    data = confirm_data(client, quote)
    first = client.post("/orders/new/check/", data)
    second = client.post("/orders/new/check/", data)
    order = Order.objects.get(quote=quote)
    assert first["Location"] == second["Location"] == order.get_absolute_url()
    assert Order.objects.filter(quote=quote).count() == 1


def test_a_confirm_without_the_one_time_token_creates_no_order(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    client.post("/orders/new/", order_form_data(quote))
    data = confirm_data(client, quote)
    data["token"] = "forged"
    response = client.post("/orders/new/check/", data)
    assert (
        response.status_code == 302 and response["Location"] == f"/orders/new/?quote={quote.reference}&edit=1"
    )
    assert not Order.objects.exists()


def test_the_check_page_for_another_familys_quote_is_404(client):
    quote = make_quote(family_user(), funeral_home())
    client.force_login(family_user())
    assert client.get(check_url(quote)).status_code == 404
    assert client.post("/orders/new/check/", {"quote": quote.reference, "token": "x"}).status_code == 404


def test_the_check_page_without_a_checked_form_goes_back_to_the_form(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    response = client.get(check_url(quote))
    assert response.status_code == 302 and response["Location"] == f"/orders/new/?quote={quote.reference}"


def test_order_lines_match_the_check_page(client):
    family = family_user()
    quote = make_quote(family, funeral_home())
    client.force_login(family)
    client.post("/orders/new/", order_form_data(quote))
    html = client.get(check_url(quote)).content.decode()
    amounts = re.findall(r"¥([\d,]+\.\d\d)", html)
    assert f"{quote.total:,.2f}" in amounts or str(quote.total) in amounts
