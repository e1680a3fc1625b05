"""The receipt PDF of one submission (reportlab, embedded CJK font), with its SHA-256 digests.

Setting: ``S3_REVIEW_WORKING_DAYS`` (quoted on the receipt)."""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import AttachmentKind


def receipt_pdf(submission):
    """A receipt for one submission (reportlab, embedded CJK font) with its SHA-256."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from core.pdf import cjk_font_name

    font = cjk_font_name()
    content = submission.content
    fields = content["fields"]
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    mono = ParagraphStyle("mono", fontName="Courier", fontSize=8.5, leading=12)
    submitted_at = timezone.localtime(submission.submitted_at)

    def row(label, value, style=body):
        return [Paragraph(str(label), body), Paragraph(str(value), style)]

    rows = [
        row(_("回执编号"), submission.receipt_number),
        row(_("组织名称"), content["organization"]["name"]),
        row(_("统一社会信用代码"), content["organization"]["uscc"]),
        row(_("报告年度"), content["year"]),
        row(_("提交次序"), _("第 %(n)s 次提交") % {"n": submission.sequence}),
        row(_("提交时间"), submitted_at.strftime("%Y-%m-%d %H:%M:%S") + " (Asia/Shanghai)"),
        row(_("截止日期"), date_format(submission.deadline, "Y-m-d")),
        row(_("是否逾期"), _("逾期提交") if submission.is_late else _("按期提交")),
        row(_("资产总计（元）"), fields["total_assets"]),
        row(_("负债合计（元）"), fields["total_liabilities"]),
        row(_("收入合计（元）"), fields["income_total"]),
        row(_("费用合计（元）"), fields["expense_total"]),
    ]
    for attachment in content["attachments"]:
        rows.append(
            row(
                AttachmentKind(attachment["kind"]).label,
                f"{attachment['name']}<br/><font name='Courier' size='7.5'>SHA-256 {attachment['sha256']}</font>",
            )
        )
    rows.append(row(_("报告内容 SHA-256"), submission.sha256, mono))
    table = Table(rows, colWidths=[42 * mm, 128 * mm])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f0f1f3")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=str(_("社会组织年度报告报送回执")),
        author=str(_("北京市民政局")),
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        invariant=1,
    )
    story = [
        Paragraph(str(_("社会组织年度报告报送回执")), title_style),
        Paragraph(str(_("北京市民政公共服务平台")), ParagraphStyle("sub", parent=body, alignment=1)),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            str(
                _(
                    "本回执证明上述年度报告已通过北京市民政公共服务平台报送，报送内容以 SHA-256 摘要固定，"
                    "提交后不可修改。登记管理机关将在 %(days)s 个工作日内完成审核。"
                )
                % {"days": settings.S3_REVIEW_WORKING_DAYS}
            ),
            body,
        ),
    ]
    document.build(story)
    return buffer.getvalue()
