"""Donation and spending imports from CSV or Excel with Chinese headers.

A dry run validates every row and reports each rejected row by its line number (the
header is line 1). A confirmed import is all-or-nothing, and idempotent: a row whose
key (a donation's receipt number, a spending row's voucher number) is already recorded
with the same content is skipped, so re-uploading the same file adds nothing twice.

Each kind of import is an :class:`ImportSpec`; the reading, checking and confirming are
shared."""

import csv
import datetime
import io
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.opendata import safe_row
from search.index import index_objects

from .models import Donation, Expenditure

MAX_AMOUNT = Decimal("10000000000")
YES = {"是": True, "否": False, "": False}


class ImportFileError(Exception):
    pass


@dataclass
class Rejection:
    line: int
    reason: str


@dataclass
class ImportResult:
    new: list = field(default_factory=list)  # unsaved model instances
    skipped: int = 0  # already recorded with the same content
    rejected: list = field(default_factory=list)
    created: int = 0

    @property
    def ok(self):
        return not self.rejected


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _amount(values, key, errors):
    try:
        amount = Decimal(values.get(key, "").replace(",", ""))
        if amount <= 0 or amount.as_tuple().exponent < -2 or amount >= MAX_AMOUNT:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(_("金额应为大于0、最多两位小数的数字"))
        return None
    return amount.quantize(Decimal("0.01"))


def _date(values, key, errors, today):
    try:
        value = datetime.date.fromisoformat(values.get(key, "")[:10])
    except ValueError:
        errors.append(_("日期应为YYYY-MM-DD格式"))
        return None
    if value > today:
        errors.append(_("日期晚于今天"))
    return value


def _key(values, key, errors, label, max_length=40):
    value = values.get(key, "")
    if not value:
        errors.append(_("%(field)s为空") % {"field": label})
    elif len(value) > max_length:
        errors.append(_("%(field)s超过%(n)s个字符") % {"field": label, "n": max_length})
    return value


class ImportSpec(ABC):
    """One kind of import: its Chinese headers, how a row becomes a record and its key."""

    model = None
    kind = ""
    title = ""
    help = ""
    key_field = ""
    key_label = ""
    headers = {}  # Chinese header → field
    required = set()
    compared = ()  # fields that must match for a re-uploaded row to count as the same
    template_rows = ()
    log_action = ""

    @abstractmethod
    def parse(self, project, values, today):
        """An unsaved record, or raise ValueError with every reason."""

    @abstractmethod
    def existing(self, project, keys):
        """Current records with these keys, in the key's scope."""

    @abstractmethod
    def same(self, existing, new):
        """Whether a re-uploaded row repeats the recorded one (and is skipped)."""


class DonationImport(ImportSpec):
    model = Donation
    kind = "donations"
    title = gettext_lazy("导入捐赠明细")
    help = gettext_lazy(
        "表头（第一行）：票据号、捐赠人、是否匿名（是/否）、捐赠类型（资金/物资）、金额或估值（元）、"
        "物资说明、捐赠日期（YYYY-MM-DD）、捐赠渠道（平台在线捐赠/银行转账/现金/其他）。"
        "票据号在本机构内唯一；重复上传同一文件不会重复登记。"
    )
    key_field = "receipt_number"
    key_label = gettext_lazy("票据号")
    headers = {
        "票据号": "receipt_number",
        "捐赠人": "donor_name",
        "是否匿名": "anonymous",
        "捐赠类型": "kind",
        "金额或估值（元）": "amount",
        "物资说明": "in_kind_description",
        "捐赠日期": "donated_on",
        "捐赠渠道": "channel",
    }
    required = {"receipt_number", "donor_name", "amount", "donated_on", "channel"}
    compared = ("donor_name", "anonymous", "kind", "amount", "in_kind_description", "donated_on", "channel")
    kinds = {"资金": Donation.Kind.MONEY, "物资": Donation.Kind.IN_KIND, "": Donation.Kind.MONEY}
    channels = {
        "平台在线捐赠": Donation.Channel.ONLINE,
        "银行转账": Donation.Channel.BANK,
        "现金": Donation.Channel.CASH,
        "其他": Donation.Channel.OTHER,
    }
    template_rows = (
        ["JZ2026-0001", "张三", "否", "资金", "500.00", "", "2026-03-01", "银行转账"],
        ["JZ2026-0002", "李四", "是", "物资", "1200.00", "冬季棉衣20件", "2026-03-02", "其他"],
    )
    log_action = "charity.import_donations"

    def parse(self, project, values, today):
        errors = []
        receipt = _key(values, "receipt_number", errors, _("票据号"))
        donor = values.get("donor_name", "")
        if not donor:
            errors.append(_("捐赠人为空"))
        elif len(donor) > 100:
            errors.append(_("捐赠人超过100个字符"))
        anonymous = YES.get(values.get("anonymous", ""))
        if anonymous is None:
            errors.append(_("“是否匿名”应填“是”或“否”"))
        kind = self.kinds.get(values.get("kind", ""))
        if kind is None:
            errors.append(_("捐赠类型应为“资金”或“物资”"))
        amount = _amount(values, "amount", errors)
        description = values.get("in_kind_description", "")
        if kind == Donation.Kind.IN_KIND and not description:
            errors.append(_("物资捐赠须填写物资说明"))
        donated_on = _date(values, "donated_on", errors, today)
        channel = self.channels.get(values.get("channel", ""))
        if channel is None:
            errors.append(_("捐赠渠道应为平台在线捐赠、银行转账、现金或其他"))
        if errors:
            raise ValueError("；".join(errors))
        return Donation(
            organization=project.organization,
            project=project,
            receipt_number=receipt,
            donor_name=donor,
            anonymous=anonymous,
            kind=kind,
            amount=amount,
            in_kind_description=description[:200],
            donated_on=donated_on,
            channel=channel,
        )

    def existing(self, project, keys):
        # Receipt numbers are unique in the whole organisation, not only the project.
        return Donation.objects.filter(
            organization=project.organization, receipt_number__in=keys, corrects__isnull=True
        )

    def same(self, existing, new):
        return existing.project_id == new.project_id and _same_fields(existing, new, self.compared)


class ExpenditureImport(ImportSpec):
    model = Expenditure
    kind = "expenditures"
    title = gettext_lazy("导入支出明细")
    help = gettext_lazy(
        "表头（第一行）：凭证号、支出日期（YYYY-MM-DD）、支出金额（元）、用途、受益人数。"
        "凭证号在本项目内唯一；重复上传同一文件不会重复登记。支出凭证文件请在导入后逐条以更正记录补传。"
    )
    key_field = "voucher_number"
    key_label = gettext_lazy("凭证号")
    headers = {
        "凭证号": "voucher_number",
        "支出日期": "spent_on",
        "支出金额（元）": "amount",
        "用途": "purpose",
        "受益人数": "beneficiary_count",
    }
    required = {"voucher_number", "spent_on", "amount", "purpose"}
    compared = ("amount", "purpose", "beneficiary_count", "spent_on")
    template_rows = (
        ["ZC2026-0001", "2026-03-05", "12000.00", "为50户困难家庭采购冬季取暖物资", "50"],
        ["ZC2026-0002", "2026-03-20", "3600.00", "志愿者入户走访交通与保险费用", "0"],
    )
    log_action = "charity.import_expenditures"

    def parse(self, project, values, today):
        errors = []
        voucher = _key(values, "voucher_number", errors, _("凭证号"))
        amount = _amount(values, "amount", errors)
        purpose = values.get("purpose", "")
        if not purpose:
            errors.append(_("用途为空"))
        elif len(purpose) > 200:
            errors.append(_("用途超过200个字符"))
        count_text = values.get("beneficiary_count", "").replace(",", "") or "0"
        count = None
        if count_text.isdigit() and int(count_text) < 2**31:
            count = int(count_text)
        else:
            errors.append(_("受益人数应为0或正整数"))
        spent_on = _date(values, "spent_on", errors, today)
        if spent_on and spent_on < project.starts_on:
            errors.append(_("支出日期早于项目开始日期%(date)s") % {"date": project.starts_on.isoformat()})
        if errors:
            raise ValueError("；".join(errors))
        return Expenditure(
            project=project,
            voucher_number=voucher,
            amount=amount,
            purpose=purpose,
            beneficiary_count=count,
            spent_on=spent_on,
        )

    def existing(self, project, keys):
        return Expenditure.objects.filter(project=project, voucher_number__in=keys, corrects__isnull=True)

    def same(self, existing, new):
        return _same_fields(existing, new, self.compared)


SPECS = {spec.kind: spec for spec in (DonationImport(), ExpenditureImport())}
DONATIONS = SPECS["donations"]
EXPENDITURES = SPECS["expenditures"]


def _same_fields(existing, new, fields):
    return all(getattr(existing, f) == getattr(new, f) for f in fields)


# --- Reading a file --------------------------------------------------------------------
# Uploads are untrusted. Nothing a file declares decides how much work is done: the
# upload is capped, an .xlsx is measured unzipped before it is opened, the sheet is read
# in streaming mode ignoring its declared dimension, only the template's columns (plus a
# margin) are read, and reading stops at the row cap, empty rows included. Whatever the
# parsers raise becomes a file error or a rejected row in the dry-run report.

# C0 and C1 control characters except tab, line feed and carriage return, and the
# bidirectional overrides that can make a name display as something else.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Rows(list):
    """The data rows of a file, (line, {field: text}), plus the rows already rejected while
    reading (a cell too long, a control character) and the number of lines read."""

    def __init__(self, rows=(), rejected=(), lines=0):
        super().__init__(rows)
        self.rejected = list(rejected)
        self.lines = lines


def _column(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _cell_problem(value):
    """Why a cell can't be imported, or None."""
    limit = settings.IMPORT_MAX_CELL_CHARS
    if len(value) > limit:
        return _("超过%(n)s个字符") % {"n": limit}
    bad = _CONTROL.search(value)
    if bad:
        return _("含有控制字符 U+%(code)s") % {"code": f"{ord(bad.group()):04X}"}
    return None


def _check_upload_size(data):
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ImportFileError(
            _("文件大小为 %(size)s MB，超过 %(limit)s MB 的上限。")
            % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )


class _Refused(Exception):
    """Raised inside the XML scan; carries the file error to report."""


def _scan_xml(stream, name, max_elements, max_cells):
    """Walk one XML part of a workbook without building it, refusing a DTD (entities), more
    than ``max_elements`` elements, or a row of more than ``max_cells`` cells: openpyxl
    keeps a whole row, the shared strings and a sheet's side tables in memory."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    count = {"elements": 0, "cells": 0}

    def start(tag, _attributes):
        count["elements"] += 1
        if count["elements"] > max_elements:
            raise _Refused(
                _("该Excel文件的%(part)s包含的元素超过%(n)s个，已拒绝读取。")
                % {"part": name, "n": max_elements}
            )
        local = tag.rpartition(" ")[2]
        if local == "row":
            count["cells"] = 0
        elif local == "c":
            count["cells"] += 1
            if count["cells"] > max_cells:
                raise _Refused(
                    _("该Excel文件有一行超过%(n)s个单元格，已拒绝读取。请只保留模板中的列。")
                    % {"n": max_cells}
                )

    def doctype(*_args):
        raise _Refused(_("该Excel文件含有文档类型声明（DTD），已拒绝读取。"))

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    while chunk := stream.read(1 << 16):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _check_xlsx_archive(data):
    """Refuse a workbook that would cost more than the limits once opened, before openpyxl
    opens it: the unzipped size of every part (zipfile never returns more bytes than an
    entry declares, so the declared sizes are a real bound), then, part by part, what
    openpyxl would hold in memory (see ``_scan_xml``)."""
    import zipfile
    from xml.parsers import expat

    unreadable = _("无法读取该Excel文件，请使用模板另存为.xlsx格式。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
            if sum(entry.file_size for entry in entries) > limit:
                largest = max(entries, key=lambda entry: entry.file_size)
                raise ImportFileError(
                    _(
                        "该Excel文件解压后超过%(limit)s MB（最大的部分是%(part)s），可能含有异常内容，已拒绝读取。"
                    )
                    % {"limit": f"{limit / 1048576:.0f}", "part": largest.filename}
                )
            for entry in entries:
                # Every part, whatever it is called: openpyxl finds parts through the
                # package's relationships, so a sheet need not end in .xml. A part that isn't
                # XML at all (an image) stops the scan at its first byte.
                with archive.open(entry) as stream:
                    try:
                        _scan_xml(
                            stream,
                            entry.filename,
                            settings.IMPORT_XLSX_MAX_XML_ELEMENTS,
                            settings.IMPORT_XLSX_MAX_CELLS_PER_ROW,
                        )
                    except expat.ExpatError:
                        if entry.filename.lower().endswith((".xml", ".rels", ".vml")):
                            raise
    except _Refused as error:
        raise ImportFileError(str(error)) from error
    # A damaged archive or part (BadZipFile, ExpatError, OSError, EOFError, ValueError), an
    # encrypted entry (RuntimeError) or an unsupported compression method, which zipfile
    # reports as NotImplementedError: the file can't be read, and the dry run says so.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        expat.ExpatError,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
    ) as error:
        raise ImportFileError(unreadable) from error


def _xlsx_lines(data, width):
    from openpyxl import load_workbook

    _check_xlsx_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise ImportFileError(_("无法读取该Excel文件，请使用模板另存为.xlsx格式。")) from error
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared dimension is the file's word, not a fact
        for row in sheet.iter_rows(min_row=1, max_col=width, values_only=True):
            yield [_text(v) for v in row]
    except Exception as error:  # a damaged sheet part, whatever openpyxl raises for it
        raise ImportFileError(
            _("Excel文件的工作表内容有误，无法读取。请使用模板另存为.xlsx格式。")
        ) from error
    finally:
        book.close()


def _csv_lines(data, width):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _("CSV文件须为UTF-8编码（第%(line)s行有无法识别的字节）。") % {"line": line}
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ImportFileError(
                    _("第%(line)s行有单元格超过%(n)s个字符，无法读取（常见原因是引号不成对）。")
                    % {"line": line, "n": csv.field_size_limit()}
                ) from error
            raise ImportFileError(
                _("第%(line)s行格式有误，无法读取（请检查引号是否成对）。") % {"line": line}
            ) from error
        yield [v.strip() for v in row[:width]]


def read_rows(name, data, spec=DONATIONS):
    """(line number, {field: text}) for every non-empty data row of a CSV or XLSX file.

    Raise ImportFileError for a problem with the whole file; a row with a bad cell comes
    back in ``rows.rejected`` with its line and column."""
    lower = (name or "").lower()
    _check_upload_size(data)
    width = len(spec.headers) + settings.IMPORT_EXTRA_COLUMNS
    if lower.endswith(".xlsx"):
        lines = _xlsx_lines(data, width)
    elif lower.endswith(".csv"):
        lines = _csv_lines(data, width)
    else:
        raise ImportFileError(_("只接受.csv或.xlsx文件。"))
    try:
        return _collect(lines, spec)
    finally:
        lines.close()


def _header(raw, spec):
    header = list(raw or [])
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(_("文件为空。"))
    seen = {}
    for index, text in enumerate(header):
        problem = _cell_problem(text)
        if problem:
            raise ImportFileError(
                _("第1行第%(column)s列（表头）%(problem)s。") % {"column": _column(index), "problem": problem}
            )
        if text and text in seen:
            raise ImportFileError(
                _("表头“%(header)s”重复：第%(first)s列和第%(second)s列。每个表头只能出现一次。")
                % {"header": text, "first": _column(seen[text]), "second": _column(index)}
            )
        seen.setdefault(text, index)
    keys = [spec.headers.get(h) for h in header]
    missing = [h for h, key in spec.headers.items() if key in spec.required and key not in keys]
    if missing:
        raise ImportFileError(_("缺少表头：%(headers)s。请使用模板。") % {"headers": "、".join(missing)})
    return header, keys


def _collect(lines, spec):
    header, keys = _header(next(lines, None), spec)
    result = Rows()
    limit = settings.IMPORT_MAX_ROWS
    for line, row in enumerate(lines, start=2):
        result.lines = line
        if line - 1 > limit:
            raise ImportFileError(
                _("一次最多导入%(n)s行（空行也计入）。请删除多余的空行，或分成几个文件导入。") % {"n": limit}
            )
        row = row[: len(header)]
        if not any(row):
            continue
        problems = [
            _("第%(column)s列（%(header)s）%(problem)s")
            % {"column": _column(index), "header": header[index] or "—", "problem": problem}
            for index, value in enumerate(row)
            if (problem := _cell_problem(value))
        ]
        if problems:
            result.rejected.append(Rejection(line, "；".join(problems)))
            continue
        result.append((line, {key: (row[i] if i < len(row) else "") for i, key in enumerate(keys) if key}))
    return result


def check(project, rows, today=None, spec=DONATIONS):
    """The dry run: nothing is written."""
    today = today or timezone.localdate()
    result = ImportResult()
    result.rejected.extend(getattr(rows, "rejected", ()))
    keys = {values.get(spec.key_field, "") for _line, values in rows}
    existing = {getattr(record, spec.key_field): record for record in spec.existing(project, keys)}
    first_line = {}
    for line, values in rows:
        try:
            record = spec.parse(project, values, today)
        except ValueError as error:
            result.rejected.append(Rejection(line, str(error)))
            continue
        key = getattr(record, spec.key_field)
        if key in first_line:
            result.rejected.append(
                Rejection(
                    line,
                    _("%(field)s与第%(line)s行重复") % {"field": spec.key_label, "line": first_line[key]},
                )
            )
            continue
        first_line[key] = line
        if key in existing:
            if spec.same(existing[key], record):
                result.skipped += 1
            else:
                result.rejected.append(
                    Rejection(line, _("%(field)s已用于另一条不同的记录") % {"field": spec.key_label})
                )
            continue
        result.new.append(record)
    result.rejected.sort(key=lambda rejection: rejection.line)
    return result


def confirm(project, rows, *, user, today=None, spec=DONATIONS):
    """All or nothing: if any row is rejected, nothing is written."""
    from wagtail.log_actions import log

    with transaction.atomic():
        # Serialise imports for one organisation so two confirmations cannot race.
        type(project.organization).objects.select_for_update().get(pk=project.organization_id)
        result = check(project, rows, today, spec)
        if not result.ok:
            return result
        created = spec.model.objects.bulk_create(result.new, batch_size=1000)
        result.created = len(created)
        log(project, spec.log_action, user=user, data={"created": result.created, "skipped": result.skipped})
        # bulk_create sends no signals: hand the new rows to the search index (after commit).
        index_objects(created)
    return result


def template_csv(spec=DONATIONS):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(safe_row(spec.headers))
    writer.writerows(safe_row(row) for row in spec.template_rows)
    return buffer.getvalue()
