"""Imports and uploads can't exhaust the server (issue 12, point 6).

What a file declares never decides how much work is done: the upload is capped, an .xlsx
is measured unzipped before it is opened, its sheet is read in streaming mode whatever its
declared dimension says, and reading stops at the row cap, empty rows included. Whatever a
parser raises becomes a file error or a rejected row in the dry-run report, never a 500.
Attachments are judged by their bytes, not by their names."""

import csv
import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from orgs.charity import imports
from orgs.charity.models import BasicInfoDisclosure, Donation, Expenditure, ProgressReport
from tests.factories.charity import CharityFactory, CharityProjectFactory
from tests.factories.orgs import MembershipFactory, pdf_bytes

pytestmark = pytest.mark.django_db

HEADER = ["票据号", "捐赠人", "是否匿名", "捐赠类型", "金额或估值（元）", "物资说明", "捐赠日期", "捐赠渠道"]


def row(i, donor=None):
    return [f"T-{i:05d}", donor or f"捐赠人{i}", "否", "资金", "100.00", "", "2026-02-03", "银行转账"]


def csv_bytes(rows, header=HEADER):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows, header=HEADER):
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rewrite_zip(data, edit):
    """A copy of the .xlsx ``data`` with ``edit(name, bytes) -> bytes`` applied to each part."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, edit(info.filename, source.read(info.filename)))
    return buffer.getvalue()


def edit_sheet(data, edit):
    return rewrite_zip(data, lambda name, part: edit(part) if name == "xl/worksheets/sheet1.xml" else part)


@pytest.fixture
def staff(client):
    membership = MembershipFactory(organization=CharityFactory())
    client.force_login(membership.user)
    project = CharityProjectFactory(organization=membership.organization)
    url = reverse("charity_workbench:import", args=[membership.organization.uscc, project.pk, "donations"])
    return client, project, url


def upload(client, url, data, name="donations.csv"):
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


def file_error(response):
    return " ".join(response.context["form"].errors.get("file", []))


@pytest.fixture
def sheet_reads(monkeypatch):
    """Count the rows openpyxl's streaming reader hands out and the widest of them. The real
    reader runs unchanged; once it does the work a declared dimension asks for (thousands of
    rows or columns), the count stops it so the test fails at once instead of running for
    minutes."""
    seen = {"rows": 0, "widest": 0}
    real = ReadOnlyWorksheet._cells_by_row

    def counting(self, *args, **kwargs):
        for cells in real(self, *args, **kwargs):
            seen["rows"] += 1
            seen["widest"] = max(seen["widest"], len(cells))
            assert seen["widest"] <= 200 and seen["rows"] <= 5000, f"read too much: {seen}"
            yield cells

    monkeypatch.setattr(ReadOnlyWorksheet, "_cells_by_row", counting)
    return seen


# --- Spreadsheets that declare more than they hold ------------------------------------------


def test_xlsx_with_huge_declared_dimension_is_read_quickly(staff, settings, sheet_reads):
    client, _project, url = staff
    data = edit_sheet(
        xlsx_bytes([row(1), row(2), row(3)]),
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD1048576"', xml),
    )
    assert b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    response = upload(client, url, data, "donations.xlsx")
    result = response.context["result"]
    assert [d.receipt_number for d in result.new] == ["T-00001", "T-00002", "T-00003"]
    assert result.rejected == [] and response.context["token"]
    # The header and three rows were read, each only as wide as the template plus the margin.
    assert sheet_reads["rows"] == 4
    assert sheet_reads["widest"] == len(HEADER) + settings.IMPORT_EXTRA_COLUMNS


def test_xlsx_empty_rows_count_toward_the_row_cap(staff, settings, sheet_reads):
    """A single cell on the sheet's last row would otherwise make the reader walk a million
    empty rows; reading stops at the cap and the file is refused."""
    settings.IMPORT_MAX_ROWS = 50
    client, _project, url = staff
    far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>X</t></is></c></row></sheetData>'
    data = edit_sheet(xlsx_bytes([row(1), row(2)]), lambda xml: xml.replace(b"</sheetData>", far))
    response = upload(client, url, data, "donations.xlsx")
    assert response.context["result"] is None
    assert "一次最多导入50行（空行也计入）" in file_error(response)
    assert sheet_reads["rows"] <= 52


def test_csv_empty_lines_count_toward_the_row_cap(staff, settings):
    settings.IMPORT_MAX_ROWS = 50
    client, _project, url = staff
    data = csv_bytes([row(1)] + [[]] * 60 + [row(2)])
    response = upload(client, url, data)
    assert response.context["result"] is None
    assert "一次最多导入50行（空行也计入）" in file_error(response)
    # Up to the cap, empty lines are allowed and skipped.
    result = upload(client, url, csv_bytes([row(1)] + [[]] * 40 + [row(2)])).context["result"]
    assert ([d.receipt_number for d in result.new], result.rejected) == (["T-00001", "T-00002"], [])


def test_xlsx_shared_string_bomb_is_refused(staff, settings):
    """A few hundred kilobytes that unzip to more than the limit (here one 64 MB shared
    string) are refused before openpyxl opens the file, so the string is never built."""
    client, _project, url = staff
    size = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES + 16 * 1024 * 1024
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes([row(1)])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            part = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                part = part.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if info.filename == "xl/worksheets/sheet1.xml":  # the donor cell points at string 0
                part = re.sub(
                    rb'<c r="B2" t="inlineStr"><is><t>[^<]*</t></is></c>',
                    b'<c r="B2" t="s"><v>0</v></c>',
                    part,
                )
            target.writestr(info.filename, part)
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            chunk = b"A" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                strings.write(chunk)
            strings.write(b"</t></si></sst>")
    data = buffer.getvalue()
    assert len(data) < 1024 * 1024
    response = upload(client, url, data, "donations.xlsx")
    assert response.status_code == 200 and response.context["result"] is None
    error = file_error(response)
    assert "解压后超过48 MB" in error and "xl/sharedStrings.xml" in error
    assert not Donation.objects.exists()


def test_xlsx_row_with_thousands_of_cells_is_refused(staff):
    """openpyxl keeps a whole row in memory; a row of more cells than the limit is refused
    before the sheet is read."""
    client, _project, url = staff
    cells = b"".join(b"<c/>" for _ in range(5000))
    data = edit_sheet(xlsx_bytes([row(1)]), lambda xml: xml.replace(b"</row>", cells + b"</row>", 1))
    response = upload(client, url, data, "donations.xlsx")
    assert response.context["result"] is None
    assert "有一行超过1000个单元格" in file_error(response)


def test_damaged_xlsx_parts_are_a_file_error(staff):
    client, _project, url = staff
    for data in (
        edit_sheet(xlsx_bytes([row(1)]), lambda xml: xml[: len(xml) // 2]),  # truncated XML
        edit_sheet(xlsx_bytes([row(1)]), lambda xml: xml.replace(b'r="A2"', b'r="QQQQQ2"')),
        b"PK\x03\x04 not really a zip",
    ):
        response = upload(client, url, data, "donations.xlsx")
        assert response.status_code == 200 and response.context["result"] is None
        assert "Excel" in file_error(response)


# --- CSV parser errors, size caps -----------------------------------------------------------


def test_csv_field_over_limit_is_a_file_error_not_500(staff):
    client, _project, url = staff
    # An unbalanced quote swallows the rest of the file into one enormous field.
    data = csv_bytes([row(1)]) + b'T-2,"' + b"x" * (csv.field_size_limit() + 10) + b"\n"
    response = upload(client, url, data)
    assert response.status_code == 200 and response.context["result"] is None
    assert "第3行有单元格超过131072个字符" in file_error(response)
    assert not Donation.objects.exists()


def test_cell_over_the_cap_is_a_rejected_row_with_line_and_column(staff, settings):
    client, _project, url = staff
    long_donor = "长" * (settings.IMPORT_MAX_CELL_CHARS + 1)
    result = upload(client, url, csv_bytes([row(1), row(2, donor=long_donor), row(3)])).context["result"]
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, f"第B列（捐赠人）超过{settings.IMPORT_MAX_CELL_CHARS}个字符")
    ]
    assert [d.receipt_number for d in result.new] == ["T-00001", "T-00003"]


def test_csv_that_is_not_utf8_names_the_line(staff):
    client, _project, url = staff
    data = csv_bytes([row(1)]) + "T-2,王五".encode("gbk") + b"\n"
    response = upload(client, url, data)
    assert "CSV文件须为UTF-8编码（第3行" in file_error(response)


def test_upload_over_cap_is_refused(staff, settings):
    client, _project, url = staff
    settings.IMPORT_MAX_UPLOAD_BYTES = 4096
    data = csv_bytes([row(i) for i in range(100)])
    assert len(data) > 4096
    response = upload(client, url, data)
    assert response.status_code == 200 and response.context["result"] is None
    assert "的上限" in file_error(response)
    # read_rows refuses it too, whoever calls it.
    with pytest.raises(imports.ImportFileError, match="上限"):
        imports.read_rows("donations.csv", data)


# --- Headers and characters ----------------------------------------------------------------


def test_duplicate_headers_are_rejected(staff):
    client, _project, url = staff
    response = upload(client, url, csv_bytes([row(1) + ["王五"]], header=HEADER + ["捐赠人"]))
    assert response.context["result"] is None
    assert "表头“捐赠人”重复：第B列和第I列" in file_error(response)
    assert not Donation.objects.exists()


def test_nul_and_control_characters_reported_with_line_and_column(staff):
    client, _project, url = staff
    rows = [row(1), row(2, donor="张\x00三"), row(3), row(4)]
    rows[3][5] = "棉被\x1b[31m"  # column F, line 5
    rows[3][3] = "物资"
    response = upload(client, url, csv_bytes(rows))
    result = response.context["result"]
    assert [(r.line, r.reason) for r in result.rejected] == [
        (3, "第B列（捐赠人）含有控制字符 U+0000"),
        (5, "第F列（物资说明）含有控制字符 U+001B"),
    ]
    assert response.context["token"] is None
    page = response.content.decode()
    assert "第B列（捐赠人）含有控制字符 U+0000" in page
    # In the header it is a file error naming line 1 and the column.
    response = upload(client, url, csv_bytes([row(1)], header=[*HEADER[:2], "是否\x07匿名", *HEADER[3:]]))
    assert "第1行第C列（表头）含有控制字符 U+0007" in file_error(response)
    assert not Donation.objects.exists()


def test_a_clean_file_still_imports_after_all_the_checks(staff):
    client, project, url = staff
    data = xlsx_bytes([[*row(1)[:6], datetime.datetime(2026, 2, 3), "银行转账"], row(2)])
    token = upload(client, url, data, "donations.xlsx").context["token"]
    assert client.post(url, {"token": token}).status_code == 302
    assert sorted(Donation.objects.filter(project=project).values_list("receipt_number", flat=True)) == [
        "T-00001",
        "T-00002",
    ]


# --- Attachments are checked by content -------------------------------------------------------

FAKES = {
    "exe": b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
    "html": b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>",
}


@pytest.fixture
def org_staff(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    membership = MembershipFactory(
        organization=CharityFactory(charity_recognized_on=datetime.date(2020, 9, 1))
    )
    client.force_login(membership.user)
    return client, membership.organization, CharityProjectFactory(organization=membership.organization)


@pytest.mark.parametrize("fake", sorted(FAKES))
def test_charity_attachment_checked_by_content(org_staff, fake):
    """A .pdf that is really an executable or an HTML page is refused wherever a charity
    uploads a file: a spending voucher, a progress-report attachment, the C1 articles."""
    client, organization, project = org_staff
    disguised = lambda: SimpleUploadedFile("凭证.pdf", FAKES[fake], content_type="application/pdf")  # noqa: E731

    voucher_url = reverse("charity_workbench:expenditure_new", args=[organization.uscc, project.pk])
    spending = {"amount": "10.00", "purpose": "购买药品", "beneficiary_count": "3", "spent_on": "2026-02-10"}
    response = client.post(voucher_url, {**spending, "document": disguised()})
    assert response.status_code == 200 and not Expenditure.objects.exists()
    assert "内容不是有效的 PDF" in " ".join(response.context["form"].errors["document"])

    report_url = reverse("charity_workbench:report_new", args=[organization.uscc, project.pk])
    report = {
        "kind": "progress",
        "period_start": "2026-01-20",
        "period_end": "2026-04-19",
        "published_on": "2026-04-15",
        "text": "本期共供餐1200份。",
    }
    response = client.post(report_url, {**report, "attachments": [disguised()]})
    assert response.status_code == 200 and not ProgressReport.objects.exists()
    assert "内容不是有效的 PDF" in " ".join(response.context["form"].errors["attachments"])
    # An image whose bytes are not the image its name says is refused too.
    renamed = SimpleUploadedFile("照片.png", FAKES[fake], content_type="image/png")
    response = client.post(report_url, {**report, "attachments": [renamed]})
    assert not ProgressReport.objects.exists()
    assert "文件内容须与扩展名一致" in " ".join(response.context["form"].errors["attachments"])

    c1_url = reverse("charity_workbench:basic_info", args=[organization.uscc])
    c1 = {"changed_on": "2020-09-01", "summary": "首次公开。", "governing_body": "示例甲 理事长"}
    response = client.post(c1_url, {**c1, "articles": disguised()})
    assert response.status_code == 200 and not BasicInfoDisclosure.objects.exists()
    assert "内容不是有效的 PDF" in " ".join(response.context["form"].errors["articles"])

    # Real files go through, and are stored as sent.
    real = pdf_bytes("章程")
    response = client.post(c1_url, {**c1, "articles": SimpleUploadedFile("章程.pdf", real)})
    assert response.status_code == 302
    with BasicInfoDisclosure.objects.get().articles.open("rb") as stored:
        assert stored.read() == real
    response = client.post(voucher_url, {**spending, "document": SimpleUploadedFile("凭证.pdf", real)})
    assert response.status_code == 302 and Expenditure.objects.count() == 1


def test_charity_attachment_over_the_cap_is_refused(org_staff, settings):
    client, organization, project = org_staff
    settings.CHARITY_ATTACHMENT_MAX_BYTES = 1024
    url = reverse("charity_workbench:expenditure_new", args=[organization.uscc, project.pk])
    data = {"amount": "10.00", "purpose": "购买药品", "beneficiary_count": "3", "spent_on": "2026-02-10"}
    response = client.post(url, {**data, "document": SimpleUploadedFile("凭证.pdf", pdf_bytes("凭证"))})
    assert response.status_code == 200 and not Expenditure.objects.exists()
    assert "上限" in " ".join(response.context["form"].errors["document"])
