"""The printable day sheet of a funeral home's slots (one table per day, for the duty desk)."""

from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from core import pdf as platform_pdf


@platform_pdf.in_platform_language
def day_sheet_pdf(provider, day, rows, header):
    text = platform_pdf.styles()
    cell = text["Normal"].clone("slots-cell", fontSize=9, leading=12)
    buffer = BytesIO()
    doc = platform_pdf.document(
        buffer,
        title=f"{provider.name} {day.isoformat()} 档期预约名单",
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    data = [[Paragraph(escape(_(value)), cell) for value in header]]
    data += [[Paragraph(escape(str(value)), cell) for value in row] for row in rows]
    table = Table(
        data,
        repeatRows=1,
        colWidths=[28 * mm, 40 * mm, 48 * mm, 30 * mm, 40 * mm, 40 * mm, 30 * mm],
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), platform_pdf.cjk_font_name()),
            ]
        )
    )
    story = [
        Paragraph(
            escape(_("%(name)s %(day)s 档期预约名单") % {"name": provider.name, "day": day.isoformat()}),
            text["Title"],
        ),
        Paragraph(
            escape(
                _("共 %(count)s 个预约；打印时间 %(now)s。手机号已脱敏。")
                % {"count": len(rows), "now": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
            ),
            text["Normal"],
        ),
        Spacer(1, 4 * mm),
    ]
    if rows:
        story.append(table)
    else:
        story.append(Paragraph(escape(_("这一天没有预约。")), text["Normal"]))
    doc.build(story)
    return buffer.getvalue()
