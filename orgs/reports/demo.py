"""Demo annual reports: three years of accepted reports for several organisations, one
draft, one returned and one late report. Built through the same services as real filing,
so every submission has its snapshot, SHA-256 and receipt."""

import datetime
import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_ORG_OFFICER_MOBILE, ensure_user
from orgs.registry.demo import DEMO_FOUNDATION_ADMIN_MOBILE, DEMO_ORG_ADMIN_MOBILE, ORGANISATIONS, demo_name
from orgs.registry.models import Organization

from .models import AnnualReport, AttachmentKind, Conclusion
from .services.attachments import add_attachment
from .services.deadlines import deadlines_for, filing_years, start_report
from .services.review import accept_report, return_report
from .services.submission import submit_report
from .services.validation import required_attachment_kinds

Q = Decimal("0.01")
# Everything is relative to the day the demo is loaded. ``season`` is the latest report
# year whose filing season, late filings included, is over (the year before last until
# 1 July, last year from then on); the draft, returned and late reports are for it.
SEASON_CLOSES = (7, 1)
# Organisations (by position in ORGANISATIONS) with accepted reports, and how many: the
# reports run up to the latest year whose deadline has passed for that organisation, so
# a rating made today finds the report it needs (S7).
ACCEPTED = {1: 3, 3: 3, 6: 3, 12: 3, 13: 2, 23: 3, 24: 3, 25: 3, 30: 3, 31: 3}
DRAFT = 1  # the demo organisation admin's current report (its accepted ones stop a year before)
RETURNED = 2
LATE = 5
CONCLUSIONS = [Conclusion.QUALIFIED, Conclusion.QUALIFIED, Conclusion.BASICALLY_QUALIFIED]


def demo_pdf(title):
    from reportlab.pdfgen import canvas

    from core.pdf import cjk_font_name

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setFont(cjk_font_name(), 14)
    pdf.drawString(72, 760, title)
    pdf.drawString(72, 730, "本文件为演示数据（示例），内容虚构。")
    pdf.save()
    return buffer.getvalue()


def season(today):
    """The latest report year whose filing season (late filings included) is over."""
    return today.year - 1 if (today.month, today.day) >= SEASON_CLOSES else today.year - 2


def latest_due_year(organization, today):
    """The latest report year whose registration deadline has passed by ``today``."""
    year = today.year - 1
    return year if deadlines_for(organization, year).registration < today else year - 1


def accepted_years(index, organization, today):
    last = season(today) - 1 if index == DRAFT else latest_due_year(organization, today)
    return tuple(range(last - ACCEPTED[index] + 1, last + 1))


def figures(index, year, organization):
    """Balanced, deterministic figures that grow a little every year."""
    scale = Decimal(200000 + index * 53000) * (Decimal("1.08") ** (year - 2022))
    if organization.is_foundation:
        scale *= 6
    parts = {
        "income_donations": scale * Decimal("0.45"),
        "income_government_grants": scale * Decimal("0.20"),
        "income_services": scale * Decimal("0.15"),
        "income_membership_dues": scale * Decimal("0.10")
        if organization.org_type == "social_group"
        else Decimal(0),
        "income_investment": scale * Decimal("0.05"),
        "income_other": scale * Decimal("0.02"),
    }
    parts = {k: v.quantize(Q) for k, v in parts.items()}
    income = sum(parts.values(), Decimal(0))
    admin_share = Decimal("0.16") if index == 30 else Decimal("0.08")  # one breach of C3
    expenses = {
        "expense_business": (income * Decimal("0.80")).quantize(Q),
        "expense_administration": (income * admin_share).quantize(Q),
        "expense_fundraising": (income * Decimal("0.02")).quantize(Q),
        "expense_other": (income * Decimal("0.01")).quantize(Q),
    }
    expense = sum(expenses.values(), Decimal(0))
    liabilities = (scale * Decimal("0.3")).quantize(Q)
    restricted = (scale * Decimal("0.4")).quantize(Q)
    unrestricted = (scale * Decimal("0.9") + (income - expense)).quantize(Q)
    data = {
        "basic_info_confirmed": True,
        "council_meetings": 2 + index % 3,
        "supervisory_meetings": 1 + index % 2,
        "member_count": 80 + index * 7 if organization.org_type == "social_group" else 0,
        "staff_count": 3 + index % 9,
        "volunteer_count": 20 + index * 3,
        "activities_summary": f"{year}年开展培训、交流和公益服务活动（示例）。",
        "activity_count": 10 + index % 15 + (year - 2022),
        "beneficiary_count": 500 + index * 40,
        **parts,
        "income_total": income,
        **expenses,
        "expense_total": expense,
        "total_liabilities": liabilities,
        "net_assets_restricted": restricted,
        "net_assets_unrestricted": unrestricted,
        "total_assets": liabilities + restricted + unrestricted,
    }
    if organization.is_charity:
        data["public_fundraising_income"] = (
            parts["income_donations"] / 2 if organization.public_fundraising else 0
        )
        data["charitable_spending"] = (expenses["expense_business"] * Decimal("0.95")).quantize(Q)
    return data


def _at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour, 0))


def _attach(report, user):
    for kind in required_attachment_kinds(report.organization):
        label = AttachmentKind(kind).label
        name = f"{report.year}-{kind}.pdf"
        add_attachment(
            report,
            kind,
            SimpleUploadedFile(name, demo_pdf(f"{report.organization.name} {report.year} {label}")),
            user=user,
        )


def _report(organization, year, index, user, *, fill=True):
    report = start_report(organization, year, user=user) if year in filing_years(organization) else None
    if report is None:
        dates = deadlines_for(organization, year)
        report = AnnualReport.objects.create(
            organization=organization,
            year=year,
            deadline=dates.registration,
            supervisor_deadline=dates.supervisor,
            created_by=user,
        )
    if fill:
        for name, value in figures(index, year, organization).items():
            setattr(report, name, value)
        report.save()
    return report


def load(out):
    today = timezone.localdate()
    current = season(today)
    bureau = ensure_user(DEMO_ORG_OFFICER_MOBILE)
    filer = ensure_user(DEMO_ORG_ADMIN_MOBILE)
    foundation_admin = ensure_user(DEMO_FOUNDATION_ADMIN_MOBILE)
    organizations = {
        index: Organization.objects.get(name=demo_name(row[0]))
        for index, row in enumerate(ORGANISATIONS, start=1)
    }
    made = 0

    def fresh(index, year):
        return not AnnualReport.objects.filter(organization=organizations[index], year=year).exists()

    for index in ACCEPTED:
        organization = organizations[index]
        user = foundation_admin if index == 23 else filer
        for position, year in enumerate(accepted_years(index, organization, today)):
            if not fresh(index, year):
                continue
            report = _report(organization, year, index, user)
            _attach(report, user)
            submitted = _at(year + 1, 3 if organization.is_foundation else 4, 10 + index % 15)
            submit_report(report, user=user, now=submitted)
            accept_report(
                report,
                conclusion=CONCLUSIONS[(index + position) % 3],
                comment="材料齐全（示例）",
                user=bureau,
                # Reviewed a few days after filing, as the bureau would have (S3).
                now=submitted + datetime.timedelta(days=3 + index % 5),
            )
            made += 1

    index, year = DRAFT, current
    if fresh(index, year):
        report = _report(organizations[index], year, index, filer, fill=False)
        report.basic_info_confirmed = True
        report.council_meetings = 2
        report.staff_count = 5
        report.activities_summary = "全年开展居家养老服务培训12场（示例）。"
        report.save()
        made += 1

    index, year = RETURNED, current
    if fresh(index, year):
        report = _report(organizations[index], year, index, filer)
        _attach(report, filer)
        submit_report(report, user=filer, now=_at(year + 1, 5, 20))
        return_report(
            report,
            reasons="审计报告缺少签章页，请补充后重新提交（示例）。",
            user=bureau,
            today=datetime.date(year + 1, 5, 25),
        )
        made += 1

    index, year = LATE, current
    if fresh(index, year):
        report = _report(organizations[index], year, index, filer)
        _attach(report, filer)
        submit_report(report, user=filer, now=_at(year + 1, 6, 10))
        made += 1
    out.write(f"  annual reports: {AnnualReport.objects.count()} ({made} new)")
