"""Donation and spending imports: dry run reporting each rejected row by line number, all-or-nothing
confirmation, idempotency by receipt number, Excel files and a 10,000-row file."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from freezegun import freeze_time
from openpyxl import Workbook

from orgs.charity import imports
from orgs.charity.models import Donation, Expenditure
from tests.factories.charity import CharityFactory, CharityProjectFactory, DonationFactory
from tests.factories.orgs import MembershipFactory

pytestmark = pytest.mark.django_db

HEADER = ["票据号", "捐赠人", "是否匿名", "捐赠类型", "金额或估值（元）", "物资说明", "捐赠日期", "捐赠渠道"]


def good_row(i):
    return [
        f"IMP-{i:06d}",
        f"捐赠人{i}",
        "是" if i % 4 == 0 else "否",
        "资金",
        f"{100 + i % 50}.50",
        "",
        "2026-02-03",
        "银行转账",
    ]


def csv_bytes(rows, header=HEADER):
    """A UTF-8 CSV with a BOM, as Excel saves it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@pytest.fixture
def staff(client):
    membership = MembershipFactory(organization=CharityFactory())
    client.force_login(membership.user)
    project = CharityProjectFactory(organization=membership.organization)
    return (
        client,
        project,
        reverse("charity_workbench:import", args=[membership.organization.uscc, project.pk, "donations"]),
    )


def upload(client, url, data, name="donations.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def test_three_bad_rows_among_200_are_reported_by_line_and_nothing_is_written(staff):
    client, project, url = staff
    rows = [good_row(i) for i in range(200)]
    rows[9][4] = "十元"  # line 11
    rows[99][6] = "2026/13/01"  # line 101
    rows[150][0] = rows[3][0]  # line 152 duplicates line 5
    response = upload(client, url, csv_bytes(rows))
    result = response.context["result"]
    assert [r.line for r in result.rejected] == [11, 101, 152]
    assert "金额" in result.rejected[0].reason
    assert "日期" in result.rejected[1].reason
    assert "第5行" in result.rejected[2].reason
    assert response.context["token"] is None
    assert not Donation.objects.exists()


def test_confirmed_import_writes_all_rows_and_reupload_adds_nothing(staff):
    client, project, url = staff
    data = csv_bytes([good_row(i) for i in range(200)])
    response = upload(client, url, data)
    assert len(response.context["result"].new) == 200
    assert not Donation.objects.exists()
    response = client.post(url, {"token": response.context["token"]})
    assert response.status_code == 302
    assert Donation.objects.filter(project=project).count() == 200
    assert Donation.objects.filter(anonymous=True).count() == 50
    response = upload(client, url, data)
    assert (len(response.context["result"].new), response.context["result"].skipped) == (0, 200)
    assert response.context["token"] is None
    assert Donation.objects.count() == 200


def test_receipt_used_for_a_different_donation_is_rejected(staff):
    client, project, url = staff
    DonationFactory(project=project, receipt_number="IMP-000001", amount=Decimal("1.00"))
    result = upload(client, url, csv_bytes([good_row(0), good_row(1)])).context["result"]
    assert [(r.line, "另一条" in r.reason) for r in result.rejected] == [(3, True)]


def test_confirm_is_all_or_nothing_when_a_row_became_invalid(staff):
    client, project, url = staff
    response = upload(client, url, csv_bytes([good_row(i) for i in range(5)]))
    token = response.context["token"]
    DonationFactory(project=project, receipt_number="IMP-000004", amount=Decimal("9.99"))
    response = client.post(url, {"token": token})
    assert [r.line for r in response.context["result"].rejected] == [6]
    assert Donation.objects.count() == 1


def test_excel_file_with_dates_and_in_kind_rows(staff):
    import datetime

    client, project, url = staff
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["XL-1", "周八", "否", "物资", 1200, "棉被30床", datetime.datetime(2026, 2, 1), "其他"])
    sheet.append(["XL-2", "吴九", "否", "物资", 300, "", datetime.datetime(2026, 2, 2), "其他"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = upload(client, url, buffer.getvalue(), "donations.xlsx").context["result"]
    assert [(r.line, "物资说明" in r.reason) for r in result.rejected] == [(3, True)]
    assert result.new[0].donated_on == datetime.date(2026, 2, 1)
    assert result.new[0].amount == Decimal("1200.00")


def test_wrong_file_type_and_missing_headers_are_explained(staff):
    client, _project, url = staff
    response = upload(client, url, b"x", "donations.txt")
    assert "只接受" in response.content.decode()
    response = upload(client, url, "票据号,捐赠人\nA,B\n".encode(), "donations.csv")
    assert "缺少表头" in response.content.decode()


def test_another_organisations_project_answers_404(staff):
    client, _project, _url = staff
    other = CharityProjectFactory()
    url = reverse("charity_workbench:import", args=[other.organization.uscc, other.pk, "donations"])
    assert upload(client, url, csv_bytes([good_row(1)])).status_code == 404
    assert not Donation.objects.exists()


def test_ten_thousand_row_file_imports_once():
    project = CharityProjectFactory()
    data = csv_bytes([good_row(i) for i in range(10000)])
    rows = imports.read_rows("big.csv", data)
    assert len(rows) == 10000
    user = MembershipFactory(organization=project.organization).user
    result = imports.confirm(project, rows, user=user)
    assert (result.created, result.rejected) == (10000, [])
    again = imports.confirm(project, imports.read_rows("big.csv", data), user=user)
    assert (again.created, again.skipped) == (0, 10000)
    assert Donation.objects.count() == 10000


# --- spending ------------------------------------------------------------------------

SPEND_HEADER = ["凭证号", "支出日期", "支出金额（元）", "用途", "受益人数"]


def spend_row(i):
    return [f"ZC-{i:06d}", "2026-03-10", f"{200 + i % 90}.00", f"第{i}批帮扶物资采购", str(i % 30)]


def spend_csv(rows):
    return csv_bytes(rows, SPEND_HEADER)


@pytest.fixture
def spend_url(staff):
    client, project, _url = staff
    return reverse("charity_workbench:import", args=[project.organization.uscc, project.pk, "expenditures"])


def test_spending_file_with_three_bad_rows_among_200_reports_them_and_writes_nothing(staff, spend_url):
    client, project, _url = staff
    rows = [spend_row(i) for i in range(200)]
    rows[19][2] = "-5"  # line 21
    rows[120][3] = ""  # line 122
    rows[180][1] = "2026-01-01"  # line 182: before the project starts on 2026-01-20
    response = upload(client, spend_url, spend_csv(rows), "spending.csv")
    result = response.context["result"]
    assert [r.line for r in result.rejected] == [21, 122, 182]
    assert "金额" in result.rejected[0].reason
    assert "用途" in result.rejected[1].reason
    assert "早于项目开始日期2026-01-20" in result.rejected[2].reason
    assert response.context["token"] is None
    assert not Expenditure.objects.exists()
    page = response.content.decode()
    assert '<td class="num">182</td>' in page


def test_confirmed_spending_import_is_idempotent_by_voucher_number(staff, spend_url):
    client, project, _url = staff
    data = spend_csv([spend_row(i) for i in range(50)])
    response = upload(client, spend_url, data, "spending.csv")
    assert not Expenditure.objects.exists()
    response = client.post(spend_url, {"token": response.context["token"]})
    assert response.status_code == 302
    assert Expenditure.objects.filter(project=project).count() == 50
    assert Expenditure.objects.get(voucher_number="ZC-000007").beneficiary_count == 7
    result = upload(client, spend_url, data, "spending.csv").context["result"]
    assert (len(result.new), result.skipped, result.rejected) == (0, 50, [])
    changed = [spend_row(i) for i in range(50)]
    changed[3][2] = "999.00"  # same voucher, different amount: refused, not overwritten
    result = upload(client, spend_url, spend_csv(changed), "spending.csv").context["result"]
    assert [(r.line, "凭证号已用于另一条" in r.reason) for r in result.rejected] == [(5, True)]
    assert Expenditure.objects.count() == 50


def test_a_donation_token_cannot_confirm_a_spending_import(staff, spend_url):
    client, project, url = staff
    token = upload(client, url, csv_bytes([good_row(1)])).context["token"]
    response = client.post(spend_url, {"token": token})
    assert response.status_code == 302
    assert not Expenditure.objects.exists() and not Donation.objects.exists()


def test_spending_excel_file_and_template(staff, spend_url):
    import datetime

    client, project, _url = staff
    template = client.get(
        reverse("charity_workbench:import_template", args=[project.organization.uscc, "expenditures"])
    )
    assert template.content.decode("utf-8-sig").splitlines()[0] == ",".join(SPEND_HEADER)
    book = Workbook()
    sheet = book.active
    sheet.append(SPEND_HEADER)
    sheet.append(["XZ-1", datetime.datetime(2026, 3, 1), 1500, "助学金发放", 12])
    sheet.append(["XZ-2", datetime.datetime(2026, 3, 2), 80.5, "快递费", "两人"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = upload(client, spend_url, buffer.getvalue(), "spending.xlsx").context["result"]
    assert [(r.line, "受益人数" in r.reason) for r in result.rejected] == [(3, True)]
    assert (result.new[0].spent_on, result.new[0].amount) == (datetime.date(2026, 3, 1), Decimal("1500.00"))


def test_unknown_import_kind_answers_404(staff):
    client, project, _url = staff
    url = reverse("charity_workbench:import", args=[project.organization.uscc, project.pk, "salaries"])
    assert client.get(url).status_code == 404


def test_another_organisation_cannot_import_spending(staff):
    client, _project, _url = staff
    other = CharityProjectFactory()
    url = reverse("charity_workbench:import", args=[other.organization.uscc, other.pk, "expenditures"])
    assert upload(client, url, spend_csv([spend_row(1)]), "spending.csv").status_code == 404
    assert not Expenditure.objects.exists()


def test_ten_thousand_row_spending_file_imports_once():
    project = CharityProjectFactory()
    data = spend_csv([spend_row(i) for i in range(10000)])
    rows = imports.read_rows("big.csv", data, imports.EXPENDITURES)
    user = MembershipFactory(organization=project.organization).user
    result = imports.confirm(project, rows, user=user, spec=imports.EXPENDITURES)
    assert (result.created, result.rejected) == (10000, [])
    again = imports.confirm(project, rows, user=user, spec=imports.EXPENDITURES)
    assert (again.created, again.skipped) == (0, 10000)
    assert Expenditure.objects.count() == 10000


def test_a_checked_file_waits_for_its_confirmation_as_long_as_the_setting_says(staff, settings):
    client, project, url = staff
    settings.IMPORT_STAGING_SECONDS = 60
    with freeze_time("2026-03-10 10:00:00+08:00") as clock:
        token = upload(client, url, csv_bytes([good_row(1)])).context["token"]
        clock.tick(61)
        response = client.post(url, {"token": token}, follow=True)
        assert "检查结果已过期，请重新上传文件。" in response.content.decode()
        assert not Donation.objects.exists()
        token = upload(client, url, csv_bytes([good_row(1)])).context["token"]
        clock.tick(59)
        response = client.post(url, {"token": token})
    assert response.status_code == 302
    assert Donation.objects.filter(project=project, receipt_number="IMP-000001").count() == 1
