"""The reports section of the public organisation profile: accepted report summaries, and
income by source and spending by type across years (as ProPublica shows a nonprofit's
filings) from the accepted reports' financial statements.

Each chart is a horizontal stacked bar per year, drawn as inline SVG in a narrow view box
so its labels stay at least 12 px on a 390 px phone; the table of the same numbers beside
it is the accessible source, and the source line under both names the reports and the
date the latest of them was accepted.
"""

from decimal import Decimal

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import AnnualReport, ReportStatus, ReviewDecision

# The SVG view box, in user units that map about 1:1 to CSS pixels on a 390 px phone
# (the content column is 358 px wide there), so LABEL_SIZE is the size a phone shows.
WIDTH = 360
YEAR_COLUMN = 48  # the year labels, right-aligned before the bars
TOTAL_COLUMN = 72  # the total after the longest bar
ROW_HEIGHT = 30
BAR_HEIGHT = 18
LABEL_SIZE = 14
PADDING = 6

INCOME_SOURCES = (
    "income_donations",
    "income_government_grants",
    "income_services",
    "income_membership_dues",
    "income_investment",
    "income_other",
)
SPENDING_TYPES = ("expense_business", "expense_administration", "expense_fundraising", "expense_other")


def with_accepted_at(queryset):
    """Annotate each report with ``accepted_at``: when the bureau accepted it (S3), in the
    same query."""
    return queryset.annotate(
        accepted_at=Max(
            "submissions__decision__decided_at",
            filter=Q(submissions__decision__action=ReviewDecision.Action.ACCEPT),
        )
    )


def _wan(value):
    """Yuan as 万元, one decimal, for the labels after the bars."""
    text = f"{(Decimal(value) / 10000):,.1f}"
    return text[:-2] if text.endswith(".0") else text


def _label(field_name):
    return str(AnnualReport._meta.get_field(field_name).verbose_name)


def stacked_bars(reports, fields, total_field):
    """Geometry for one stacked-bar chart: a row per report (oldest first), a segment per
    field in ``fields`` (zero segments left out), and the total in 万元 after the bar."""
    if not reports:
        return None
    plot_width = WIDTH - YEAR_COLUMN - TOTAL_COLUMN
    largest = max(sum((getattr(r, name) for name in fields), Decimal(0)) for r in reports)
    scale = Decimal(plot_width) / largest if largest > 0 else Decimal(0)
    legend = [{"index": i, "name": name, "label": _label(name)} for i, name in enumerate(fields)]
    rows = []
    for row, report in enumerate(reports):
        top = PADDING + row * ROW_HEIGHT
        x = Decimal(YEAR_COLUMN)
        segments = []
        for index, name in enumerate(fields):
            value = getattr(report, name)
            width = value * scale
            if value > 0:
                segments.append(
                    {
                        "index": index,
                        "x": round(x, 1),
                        "width": round(max(width, Decimal("1")), 1),
                        "title": f"{report.year} {legend[index]['label']} {_wan(value)}",
                    }
                )
            x += width
        rows.append(
            {
                "year": report.year,
                "bar_y": top,
                "text_y": top + BAR_HEIGHT / 2,
                "segments": segments,
                "total": _wan(getattr(report, total_field)),
                "total_x": round(x + 6, 1),
            }
        )
    return {
        "width": WIDTH,
        "height": PADDING * 2 + len(reports) * ROW_HEIGHT - (ROW_HEIGHT - BAR_HEIGHT),
        "year_x": YEAR_COLUMN - 8,
        "bar_height": BAR_HEIGHT,
        "label_size": LABEL_SIZE,
        "legend": legend,
        "rows": rows,
    }


def year_span(reports):
    """ "2025", or "2021—2025" for several years (oldest first)."""
    first, last = reports[0].year, reports[-1].year
    return str(last) if first == last else f"{first}—{last}"


def source_line(reports):
    """Where the figures come from and as of when, from the reports themselves."""
    if not reports:
        return ""
    first, last = reports[0].year, reports[-1].year
    years = year_span(reports)
    accepted = [r.accepted_at for r in reports if getattr(r, "accepted_at", None)]
    if not accepted:
        return _("来源：%(years)s 年度工作报告的财务报表（已通过审核）") % {"years": years}
    date = date_format(timezone.localdate(max(accepted)), "Y-m-d")
    if first == last:
        return _("来源：%(years)s 年度工作报告的财务报表（已通过审核，%(date)s）") % {
            "years": years,
            "date": date,
        }
    return _("来源：%(years)s 年度工作报告的财务报表，均已通过审核；最近一份于 %(date)s 审核通过。") % {
        "years": years,
        "date": date,
    }


def finances(reports):
    """Income by source and spending by type for ``reports`` (oldest first)."""
    if not reports:
        return None
    return {
        "reports": reports,
        "income": stacked_bars(reports, INCOME_SOURCES, "income_total"),
        "spending": stacked_bars(reports, SPENDING_TYPES, "expense_total"),
        "income_columns": [_label(name) for name in INCOME_SOURCES],
        "spending_columns": [_label(name) for name in SPENDING_TYPES],
        "income_rows": [
            {"year": r.year, "values": [getattr(r, n) for n in INCOME_SOURCES], "total": r.income_total}
            for r in reports
        ],
        "spending_rows": [
            {"year": r.year, "values": [getattr(r, n) for n in SPENDING_TYPES], "total": r.expense_total}
            for r in reports
        ],
        "years": year_span(reports),
        "source": source_line(reports),
    }


def profile_context(organization, request=None):
    reports = list(
        with_accepted_at(
            AnnualReport.objects.filter(organization=organization, status=ReportStatus.ACCEPTED)
        ).order_by("year")
    )
    recent = reports[-settings.ORG_PROFILE_CHART_YEARS :] if settings.ORG_PROFILE_CHART_YEARS > 0 else []
    return {
        "organization": organization,
        "accepted_reports": list(reversed(reports)),
        "finances": finances(recent),
    }
