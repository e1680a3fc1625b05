"""Price lists (PDF, CSV) and the open data sets (CSV, JSON)."""

import io

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.money import format_money, round_money
from core.pdf import cjk_font_name

from .models import PriceBasis, PriceVersion
from .services.current import public_items, today


def _yuan(value):
    return format_money(round_money(value))


# --- Provider price list -------------------------------------------------------------------

PROVIDER_CSV_HEADER = (
    "类别",
    "项目",
    "单位",
    "价格性质",
    "现行价格（元）",
    "生效日期",
    "即将调整为（元）",
    "调整日期",
)


def provider_price_rows(notice):
    for category, items in notice["groups"]:
        for item in items:
            upcoming = item.upcoming[0] if item.upcoming else None
            yield (
                category.name,
                item.name,
                item.unit,
                PriceBasis(item.current_basis or item.basis).label,
                round_money(item.current_price) if item.current_price is not None else "",
                item.current_effective_from.isoformat() if item.current_effective_from else "",
                round_money(upcoming.price) if upcoming else "",
                upcoming.effective_from.isoformat() if upcoming else "",
            )


def provider_pdf(provider, notice):
    """The provider's price notice (F3) as an A4 PDF with the embedded CJK font."""
    font = cjk_font_name()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{provider.name} {_('价格公示')}",
        author=str(settings.PLATFORM_NAME),
    )
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=TA_LEFT, wordWrap="CJK")
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)

    story = [
        Paragraph(f"{provider.name} · {_('殡葬服务价格公示')}", title),
        Spacer(1, 3 * mm),
        Paragraph(
            "　".join(
                [
                    f"{_('机构类型')}：{provider.get_type_display()}",
                    f"{_('所在区')}：{provider.get_district_display()}",
                    f"{_('经营许可证号')}：{provider.licence_number}",
                ]
            ),
            body,
        ),
        Paragraph(
            "　".join(
                [
                    f"{_('主管部门')}：{provider.supervising_authority}",
                    f"{_('投诉电话')}：{provider.complaint_hotline}",
                    f"{_('联系电话')}：{provider.phone}",
                ]
            ),
            body,
        ),
        Paragraph(f"{_('地址')}：{provider.address}", body),
        Paragraph(
            _("生成日期：%(date)s；最近调价：%(last)s")
            % {
                "date": today().isoformat(),
                "last": notice["last_change"].isoformat() if notice["last_change"] else "—",
            },
            body,
        ),
    ]
    header = [_("项目"), _("单位"), _("价格性质"), _("价格（元）"), _("生效日期"), _("即将调整")]
    for category, items in notice["groups"]:
        story.append(Paragraph(category.display_name, heading))
        rows = [[Paragraph(h, cell) for h in header]]
        for item in items:
            upcoming = item.upcoming[0] if item.upcoming else None
            rows.append(
                [
                    Paragraph(item.name, cell),
                    Paragraph(item.get_unit_display(), cell),
                    Paragraph(str(PriceBasis(item.current_basis or item.basis).label), cell),
                    Paragraph(
                        _yuan(item.current_price) if item.current_price is not None else _("未标价"), cell
                    ),
                    Paragraph(
                        item.current_effective_from.isoformat() if item.current_effective_from else "", cell
                    ),
                    Paragraph(
                        f"{_yuan(upcoming.price)}（{upcoming.effective_from.isoformat()}）"
                        if upcoming
                        else "",
                        cell,
                    ),
                ]
            )
        table = Table(rows, colWidths=[58 * mm, 14 * mm, 24 * mm, 24 * mm, 24 * mm, 36 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        story.append(table)
    story.append(Spacer(1, 4 * mm))
    story.append(Paragraph(_("付款与退款条款"), heading))
    for label, text in (
        (_("定金"), provider.deposit_terms),
        (_("付款安排"), provider.payment_schedule),
        (_("取消条款"), provider.cancellation_terms),
        (_("退款条款"), provider.refund_terms),
        (_("所有权与关联关系披露"), provider.ownership_disclosure),
    ):
        story.append(Paragraph(f"{label}：{text}", body))
    story.append(Spacer(1, 4 * mm))
    story.append(
        Paragraph(
            _(
                "本价目表由北京市民政公共服务平台生成。不得收取未公示的费用，不得强制消费；所有项目均可单独购买。"
            ),
            body,
        )
    )
    doc.build(story)
    return buffer.getvalue()


# --- Open data ------------------------------------------------------------------------------

CURRENT_HEADER = (
    "provider_slug",
    "provider_name",
    "district",
    "provider_type",
    "item_id",
    "item_name",
    "category_code",
    "category_name",
    "unit",
    "basis",
    "price",
    "effective_from",
)

HISTORY_HEADER = (
    "version_id",
    "provider_slug",
    "sequence",
    "item_id",
    "item_name",
    "category_code",
    "price",
    "basis",
    "effective_from",
    "announced_at",
    "reason_code",
    "reason",
    "made_by",
    "previous_version_id",
    "previous_hash",
    "chain_hash",
    "status",
)


def current_price_records():
    items = (
        public_items()
        .filter(current_price__isnull=False)
        .select_related("provider")
        .order_by("provider__slug", "category__sort_order", "sort_order", "pk")
    )
    for item in items.iterator(chunk_size=2000):
        yield {
            "provider_slug": item.provider.slug,
            "provider_name": item.provider.name,
            "district": item.provider.district,
            "provider_type": item.provider.type,
            "item_id": item.pk,
            "item_name": item.name,
            "category_code": item.category.code,
            "category_name": item.category.name,
            "unit": item.unit,
            "basis": item.current_basis,
            "price": str(round_money(item.current_price)),
            "effective_from": item.current_effective_from.isoformat(),
        }


def history_records():
    day = today()
    versions = (
        PriceVersion.objects.filter(provider__is_published=True)
        .select_related("provider", "item__category")
        .order_by("provider__slug", "sequence")
    )
    for version in versions.iterator(chunk_size=2000):
        yield {
            "version_id": version.pk,
            "provider_slug": version.provider.slug,
            "sequence": version.sequence,
            "item_id": version.item_id,
            "item_name": version.item.name,
            "category_code": version.item.category.code,
            "price": str(version.price),
            "basis": version.basis,
            "effective_from": version.effective_from.isoformat(),
            "announced_at": timezone.localtime(version.announced_at).isoformat(),
            "reason_code": version.reason_code,
            "reason": version.reason,
            "made_by": version.created_by_name,
            "previous_version_id": version.previous_id,
            "previous_hash": version.previous_hash,
            "chain_hash": version.chain_hash,
            "status": "upcoming" if version.effective_from > day else "effective",
        }
