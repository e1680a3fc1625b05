"""Shared PDF helpers: one place decides which CJK font every PDF embeds.

reportlab embeds (subsets) a TrueType font registered with ``TTFont``. The font
comes from ``settings.PDF_CJK_FONT`` or the first existing path in
``settings.PDF_CJK_FONT_CANDIDATES`` (``make`` installs fonts-wqy-zenhei). If
none exists we fall back to reportlab's built-in ``STSong-Light`` CID font, which
is *not* embedded, and log a warning.
"""

import functools
import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils import translation
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

EMBEDDED_FONT_NAME = "PlatformCJK"
FALLBACK_FONT_NAME = "STSong-Light"


def font_path():
    candidates = [settings.PDF_CJK_FONT] if settings.PDF_CJK_FONT else []
    candidates += list(settings.PDF_CJK_FONT_CANDIDATES)
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    return None


@cache
def cjk_font_name():
    """Register the CJK font once per process and return its reportlab name."""
    path = font_path()
    if path:
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT_NAME, path, subfontIndex=0))
        return EMBEDDED_FONT_NAME
    logger.warning("No TrueType CJK font found; PDFs fall back to the non-embedded %s", FALLBACK_FONT_NAME)
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT_NAME))
    return FALLBACK_FONT_NAME


def styles():
    """Paragraph styles in the CJK font, for platypus documents."""
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

    font = cjk_font_name()
    base = getSampleStyleSheet()
    result = {}
    for name in ("Normal", "BodyText", "Title", "Heading1", "Heading2", "Heading3", "Code"):
        result[name] = ParagraphStyle(f"cjk-{name}", parent=base[name], fontName=font, wordWrap="CJK")
    result["Title"].alignment = TA_CENTER
    result["Small"] = ParagraphStyle("cjk-small", parent=result["Normal"], fontSize=8, leading=10)
    return result


def document(buffer, **kwargs):
    """A SimpleDocTemplate whose canvas starts in the CJK font, so that no
    non-embedded base-14 font (Helvetica) is written into the file."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    kwargs.setdefault("pagesize", A4)
    return SimpleDocTemplate(buffer, initialFontName=cjk_font_name(), **kwargs)


def canvas(buffer, **kwargs):
    """A reportlab canvas that starts in the CJK font (see :func:`document`)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    kwargs.setdefault("pagesize", A4)
    return Canvas(buffer, initialFontName=cjk_font_name(), **kwargs)


def qr_drawing(url, size_mm=28):
    """A QR code of ``url`` as a reportlab drawing (for the verification link on a document)."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.units import mm

    widget = QrCodeWidget(url)
    x0, y0, x1, y1 = widget.getBounds()
    size = size_mm * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    # Start the drawing in the embedded font too, so renderPDF never selects Helvetica.
    drawing.initialFontName = cjk_font_name()
    drawing.initialFontSize = 8
    drawing.add(widget)
    return drawing


def receipt(*, title, rows, code, url, notes=(), document_title=""):
    """A one-page receipt: a title, a two-column table of facts, notes, the verification code,
    its URL and QR code, and the seal notice. Returns the PDF bytes (to be sealed)."""
    from io import BytesIO

    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    text = styles()
    buffer = BytesIO()
    doc = document(buffer, title=document_title or title, leftMargin=18 * mm, rightMargin=18 * mm)
    table = Table(
        [[Paragraph(label, text["Normal"]), Paragraph(str(value), text["Normal"])] for label, value in rows],
        colWidths=[40 * mm, 120 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # Tables set each cell's font even around Paragraphs; keep it the embedded one.
                ("FONTNAME", (0, 0), (-1, -1), cjk_font_name()),
            ]
        )
    )
    story = [Paragraph(title, text["Title"]), Spacer(1, 6 * mm), table, Spacer(1, 6 * mm)]
    story += [Paragraph(note, text["Normal"]) for note in notes]
    story += [
        Paragraph(f"核验码：{code}　　核验网址：{url}", text["Normal"]),
        qr_drawing(url),
        Paragraph("本文书由北京市民政公共服务平台出具并加盖电子印章，可凭核验码核验真伪。", text["Small"]),
    ]
    doc.build(story)
    return buffer.getvalue()


def sheet(*, title, summary, header, rows, col_widths, empty=""):
    """A printable list on landscape A4 (a day sheet for a clipboard): a title, a one-line
    summary and a table of ``rows`` under ``header`` (the header repeats on every page), or
    ``empty`` when there are no rows. Cells are escaped text. Returns the PDF bytes."""
    from io import BytesIO
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    text = styles()
    cell = text["Normal"].clone("sheet-cell", fontSize=9, leading=12)
    buffer = BytesIO()
    margins = dict.fromkeys(("leftMargin", "rightMargin", "topMargin", "bottomMargin"), 12 * mm)
    doc = document(buffer, title=title, pagesize=landscape(A4), **margins)
    data = [[Paragraph(escape(str(value)), cell) for value in header]]
    data += [[Paragraph(escape(str(value)), cell) for value in row] for row in rows]
    table = Table(data, repeatRows=1, colWidths=[width * mm for width in col_widths])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), cjk_font_name()),
            ]
        )
    )
    story = [
        Paragraph(escape(title), text["Title"]),
        Paragraph(escape(summary), text["Normal"]),
        Spacer(1, 4 * mm),
    ]
    story.append(table if rows or not empty else Paragraph(escape(empty), text["Normal"]))
    doc.build(story)
    return buffer.getvalue()


def in_platform_language(function):
    """Legal documents are written in the platform's language (Chinese) whatever the language
    of the page that issued them. A fresh ``override`` per call keeps this thread-safe."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper
