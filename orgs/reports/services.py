"""Annual report rules: deadlines (S2), validation, spending ratios (C3), submission,
review with the working-day countdowns (S3), attachments and the receipt PDF."""

import datetime
import hashlib
import io
import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from core import uploads
from core.dates import add_working_days
from core.statemachine import transition

from .models import (
    ZERO,
    AnnualReport,
    AttachmentKind,
    Conclusion,
    ImmutableRecord,
    ReportAttachment,
    ReportStatus,
    ReportSubmission,
    ReviewDecision,
)

# --- S2: deadlines ---------------------------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    registration: datetime.date
    supervisor: datetime.date | None = None


def deadlines_for(organization, year):
    """S2: the report for ``year`` is filed in ``year + 1``. Foundations file by 31 March;
    an organisation with a supervising unit files to it by 31 March and to the
    registration authority by 31 May; all others by 31 May. C1: a charity's annual work
    and financial report is due by 31 May at the latest, whatever S2 allows."""
    filing_year = year + 1
    supervisor = None
    if organization.supervising_unit_id:
        supervisor = datetime.date(filing_year, *settings.S2_SUPERVISOR_DEADLINE)
    if organization.is_foundation:
        registration = datetime.date(filing_year, *settings.S2_FOUNDATION_DEADLINE)
    else:
        registration = datetime.date(filing_year, *settings.S2_REGISTRATION_DEADLINE)
    if organization.is_charity:
        registration = min(registration, datetime.date(filing_year, *settings.C1_CHARITY_REPORT_DEADLINE))
    return Deadlines(registration=registration, supervisor=supervisor)


def applicable_deadline(report):
    """The date the report must be filed by: the S3 resubmission deadline once it is
    returned, otherwise its S2 deadline."""
    if report.status == ReportStatus.RETURNED and report.resubmit_deadline:
        return report.resubmit_deadline
    return report.deadline


def days_left(report, today=None):
    """Calendar days until the applicable deadline; negative once it has passed."""
    today = today or timezone.localdate()
    return (applicable_deadline(report) - today).days


def countdown(report, today=None):
    left = days_left(report, today)
    return {"days": abs(left), "overdue": left < 0, "deadline": applicable_deadline(report)}


def report_years(organization, today, window_years=None):
    """The report years open on ``today``, newest first: last year back to the registration
    year, at most S2_FILING_WINDOW_YEARS years (fewer when ``window_years`` is smaller; never
    more). The one definition of which years count, for filing (S2) and for the S5 check."""
    window = settings.S2_FILING_WINDOW_YEARS
    if window_years is not None:
        window = min(window, window_years)
    first = max(organization.registered_on.year, today.year - window)
    return list(range(today.year - 1, first - 1, -1))


def filing_years(organization, today=None):
    """Years a report can be started for: from the registration year to last year, within
    the S2 filing window."""
    return report_years(organization, today or timezone.localdate())


@transaction.atomic
def start_report(organization, year, *, user):
    """Create (or return) the organisation's report for ``year``, prefilled with last year's figures
    that C3 needs."""
    if year not in filing_years(organization):
        raise ValidationError({"year": _("不能填报该年度的年度报告。")})
    existing = AnnualReport.objects.filter(organization=organization, year=year).first()
    if existing:
        return existing
    dates = deadlines_for(organization, year)
    previous = AnnualReport.objects.filter(organization=organization, year=year - 1).first()
    report = AnnualReport(
        organization=organization,
        year=year,
        deadline=dates.registration,
        supervisor_deadline=dates.supervisor,
        created_by=user,
    )
    if previous is not None:
        report.previous_year_income = previous.income_total
        report.previous_year_net_assets = previous.net_assets
    report.save()
    return report


# --- Validation ------------------------------------------------------------------------


def _yuan(value):
    return f"{value:,.2f}"


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
            % {"assets": _yuan(get("total_assets")), "sum": _yuan(liabilities_and_net)},
        )
    income_sum = sum((get(name) for name in AnnualReport.INCOME_PARTS), ZERO)
    if get("income_total") != income_sum:
        add(
            "income_total",
            _("收入合计 %(total)s 元与各项收入之和 %(sum)s 元不一致。")
            % {"total": _yuan(get("income_total")), "sum": _yuan(income_sum)},
        )
    expense_sum = sum((get(name) for name in AnnualReport.EXPENSE_PARTS), ZERO)
    if get("expense_total") != expense_sum:
        add(
            "expense_total",
            _("费用合计 %(total)s 元与各项费用之和 %(sum)s 元不一致。")
            % {"total": _yuan(get("expense_total")), "sum": _yuan(expense_sum)},
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


# --- Attachments -----------------------------------------------------------------------


def check_upload(kind, uploaded):
    """Return (content_type, bytes) or raise ValidationError naming the problem.

    The content sniffing is shared (``core.uploads``); the audit report must be a PDF."""
    data = uploads.read_upload(uploaded, settings.REPORT_ATTACHMENT_MAX_BYTES)
    if kind == AttachmentKind.AUDIT_REPORT:
        if PurePath(uploaded.name or "").suffix.lower() != ".pdf":
            raise ValidationError(_("审计报告须为 PDF 文件（.pdf）。"), code="not_pdf")
        return uploads.content_type(uploaded.name, data, uploads.PDF_ONLY), data
    return uploads.content_type(uploaded.name, data, uploads.DOCUMENTS), data


@transaction.atomic
def add_attachment(report, kind, uploaded, *, user):
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable:
        raise ImmutableRecord(_("报告已提交，不能再更换附件。"))
    content_type, data = check_upload(kind, uploaded)
    digest = hashlib.sha256(data).hexdigest()
    if kind != AttachmentKind.OTHER:
        report.attachments.filter(kind=kind, superseded=False).update(superseded=True)
    attachment = ReportAttachment(
        report=report,
        kind=kind,
        original_name=PurePath(uploaded.name).name[:200],
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=user,
    )
    attachment.file.save(f"{kind}.bin", ContentFile(data), save=False)
    attachment.save()
    log(
        report,
        "reports.attachment_added",
        user=user,
        data={"kind": kind, "sha256": digest, "name": attachment.original_name},
    )
    return attachment


@transaction.atomic
def withdraw_attachment(attachment, *, user):
    """Remove an attachment from an editable report (the file itself is kept)."""
    report = AnnualReport.objects.select_for_update().get(pk=attachment.report_id)
    if not report.is_editable:
        raise ImmutableRecord(_("报告已提交，不能再更换附件。"))
    ReportAttachment.objects.filter(pk=attachment.pk).update(superseded=True)
    log(
        report,
        "reports.attachment_withdrawn",
        user=user,
        data={"kind": attachment.kind, "sha256": attachment.sha256},
    )


# --- C3: spending ratios -----------------------------------------------------------------


@dataclass(frozen=True)
class RatioCheck:
    key: str
    label: str
    actual: Decimal | None
    limit: Decimal
    is_minimum: bool
    ok: bool
    note: str = ""

    @property
    def actual_percent(self):
        return None if self.actual is None else (self.actual * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def limit_percent(self):
        return (self.limit * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _ratio(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _tier(tiers, net_assets):
    for floor, spending, admin in tiers:
        if net_assets >= floor:
            return spending, admin
    return tiers[-1][1], tiers[-1][2]


def c3_checks(report, income_history=None):
    """C3 for charities: charitable spending against its base and administrative costs
    against total spending. ``income_history`` is the total income of the three years
    before the report year, when known; the lower of last year's income and that
    average is the base (the rules allow either). Returns [] for non-charities."""
    organization = report.organization
    if not organization.is_charity:
        return []
    checks = []
    admin_costs = report.expense_administration
    exempt_admin = admin_costs < settings.C3_ADMIN_COST_EXEMPT_BELOW
    if organization.public_fundraising:
        base = report.previous_year_income
        note = _("以上年度总收入为基数")
        history = [value for value in (income_history or []) if value is not None]
        if len(history) == 3:
            average = (sum(history, ZERO) / 3).quantize(Decimal("0.01"))
            if average < base or not base:
                base, note = average, _("以前三年收入平均数为基数")
        minimum = settings.C3_MIN_CHARITABLE_SPENDING_RATIO
        maximum = (
            settings.C3_MAX_ADMIN_COST_RATIO
            if organization.is_foundation
            else settings.C3_PUBLIC_NON_FOUNDATION_MAX_ADMIN_COST_RATIO
        )
    else:
        base = report.previous_year_net_assets
        note = _("以上年末净资产为基数")
        tiers = settings.C3_TIERS_FOUNDATION if organization.is_foundation else settings.C3_TIERS_OTHER
        minimum, maximum = _tier(tiers, base)
    spending = _ratio(report.charitable_spending, base)
    checks.append(
        RatioCheck(
            key="charitable_spending",
            label=str(gettext_lazy("慈善活动支出比例")),
            actual=spending,
            limit=minimum,
            is_minimum=True,
            # Compared on the amounts, not the rounded ratio: a cent short is short.
            ok=spending is None or report.charitable_spending >= minimum * base,
            note=note if spending is not None else _("无基数数据，不计算"),
        )
    )
    admin_ratio = _ratio(admin_costs, report.expense_total)
    checks.append(
        RatioCheck(
            key="admin_costs",
            label=str(gettext_lazy("管理费用占总支出比例")),
            actual=admin_ratio,
            limit=maximum,
            is_minimum=False,
            ok=exempt_admin or admin_ratio is None or admin_costs <= maximum * report.expense_total,
            note=_("管理费用低于 %(amount)s 元，不受比例限制")
            % {"amount": _yuan(settings.C3_ADMIN_COST_EXEMPT_BELOW)}
            if exempt_admin
            else "",
        )
    )
    return checks


def income_history(report):
    rows = dict(
        AnnualReport.objects.filter(
            organization=report.organization, year__in=range(report.year - 3, report.year)
        ).values_list("year", "income_total")
    )
    return [rows.get(year) for year in range(report.year - 3, report.year)]


def c3_for(report):
    return c3_checks(report, income_history(report)) if report.organization.is_charity else []


# --- Submission ------------------------------------------------------------------------


def _plain(value):
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def snapshot(report, attachments, *, sequence, submitted_at, user):
    organization = report.organization
    return {
        "organization": {"name": organization.name, "uscc": organization.uscc, "type": organization.org_type},
        "year": report.year,
        "sequence": sequence,
        "submitted_at": submitted_at.isoformat(),
        "submitted_by": user.pk,
        "fields": {name: _plain(getattr(report, name)) for name in AnnualReport.CONTENT_FIELDS},
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size} for a in attachments
        ],
    }


def content_digest(content):
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@transaction.atomic
def submit_report(report, *, user, now=None):
    """Validate, freeze the content in a new submission record and move to 待审核.
    A late submission is accepted and marked late."""
    report = AnnualReport.objects.select_for_update().select_related("organization").get(pk=report.pk)
    if not report.is_editable:
        raise ImmutableRecord(_("该年度报告已提交，不能重复提交。"))
    data = {name: getattr(report, name) for name in AnnualReport.CONTENT_FIELDS}
    attachments = current_attachments(report)
    errors = content_errors(data, report.organization)
    errors.update(attachment_errors(report, attachments))
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    today = timezone.localdate(now)
    deadline = applicable_deadline(report)
    resubmission = report.status == ReportStatus.RETURNED
    sequence = report.submissions.count() + 1
    content = snapshot(report, attachments, sequence=sequence, submitted_at=now, user=user)
    submission = ReportSubmission.objects.create(
        report=report,
        sequence=sequence,
        receipt_number=f"NB{report.year}-{report.organization.uscc}-{sequence:02d}",
        submitted_at=now,
        submitted_by=user,
        deadline=deadline,
        is_late=today > deadline,
        content=content,
        sha256=content_digest(content),
    )
    report.is_late = report.is_late or submission.is_late
    report.first_submitted_at = report.first_submitted_at or now
    report.last_submitted_at = now
    report.review_due = add_working_days(today, settings.S3_REVIEW_WORKING_DAYS)
    report.c3_breach = any(not check.ok for check in c3_for(report))
    reason = _("补正后重新提交") if resubmission else _("提交年度报告")
    if submission.is_late:
        reason = f"{reason}（{_('逾期')}）"
    transition(
        report,
        ReportStatus.SUBMITTED,
        user=user,
        reason=reason,
        save_fields=(
            "is_late",
            "first_submitted_at",
            "last_submitted_at",
            "review_due",
            "c3_breach",
            "updated_at",
        ),
    )
    return submission


# --- Review (S3) -----------------------------------------------------------------------


@transaction.atomic
def return_report(report, *, reasons, user, today=None):
    """Return an incomplete report with reasons; the organisation resubmits within
    S3_RESUBMIT_WORKING_DAYS working days."""
    reasons = (reasons or "").strip()
    if not reasons:
        raise ValidationError({"reasons": _("请填写退回理由。")})
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的报告可以退回。"))
    submission = report.submissions.order_by("-sequence").first()
    deadline = add_working_days(today or timezone.localdate(), settings.S3_RESUBMIT_WORKING_DAYS)
    ReviewDecision.objects.create(
        submission=submission,
        action=ReviewDecision.Action.RETURN,
        reasons=reasons,
        resubmit_deadline=deadline,
        decided_by=user,
    )
    report.resubmit_deadline = deadline
    transition(
        report,
        ReportStatus.RETURNED,
        user=user,
        reason=reasons,
        save_fields=("resubmit_deadline", "updated_at"),
    )
    return deadline


@transaction.atomic
def accept_report(report, *, conclusion, comment="", user):
    if conclusion not in Conclusion.values:
        raise ValidationError({"conclusion": _("请选择年检结论。")})
    report = AnnualReport.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有待审核的报告可以审核通过。"))
    submission = report.submissions.order_by("-sequence").first()
    ReviewDecision.objects.create(
        submission=submission,
        action=ReviewDecision.Action.ACCEPT,
        conclusion=conclusion,
        comment=(comment or "").strip(),
        decided_by=user,
    )
    report.conclusion = conclusion
    label = Conclusion(conclusion).label
    transition(
        report,
        ReportStatus.ACCEPTED,
        user=user,
        reason=f"{label} {comment}".strip(),
        save_fields=("conclusion", "updated_at"),
    )
    return report


# --- Receipt PDF -----------------------------------------------------------------------


def receipt_pdf(submission):
    """A receipt for one submission (reportlab, embedded CJK font) with its SHA-256."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.pdf import cjk_font_name

    font = cjk_font_name()
    content = submission.content
    fields = content["fields"]
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    mono = ParagraphStyle("mono", fontName="Courier", fontSize=8.5, leading=12)
    submitted_at = timezone.localtime(submission.submitted_at)

    def row(label, value, style=body):
        return [Paragraph(str(label), body), Paragraph(str(value), style)]

    rows = [
        row(_("回执编号"), submission.receipt_number),
        row(_("组织名称"), content["organization"]["name"]),
        row(_("统一社会信用代码"), content["organization"]["uscc"]),
        row(_("报告年度"), content["year"]),
        row(_("提交次序"), _("第 %(n)s 次提交") % {"n": submission.sequence}),
        row(_("提交时间"), submitted_at.strftime("%Y-%m-%d %H:%M:%S") + " (Asia/Shanghai)"),
        row(_("截止日期"), date_format(submission.deadline, "Y-m-d")),
        row(_("是否逾期"), _("逾期提交") if submission.is_late else _("按期提交")),
        row(_("资产总计（元）"), fields["total_assets"]),
        row(_("负债合计（元）"), fields["total_liabilities"]),
        row(_("收入合计（元）"), fields["income_total"]),
        row(_("费用合计（元）"), fields["expense_total"]),
    ]
    for attachment in content["attachments"]:
        rows.append(
            row(
                AttachmentKind(attachment["kind"]).label,
                f"{attachment['name']}<br/><font name='Courier' size='7.5'>SHA-256 {attachment['sha256']}</font>",
            )
        )
    rows.append(row(_("报告内容 SHA-256"), submission.sha256, mono))
    table = Table(rows, colWidths=[42 * mm, 128 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f1f3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=str(_("社会组织年度报告报送回执")),
        author=str(_("北京市民政局")),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        invariant=1,
    )
    story = [
        Paragraph(str(_("社会组织年度报告报送回执")), title_style),
        Paragraph(str(_("北京市民政公共服务平台")), ParagraphStyle("sub", parent=body, alignment=1)),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            str(
                _(
                    "本回执证明上述年度报告已通过北京市民政公共服务平台报送，报送内容以 SHA-256 摘要固定，"
                    "提交后不可修改。登记管理机关将在 %(days)s 个工作日内完成审核。"
                )
                % {"days": settings.S3_REVIEW_WORKING_DAYS}
            ),
            body,
        ),
    ]
    document.build(story)
    return buffer.getvalue()
