"""The printable day sheet of a cemetery (one table per day, for the gate's clipboard)."""

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
    cell = text["Normal"].clone("visits-cell", fontSize=9, leading=12)
    buffer = BytesIO()
    doc = platform_pdf.document(
        buffer,
        title=f"{provider.name} {day.isoformat()} 预约名单",
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    data = [[Paragraph(escape(str(value)), cell) for value in header]]
    data += [[Paragraph(escape(str(value)), cell) for value in row] for row in rows]
    table = Table(
        data,
        repeatRows=1,
        colWidths=[26 * mm, 34 * mm, 30 * mm, 20 * mm, 36 * mm, 50 * mm, 12 * mm, 20 * mm, 20 * mm],
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
    visitors = sum(int(row[6]) for row in rows)
    story = [
        Paragraph(
            escape(_("%(name)s %(day)s 预约祭扫名单") % {"name": provider.name, "day": day.isoformat()}),
            text["Title"],
        ),
        Paragraph(
            escape(
                _("共 %(count)s 个预约、%(visitors)s 人；打印时间 %(now)s。身份证号与姓名已脱敏。")
                % {
                    "count": len(rows),
                    "visitors": visitors,
                    "now": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
                }
            ),
            text["Normal"],
        ),
        Spacer(1, 4 * mm),
        table,
    ]
    doc.build(story)
    return buffer.getvalue()
