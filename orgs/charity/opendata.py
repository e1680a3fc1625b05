"""Open data sets: projects, donations (anonymous donors only as 匿名) and spending (C4)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import opendata
from orgs.registry.models import District

from . import services
from .models import ANONYMOUS, CharityProject, Donation, Expenditure, ProjectStatus

PROJECT_FIELDS = (
    ("id", _("项目编号")),
    ("organization", _("慈善组织")),
    ("uscc", _("统一社会信用代码")),
    ("name", pgettext_lazy("慈善", "项目名称")),
    ("plan_filing_number", _("募捐方案备案号")),
    ("plan_filed_on", _("募捐方案备案日期")),
    ("public_fundraising", _("公开募捐")),
    ("goal", _("募捐目标（元）")),
    ("raised", _("已募集（元）")),
    ("spent", _("已支出（元）")),
    ("starts_on", _("开始日期")),
    ("ends_on", _("结束日期")),
    ("status", _("项目状态")),
    ("area", _("受益地区")),
)
DONATION_FIELDS = (
    ("project_id", _("项目编号")),
    ("organization", _("慈善组织")),
    ("receipt_number", _("票据号")),
    ("donor", _("捐赠人")),
    ("kind", _("捐赠类型")),
    ("amount", _("金额或估值（元）")),
    ("in_kind_description", _("物资说明")),
    ("donated_on", _("捐赠日期")),
    ("channel", _("捐赠渠道")),
)
EXPENDITURE_FIELDS = (
    ("project_id", _("项目编号")),
    ("organization", _("慈善组织")),
    ("voucher_number", _("凭证号")),
    ("amount", _("支出金额（元）")),
    ("purpose", _("用途")),
    ("beneficiary_count", _("受益人数")),
    ("spent_on", _("支出日期")),
)


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _labels(choices):
    """Choice labels translated once per response, not once per row (a lookup walks every
    catalogue because the source strings are Chinese)."""
    return {value: str(label) for value, label in choices}


def project_rows():
    projects = services.with_totals(CharityProject.objects.select_related("organization")).order_by("pk")
    statuses, areas = _labels(ProjectStatus.choices), _labels(District.choices)
    for p in services.quantize_totals(projects):
        yield {
            "id": p.pk,
            "organization": p.organization.name,
            "uscc": p.organization.uscc,
            "name": p.name,
            "plan_filing_number": p.plan_filing_number,
            "plan_filed_on": _plain(p.plan_filed_on) if p.plan_filed_on else "",
            "public_fundraising": p.public_fundraising,
            "goal": _plain(p.goal),
            "raised": _plain(p.raised),
            "spent": _plain(p.spent),
            "starts_on": _plain(p.starts_on),
            "ends_on": _plain(p.ends_on),
            "status": statuses[p.status],
            "area": areas[p.area],
        }


def donation_rows():
    donations = Donation.objects.current().select_related("organization").order_by("pk")
    kinds, channels = _labels(Donation.Kind.choices), _labels(Donation.Channel.choices)
    anonymous = str(ANONYMOUS)
    for d in donations.iterator(chunk_size=2000):
        yield {
            "project_id": d.project_id,
            "organization": d.organization.name,
            "receipt_number": d.receipt_number,
            "donor": anonymous if d.anonymous else d.donor_name,  # = Donation.public_donor_name
            "kind": kinds[d.kind],
            "amount": _plain(d.amount),
            "in_kind_description": d.in_kind_description,
            "donated_on": _plain(d.donated_on),
            "channel": channels[d.channel],
        }


def expenditure_rows():
    expenditures = Expenditure.objects.current().select_related("project__organization").order_by("pk")
    for e in expenditures.iterator(chunk_size=2000):
        yield {
            "project_id": e.project_id,
            "organization": e.project.organization.name,
            "voucher_number": e.voucher_number,
            "amount": _plain(e.amount),
            "purpose": e.purpose,
            "beneficiary_count": e.beneficiary_count,
            "spent_on": _plain(e.spent_on),
        }


DATASETS = {
    "projects": (PROJECT_FIELDS, project_rows),
    "donations": (DONATION_FIELDS, donation_rows),
    "expenditures": (EXPENDITURE_FIELDS, expenditure_rows),
}


TITLES = {
    "projects": _("慈善项目"),
    "donations": _("慈善捐赠明细"),
    "expenditures": _("慈善项目支出明细"),
}


def csv_response(name):
    fields, rows = DATASETS[name]
    return opendata.csv_response(
        f"charity-{name}.csv",
        [str(label) for _key, label in fields],
        (
            ["是" if row[key] is True else "否" if row[key] is False else row[key] for key, _l in fields]
            for row in rows()
        ),
    )


def json_response(name):
    fields, rows = DATASETS[name]
    meta = opendata.dataset_meta(str(TITLES[name]), fields={key: str(label) for key, label in fields})
    return opendata.json_response(f"charity-{name}.json", meta, rows())
