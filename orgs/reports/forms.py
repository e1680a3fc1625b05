from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin
from core.money import format_money

from .models import AnnualReport, AttachmentKind, Conclusion
from .services.sections import TOTALS

SECTIONS = [
    ("basic", _("一、基本信息确认"), ("basic_info_confirmed", "basic_info_notes")),
    (
        "governance",
        _("二、内部治理"),
        ("council_meetings", "supervisory_meetings", "member_count", "staff_count", "volunteer_count"),
    ),
    ("activities", _("三、业务活动"), ("activities_summary", "activity_count", "beneficiary_count")),
    (
        "balance",
        _("四、财务状况：资产负债"),
        ("total_assets", "total_liabilities", "net_assets_unrestricted", "net_assets_restricted"),
    ),
    ("income", _("五、财务状况：收入"), (*AnnualReport.INCOME_PARTS, "income_total")),
    ("expenses", _("六、财务状况：费用"), (*AnnualReport.EXPENSE_PARTS, "expense_total")),
    (
        "charity",
        _("七、慈善组织信息"),
        (
            "public_fundraising_income",
            "charitable_spending",
            "previous_year_income",
            "previous_year_net_assets",
        ),
    ),
]
CHARITY_FIELDS = SECTIONS[-1][2]
TOTAL_LABELS = {
    "total_assets": _("负债合计与净资产之和"),
    "income_total": _("各项收入之和"),
    "expense_total": _("各项费用之和"),
}


def _typed_differs(value, total):
    """Whether a typed sum differs from the sum of its parts (unreadable input: no claim)."""
    try:
        return total is not None and Decimal(str(value).replace(",", "")) != total
    except (InvalidOperation, ValueError):
        return False


class ReportForm(SpecificErrorsMixin, forms.ModelForm):
    class Meta:
        model = AnnualReport
        fields = list(AnnualReport.CONTENT_FIELDS)
        widgets = {
            "basic_info_notes": forms.Textarea(attrs={"rows": 3}),
            "activities_summary": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {"basic_info_confirmed": _("我已核对本机构的登记信息，内容准确")}
        help_texts = {
            "basic_info_notes": _("登记信息如有变化，请在此说明并另行申请变更登记。"),
            "total_assets": _("资产总计应等于负债合计与净资产（限定性与非限定性）之和。"),
            "income_total": _("应等于以上各项收入之和。"),
            "expense_total": _("应等于以上各项费用之和。"),
            "member_count": _("社会团体填写会员数；其他组织填 0。"),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        if not organization.is_charity:
            for name in CHARITY_FIELDS:
                del self.fields[name]
        for name, field in self.fields.items():
            if name in AnnualReport.MONEY_FIELDS:
                field.widget.attrs.update({"inputmode": "decimal", "min": "0", "step": "0.01"})
                field.error_messages["invalid"] = _("请输入金额，例如 12345.67。")
            elif isinstance(field, forms.IntegerField):
                field.widget.attrs.update({"inputmode": "numeric", "min": "0"})

    def section_names(self):
        """``(key, field names)`` of the sections this organisation's report has."""
        for key, _title, names in SECTIONS:
            present = tuple(name for name in names if name in self.fields)
            if present:
                yield key, present

    def sections(self, totals=None):
        """Each section with its bound fields; a section holding a sum field also carries the
        server-computed sum of its parts (``totals``: ``{total field: Decimal}``)."""
        totals = totals or {}
        for key, title, names in SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                live = [
                    {
                        "field": name,
                        "field_label": self.fields[name].label,
                        "parts": TOTALS[name],
                        "sum": totals.get(name),
                        "label": TOTAL_LABELS[name],
                        "mismatch": _typed_differs(self[name].value(), totals.get(name)),
                    }
                    for name in names
                    if name in TOTALS and name in self.fields
                ]
                yield {"key": key, "title": title, "fields": fields, "totals": live}

    def tasks(self, statuses):
        """The task list: each section's title, anchor and status (then the attachments)."""
        rows = [
            {"anchor": f"section-{key}", "title": title, "status": statuses[key]}
            for key, title, names in SECTIONS
            if key in statuses and any(name in self.fields for name in names)
        ]
        rows.append({"anchor": "attachments", "title": _("附件"), "status": statuses["attachments"]})
        return rows


class StartReportForm(SpecificErrorsMixin, forms.Form):
    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.TypedChoiceField(
            label=_("报告年度"), choices=[(y, y) for y in years], coerce=int
        )


class AttachmentForm(SpecificErrorsMixin, forms.Form):
    kind = forms.ChoiceField(label=_("材料类型"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("选择文件"),
        required=False,
        help_text=_("审计报告须为 PDF；签章声明页可为 PDF、JPG 或 PNG。点击任一按钮时一并上传。"),
    )


class ReturnForm(SpecificErrorsMixin, forms.Form):
    reasons = forms.CharField(
        label=_("退回理由"), widget=forms.Textarea(attrs={"rows": 4}), help_text=_("写明需要补正的内容。")
    )


class AcceptForm(SpecificErrorsMixin, forms.Form):
    # No conclusion is preselected: the officer chooses one (an unnoticed default would
    # become the published result), and the comment box starts empty.
    conclusion = forms.ChoiceField(
        label=_("年检结论"),
        choices=[("", _("请选择年检结论")), *Conclusion.choices],
        error_messages={"required": _("请选择年检结论。")},
    )
    comment = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


def _display(report, name):
    value = getattr(report, name)
    if name in AnnualReport.MONEY_FIELDS:
        return _("%(amount)s 元") % {"amount": format_money(value)}
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if value in ("", None):
        return _("未填写")
    return value


def answers_by_section(form, report, edit_url):
    """The check-your-answers page: every saved answer of ``report`` by section, each with the
    link back to its field on the form at ``edit_url``."""
    sections = []
    for section in form.sections():
        rows = [
            {
                "label": field.label,
                "value": _display(report, field.name),
                "multiline": field.name in ("activities_summary", "basic_info_notes"),
                "change_url": f"{edit_url}#{field.auto_id}",
            }
            for field in section["fields"]
        ]
        sections.append(
            {
                "key": section["key"],
                "title": section["title"],
                "change_url": f"{edit_url}#section-{section['key']}",
                "rows": rows,
            }
        )
    return sections
