"""The reports section of the public organisation profile: accepted report summaries
and a multi-year financial chart (inline SVG with the same numbers in a table)."""

from decimal import Decimal

from django.utils.translation import gettext as _

from .models import AnnualReport, ReportStatus

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 90, 20, 20, 50
SERIES = (
    ("income_total", "chart-line", "circle"),
    ("expense_total", "chart-line alt", "square"),
    ("net_assets", "chart-line alt2", "diamond"),
)


def _nice_ceiling(value):
    if value <= 0:
        return Decimal("1")
    magnitude = Decimal(10) ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        ceiling = magnitude * Decimal(str(step))
        if ceiling >= value:
            return ceiling
    return magnitude * 10


def _wan(value):
    """Yuan as 万元 for axis labels."""
    text = f"{(Decimal(value) / 10000):,.1f}"
    return text[:-2] if text.endswith(".0") else text


def financial_chart(reports):
    """Coordinates for an SVG line chart of income, expenses and net assets by year."""
    if not reports:
        return None
    values = [getattr(r, name) for r in reports for name, _c, _m in SERIES]
    top = _nice_ceiling(max(values))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count = len(reports)

    def x(index):
        return LEFT + (plot_w * index / (count - 1) if count > 1 else plot_w / 2)

    def y(value):
        return TOP + plot_h - float(Decimal(value) / top) * plot_h

    labels = {
        "income_total": _("收入合计"),
        "expense_total": _("费用合计"),
        "net_assets": _("净资产"),
    }
    series = []
    for name, css, marker in SERIES:
        points = []
        for i, r in enumerate(reports):
            px, py = round(x(i), 1), round(y(getattr(r, name)), 1)
            points.append({"x": px, "y": py, "x0": round(px - 4, 1), "y0": round(py - 4, 1)})
        series.append(
            {
                "name": name,
                "label": labels[name],
                "css": css,
                "marker": marker,
                "points": points,
                "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
            }
        )
    ticks = [
        {"y": round(y(top * Decimal(step) / 4), 1), "label": _wan(top * Decimal(step) / 4)}
        for step in range(5)
    ]
    years = [{"x": round(x(i), 1), "label": str(r.year)} for i, r in enumerate(reports)]
    return {
        "label_x": LEFT - 8,
        "year_y": HEIGHT - BOTTOM + 18,
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
        "series": series,
        "ticks": ticks,
        "years": years,
        "legend_y": HEIGHT - 12,
    }


def profile_context(organization, request=None):
    reports = list(
        AnnualReport.objects.filter(organization=organization, status=ReportStatus.ACCEPTED).order_by("year")
    )
    return {
        "organization": organization,
        "accepted_reports": list(reversed(reports)),
        "chart": financial_chart(reports[-6:]),
        "chart_reports": reports[-6:],
    }
