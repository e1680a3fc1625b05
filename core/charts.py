"""Inline SVG bar charts without script (WCAG: the page puts a table with the same numbers
beside every chart). Apps compute the rows; the template ``includes/bar_chart.html`` draws
them."""

from decimal import Decimal

# In SVG units; the figure scales to the page, so a narrow chart keeps its labels legible on
# a phone and at most 640 px wide on a desktop.
BAR_HEIGHT, GAP, LABEL_WIDTH, CHART_WIDTH = 22, 8, 150, 440


def horizontal_bars(rows):
    """``rows``: (label, value) pairs, value a number or None. None when nothing is above 0."""
    rows = [(label, value) for label, value in rows]
    top = max((Decimal(value or 0) for _label, value in rows), default=Decimal(0))
    if top <= 0:
        return None
    plot = CHART_WIDTH - LABEL_WIDTH - 70
    bars = []
    for index, (label, value) in enumerate(rows):
        width = float(Decimal(value or 0) / top) * plot
        y = index * (BAR_HEIGHT + GAP)
        bars.append(
            {
                "label": label,
                "value": value,
                "y": y,
                "text_y": round(y + BAR_HEIGHT * 0.7, 1),
                "width": round(width, 1),
                "value_x": round(LABEL_WIDTH + width + 6, 1),
            }
        )
    return {
        "width": CHART_WIDTH,
        "height": len(bars) * (BAR_HEIGHT + GAP),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
    }
