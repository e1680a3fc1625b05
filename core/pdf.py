"""Shared PDF helpers: one place decides which CJK font every PDF embeds.

reportlab embeds (subsets) a TrueType font registered with ``TTFont``. The font
comes from ``settings.PDF_CJK_FONT`` or the first existing path in
``settings.PDF_CJK_FONT_CANDIDATES`` (``make`` installs fonts-wqy-zenhei). If
none exists we fall back to reportlab's built-in ``STSong-Light`` CID font, which
is *not* embedded, and log a warning.
"""

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
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
