"""Donation imports: dry run reporting each rejected row by line number, all-or-nothing
confirmation, idempotency by receipt number, Excel files and a 10,000-row file."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from orgs.charity import imports
from orgs.charity.models import Donation
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


def csv_bytes(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
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
        reverse("charity_workbench:import", args=[membership.organization.uscc, project.pk]),
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
    assert [(r.line, "另一笔" in r.reason) for r in result.rejected] == [(3, True)]


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
    url = reverse("charity_workbench:import", args=[other.organization.uscc, other.pk])
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
