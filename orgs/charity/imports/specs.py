"""The kinds of import: each :class:`ImportSpec` names its Chinese headers and its key, and
turns one row into an unsaved record or the list of reasons it can't (the row validation).
Donations keep their donor and project, spending its project (C4). Also the template CSVs."""

import csv
import datetime
import io
from abc import ABC, abstractmethod
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.opendata import safe_row

from ..models import Donation, Expenditure

MAX_AMOUNT = Decimal("10000000000")
YES = {"是": True, "否": False, "": False}


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
    # What to write under each header, shown on the upload page: (header, note, allowed values).
    # Headers and values are Chinese on purpose (the file is read by them); notes are translated.
    columns = ()
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
    help = gettext_lazy("重复上传同一文件不会重复登记。")
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
    columns = (
        ("票据号", gettext_lazy("捐赠票据编号，必填，本机构内唯一"), ()),
        ("捐赠人", gettext_lazy("个人姓名或单位名称，必填"), ()),
        ("是否匿名", gettext_lazy("是否匿名公开，留空视为否"), ("是", "否")),
        ("捐赠类型", gettext_lazy("资金或物资，留空视为资金"), ("资金", "物资")),
        ("金额或估值（元）", gettext_lazy("捐赠金额或物资估值（元），必填"), ()),
        ("物资说明", gettext_lazy("捐赠物资的说明，物资捐赠必填"), ()),
        ("捐赠日期", gettext_lazy("捐赠日期，必填，格式 YYYY-MM-DD"), ()),
        ("捐赠渠道", gettext_lazy("捐赠渠道，必填"), ("平台在线捐赠", "银行转账", "现金", "其他")),
    )
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
            raise ValueError(_("；").join(errors))
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
    help = gettext_lazy("重复上传同一文件不会重复登记。支出凭证文件请在导入后逐条以更正记录补传。")
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
    columns = (
        ("凭证号", gettext_lazy("支出凭证编号，必填，本项目内唯一"), ()),
        ("支出日期", gettext_lazy("支出日期，必填，格式 YYYY-MM-DD"), ()),
        ("支出金额（元）", gettext_lazy("支出金额（元），必填"), ()),
        ("用途", gettext_lazy("资金用途，必填"), ()),
        ("受益人数", gettext_lazy("受益人数，可留空"), ()),
    )
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
            raise ValueError(_("；").join(errors))
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


def template_csv(spec=DONATIONS):
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(safe_row(spec.headers))
    writer.writerows(safe_row(row) for row in spec.template_rows)
    return buffer.getvalue()
