"""The business rules on a report's figures (a balanced sheet, totals matching their parts,
a charity's public-fundraising income) and the attachments a report needs before it can be
submitted (S2 filing)."""

from django.utils.translation import gettext as _

from core.money import format_money

from ..models import ZERO, AnnualReport, AttachmentKind


def content_errors(data, organization):
    """Business-rule errors for report figures, as ``{field: [message]}``. ``data`` maps
    field names to values (a form's cleaned_data or a report's attributes)."""
    errors = {}

    def add(field, message):
        errors.setdefault(field, []).append(message)

    def get(name):
        value = data.get(name)
        return ZERO if value in (None, "") else value

    for name in AnnualReport.MONEY_FIELDS:
        if get(name) < 0:
            add(name, _("金额不能为负数。"))
    if not data.get("basic_info_confirmed"):
        add("basic_info_confirmed", _("请核对登记信息后勾选确认。"))
    net_assets = get("net_assets_unrestricted") + get("net_assets_restricted")
    liabilities_and_net = get("total_liabilities") + net_assets
    if get("total_assets") != liabilities_and_net:
        add(
            "total_assets",
            _("资产负债表不平衡：资产总计 %(assets)s 元应等于负债合计与净资产之和 %(sum)s 元。")
            % {"assets": format_money(get("total_assets")), "sum": format_money(liabilities_and_net)},
        )
    income_sum = sum((get(name) for name in AnnualReport.INCOME_PARTS), ZERO)
    if get("income_total") != income_sum:
        add(
            "income_total",
            _("收入合计 %(total)s 元与各项收入之和 %(sum)s 元不一致。")
            % {"total": format_money(get("income_total")), "sum": format_money(income_sum)},
        )
    expense_sum = sum((get(name) for name in AnnualReport.EXPENSE_PARTS), ZERO)
    if get("expense_total") != expense_sum:
        add(
            "expense_total",
            _("费用合计 %(total)s 元与各项费用之和 %(sum)s 元不一致。")
            % {"total": format_money(get("expense_total")), "sum": format_money(expense_sum)},
        )
    if organization.is_charity:
        if get("public_fundraising_income") > get("income_donations"):
            add("public_fundraising_income", _("公开募捐收入不能大于捐赠收入。"))
        if not organization.public_fundraising and get("public_fundraising_income") > 0:
            add("public_fundraising_income", _("本机构不具有公开募捐资格，公开募捐收入应为 0。"))
    return errors


def required_attachment_kinds(organization):
    """A signed declaration page always; an audit report for foundations and for
    charities with a public fundraising qualification."""
    kinds = [AttachmentKind.DECLARATION]
    if organization.is_foundation or (organization.is_charity and organization.public_fundraising):
        kinds.insert(0, AttachmentKind.AUDIT_REPORT)
    return kinds


def current_attachments(report):
    return list(report.attachments.filter(superseded=False).order_by("kind", "-uploaded_at"))


def attachment_errors(report, attachments=None):
    attachments = current_attachments(report) if attachments is None else attachments
    present = {attachment.kind for attachment in attachments}
    errors = {}
    for kind in required_attachment_kinds(report.organization):
        if kind not in present:
            errors.setdefault(f"attachment_{kind}", []).append(
                _("缺少必需的附件：%(kind)s。") % {"kind": AttachmentKind(kind).label}
            )
    return errors
