"""Donation imports from CSV or Excel with Chinese headers.

A dry run validates every row and reports each rejected row by its line number (the
header is line 1). A confirmed import is all-or-nothing, and idempotent: a row whose
receipt number is already recorded with the same content is skipped, so re-uploading
the same file adds nothing twice."""

import csv
import datetime
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Donation

MAX_ROWS = 20000

# Headers are Chinese in every language, so files are the same for all users.
HEADERS = {
    "票据号": "receipt_number",
    "捐赠人": "donor_name",
    "是否匿名": "anonymous",
    "捐赠类型": "kind",
    "金额或估值（元）": "amount",
    "物资说明": "in_kind_description",
    "捐赠日期": "donated_on",
    "捐赠渠道": "channel",
}
REQUIRED = {"receipt_number", "donor_name", "amount", "donated_on", "channel"}
YES = {"是": True, "否": False, "": False}
KINDS = {"资金": Donation.Kind.MONEY, "物资": Donation.Kind.IN_KIND, "": Donation.Kind.MONEY}
CHANNELS = {
    "平台在线捐赠": Donation.Channel.ONLINE,
    "银行转账": Donation.Channel.BANK,
    "现金": Donation.Channel.CASH,
    "其他": Donation.Channel.OTHER,
}


class ImportFileError(Exception):
    pass


@dataclass
class Rejection:
    line: int
    reason: str


@dataclass
class ImportResult:
    new: list = field(default_factory=list)  # unsaved Donation objects
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


def read_rows(name, data):
    """(line number, {header: text}) for every non-empty data row of a CSV or XLSX file."""
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(data), read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # openpyxl raises many types for damaged files
            raise ImportFileError(_("无法读取该Excel文件，请使用模板另存为.xlsx格式。")) from error
        rows = ([_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
    elif lower.endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("CSV文件须为UTF-8编码。")) from error
        rows = ([v.strip() for v in row] for row in csv.reader(io.StringIO(text)))
    else:
        raise ImportFileError(_("只接受.csv或.xlsx文件。"))
    header = next(rows, None)
    if not header:
        raise ImportFileError(_("文件为空。"))
    keys = [HEADERS.get(h) for h in header]
    missing = [h for h, key in HEADERS.items() if key in REQUIRED and key not in keys]
    if missing:
        raise ImportFileError(_("缺少表头：%(headers)s。请使用模板。") % {"headers": "、".join(missing)})
    result = []
    for line, row in enumerate(rows, start=2):
        if not any(row):
            continue
        result.append((line, {key: (row[i] if i < len(row) else "") for i, key in enumerate(keys) if key}))
        if len(result) > MAX_ROWS:
            raise ImportFileError(_("一次最多导入%(n)s行。") % {"n": MAX_ROWS})
    return result


def _parse(project, values, today):
    """An unsaved Donation, or raise ValueError with the reason."""
    errors = []
    receipt = values.get("receipt_number", "")
    donor = values.get("donor_name", "")
    if not receipt:
        errors.append(_("票据号为空"))
    elif len(receipt) > 40:
        errors.append(_("票据号超过40个字符"))
    if not donor:
        errors.append(_("捐赠人为空"))
    elif len(donor) > 100:
        errors.append(_("捐赠人超过100个字符"))
    anonymous = YES.get(values.get("anonymous", ""))
    if anonymous is None:
        errors.append(_("“是否匿名”应填“是”或“否”"))
    kind = KINDS.get(values.get("kind", ""))
    if kind is None:
        errors.append(_("捐赠类型应为“资金”或“物资”"))
    amount = None
    try:
        amount = Decimal(values.get("amount", "").replace(",", ""))
        if amount <= 0 or amount.as_tuple().exponent < -2 or amount >= Decimal("10000000000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors.append(_("金额应为大于0、最多两位小数的数字"))
    description = values.get("in_kind_description", "")
    if kind == Donation.Kind.IN_KIND and not description:
        errors.append(_("物资捐赠须填写物资说明"))
    donated_on = None
    try:
        donated_on = datetime.date.fromisoformat(values.get("donated_on", "")[:10])
        if donated_on > today:
            errors.append(_("捐赠日期晚于今天"))
    except ValueError:
        errors.append(_("捐赠日期应为YYYY-MM-DD格式"))
    channel = CHANNELS.get(values.get("channel", ""))
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
        amount=amount.quantize(Decimal("0.01")),
        in_kind_description=description[:200],
        donated_on=donated_on,
        channel=channel,
    )


def _same(existing, new):
    fields = (
        "project_id",
        "donor_name",
        "anonymous",
        "kind",
        "amount",
        "in_kind_description",
        "donated_on",
        "channel",
    )
    return all(getattr(existing, f) == getattr(new, f) for f in fields)


def check(project, rows, today=None):
    """The dry run: nothing is written."""
    today = today or timezone.localdate()
    result = ImportResult()
    receipts = [values.get("receipt_number", "") for _line, values in rows]
    existing = {
        d.receipt_number: d
        for d in Donation.objects.filter(
            organization=project.organization, receipt_number__in=set(receipts), corrects__isnull=True
        )
    }
    first_line = {}
    for line, values in rows:
        try:
            donation = _parse(project, values, today)
        except ValueError as error:
            result.rejected.append(Rejection(line, str(error)))
            continue
        receipt = donation.receipt_number
        if receipt in first_line:
            result.rejected.append(
                Rejection(line, _("票据号与第%(line)s行重复") % {"line": first_line[receipt]})
            )
            continue
        first_line[receipt] = line
        if receipt in existing:
            if _same(existing[receipt], donation):
                result.skipped += 1
            else:
                result.rejected.append(Rejection(line, _("票据号已用于本机构另一笔不同的捐赠")))
            continue
        result.new.append(donation)
    return result


def confirm(project, rows, *, user, today=None):
    """All or nothing: if any row is rejected, nothing is written."""
    from wagtail.log_actions import log

    with transaction.atomic():
        # Serialise imports for one organisation so two confirmations cannot race.
        type(project.organization).objects.select_for_update().get(pk=project.organization_id)
        result = check(project, rows, today)
        if not result.ok:
            return result
        Donation.objects.bulk_create(result.new, batch_size=1000)
        result.created = len(result.new)
        log(
            project,
            "charity.import_donations",
            user=user,
            data={"created": result.created, "skipped": result.skipped},
        )
    return result


def template_csv():
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(list(HEADERS))
    writer.writerow(["JZ2026-0001", "张三", "否", "资金", "500.00", "", "2026-03-01", "银行转账"])
    writer.writerow(["JZ2026-0002", "李四", "是", "物资", "1200.00", "冬季棉衣20件", "2026-03-02", "其他"])
    return buffer.getvalue()
