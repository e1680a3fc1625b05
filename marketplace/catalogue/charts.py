"""Inline SVG charts (no script, no CDN); the page shows a table of the same numbers beside each."""

import datetime
from decimal import Decimal

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 20, 40


def price_step_chart(versions, today):
    """A step line of an item's price over time. ``versions`` in effective-date order.

    Returns a dict with the SVG path, points and axis labels; the template draws it."""
    if not versions:
        return None
    start = versions[0].effective_from
    end = max(today, versions[-1].effective_from) + datetime.timedelta(days=30)
    span = max((end - start).days, 1)
    top_price = max(v.price for v in versions) or Decimal("1")
    top_price = top_price * Decimal("1.15")
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day):
        return round(LEFT + plot_w * (day - start).days / span, 1)

    def y(price):
        return round(TOP + plot_h * (1 - float(price / top_price)), 1)

    commands, points = [], []
    for index, version in enumerate(versions):
        px, py = x(version.effective_from), y(version.price)
        if index == 0:
            commands.append(f"M{px},{py}")
        else:
            commands.append(f"H{px}")
            commands.append(f"V{py}")
        points.append({"x": px, "y": py, "version": version, "upcoming": version.effective_from > today})
    commands.append(f"H{x(end)}")
    ticks = [
        {"y": y(top_price * Decimal(f)), "label": f"¥{(top_price * Decimal(f)).quantize(Decimal('1'))}"}
        for f in ("0", "0.5", "1")
    ]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "path": " ".join(commands),
        "points": points,
        "ticks": ticks,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "top": TOP,
        "start_label": start.isoformat(),
        "end_label": end.isoformat(),
        "today_x": x(today) if start <= today <= end else None,
    }
