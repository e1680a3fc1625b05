"""The printable day sheet of a funeral home's slots (one table per day, for the duty desk)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from core import pdf as platform_pdf


@platform_pdf.in_platform_language
def day_sheet_pdf(provider, day, rows, header):
    return platform_pdf.sheet(
        title=_("%(name)s %(day)s 档期预约名单") % {"name": provider.name, "day": day.isoformat()},
        summary=_("共 %(count)s 个预约；打印时间 %(now)s。手机号已脱敏。")
        % {"count": len(rows), "now": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        header=[_(value) for value in header],
        rows=rows,
        col_widths=(28, 40, 48, 30, 40, 40, 30),
        empty=_("这一天没有预约。"),
    )
