"""The printable day sheet of a cemetery (one table per day, for the gate's clipboard)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core import pdf as platform_pdf


@platform_pdf.in_platform_language
def day_sheet_pdf(provider, day, rows, header):
    visitors = sum(int(row[6]) for row in rows)
    return platform_pdf.sheet(
        title=_("%(name)s %(day)s 预约祭扫名单") % {"name": provider.name, "day": day.isoformat()},
        summary=_("共 %(count)s 个预约、%(visitors)s 人；打印时间 %(now)s。身份证号与姓名已脱敏。")
        % {"count": len(rows), "visitors": visitors, "now": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        header=header,
        rows=rows,
        col_widths=(26, 34, 30, 20, 36, 50, 12, 20, 20),
    )
