"""QR codes as inline SVG for web pages (reportlab draws them; nothing loads from outside)."""

import re

from django.utils.safestring import mark_safe
from reportlab.graphics import renderSVG
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing


def qr_svg(data, size=200, title=""):
    widget = QrCodeWidget(data)
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    svg = renderSVG.drawToString(drawing)
    svg = svg[svg.index("<svg") :]  # drop the XML prologue and doctype for inline use
    label = f' role="img" aria-label="{title}"' if title else ' aria-hidden="true"'
    return mark_safe(re.sub(r"<svg\b", f"<svg{label}", svg, count=1))  # noqa: S308 - our own markup
