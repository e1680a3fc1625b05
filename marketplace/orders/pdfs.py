"""The PDFs of contracts, change orders and e-certificates (reportlab, embedded CJK font).

Every PDF is drawn with ``core.pdf`` so the TrueType CJK font is embedded and no
Helvetica is written. Final documents carry their verification code and a QR code
(reportlab's QR widget) pointing at ``/verify/<code>/``; ``core.verification`` seals them.

The lines, totals and deposit come from ``statements``; this module imports nothing from
``services``, so the services that render PDFs (signing, changes, fulfilment) may import it.
"""

import hashlib
from decimal import Decimal
from io import BytesIO
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, Spacer, Table, TableStyle

from core import pdf as platform_pdf
from core.money import round_money
from core.pdf import in_platform_language
from core.sealing import SEAL_ORGANISATION
from marketplace.catalogue.models import BurialChoice

from . import placeholders
from .statements import bill_lines, deposit_amount, totals
from .terms import cancellation_clause

DIGITS = "零壹贰叁肆伍陆柒捌玖"
UNITS = ["", "拾", "佰", "仟"]
SECTIONS = ["", "万", "亿"]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def content_file(data):
    return ContentFile(data)


def yuan(value):
    return f"¥{Decimal(value):,.2f}"


def amount_in_words(value):
    """1234.50 → 壹仟贰佰叁拾肆元伍角整 (the form used on Chinese contracts)."""
    value = round_money(value)
    if value == 0:
        return "零元整"
    negative = value < 0
    value = abs(value)
    integer = int(value)
    cents = int((value - integer) * 100)
    words = ""
    if integer:
        groups = []
        while integer:
            groups.append(integer % 10000)
            integer //= 10000
        parts = []
        zero_pending = False
        for index in range(len(groups) - 1, -1, -1):
            group = groups[index]
            if group == 0:
                zero_pending = True
                continue
            text = ""
            digits = f"{group:04d}" if parts else str(group)
            for position, digit in enumerate(digits):
                place = len(digits) - position - 1
                if digit == "0":
                    zero_pending = bool(text) or bool(parts)
                else:
                    if zero_pending and (text or parts):
                        text += "零"
                    zero_pending = False
                    text += DIGITS[int(digit)] + UNITS[place]
            parts.append(text + SECTIONS[index])
        words = "".join(parts) + "元"
    jiao, fen = divmod(cents, 10)
    if jiao == 0 and fen == 0:
        words += "整"
    else:
        if jiao:
            words += DIGITS[jiao] + "角"
        elif words:
            words += "零"
        if fen:
            words += DIGITS[fen] + "分"
        else:
            words += "整"
    return ("负" if negative else "") + words


def _styles():
    styles = platform_pdf.styles()
    styles["Body"] = styles["BodyText"].clone("orders-body", fontSize=10.5, leading=16, spaceAfter=4)
    styles["Cell"] = styles["Normal"].clone("orders-cell", fontSize=9, leading=12)
    styles["CellRight"] = styles["Cell"].clone("orders-cell-right", alignment=2)
    styles["H"] = styles["Heading3"].clone("orders-h", fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    return styles


def _p(text, style):
    return Paragraph(escape(str(text)).replace("\n", "<br/>"), style)


def _page_decorator(label):
    font = platform_pdf.cjk_font_name()

    def draw(canvas, doc):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor(colors.grey)
        width, _height = doc.pagesize
        canvas.drawString(doc.leftMargin, 12 * mm, f"{SEAL_ORGANISATION} · {label}")
        canvas.drawRightString(width - doc.rightMargin, 12 * mm, _("第 %(n)s 页") % {"n": doc.page})
        canvas.restoreState()

    return draw


def _table(rows, widths, styles, header_rows=1, money_cols=(), total_rows=0):
    font = platform_pdf.cjk_font_name()
    data = [
        [
            _p(cell, styles["CellRight"] if i in money_cols and r >= header_rows else styles["Cell"])
            for i, cell in enumerate(row)
        ]
        for r, row in enumerate(rows)
    ]
    table = Table(data, colWidths=widths, repeatRows=header_rows)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#eeeeee")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    if total_rows:
        commands.append(("BACKGROUND", (0, len(rows) - total_rows), (-1, -1), colors.HexColor("#f6f6f6")))
    table.setStyle(TableStyle(commands))
    return table


def lines_table(lines, sums, styles, *, signed_quantities=False):
    rows = [[_("序号"), _("项目"), _("类别"), _("单价（元）"), _("数量"), _("金额（元）"), _("说明")]]
    for index, line in enumerate(lines, start=1):
        quantity = f"{line.quantity:+d}" if signed_quantities else str(line.quantity)
        note = _("依据%(ref)s免收") % {"ref": line.policy_reference} if line.is_discount else ""
        rows.append(
            [
                index,
                line.name,
                line.category_name,
                f"{line.unit_price:,.2f}",
                f"{quantity} {line.unit}",
                f"{line.amount:,.2f}",
                note,
            ]
        )
    rows.append(["", _("项目合计"), "", "", "", f"{sums.subtotal:,.2f}", ""])
    rows.append(["", _("政策减免"), "", "", "", f"{-sums.exempted:,.2f}", ""])
    rows.append(["", _("应付合计"), "", "", "", f"{sums.total:,.2f}", amount_in_words(sums.total)])
    widths = [10 * mm, 48 * mm, 24 * mm, 20 * mm, 18 * mm, 22 * mm, 32 * mm]
    return _table(rows, widths, styles, money_cols=(3, 5), total_rows=3)


def signature_block(signatures, styles):
    by_role = {signature.role: signature for signature in signatures}
    rows = [[_("签署方"), _("签署人"), _("签署时间"), _("签署方式"), _("所签文本 SHA-256")]]
    for role, label in ((("family"), _("甲方（家属）")), ("provider", _("乙方（服务机构）"))):
        signature = by_role.get(role)
        if signature is None:
            rows.append([label, _("待签署"), "", "", ""])
        else:
            when = timezone.localtime(signature.signed_at).strftime("%Y-%m-%d %H:%M:%S")
            rows.append(
                [label, signature.full_name, when, _("短信验证码确认 + 姓名确认"), signature.document_sha256]
            )
    widths = [26 * mm, 24 * mm, 32 * mm, 34 * mm, 58 * mm]
    return _table(rows, widths, styles)


def verification_block(code, url, styles):
    if not code:
        return [
            _p(
                _("本文本为待签署文本。双方签署后，平台将出具加盖电子印章的正式文本及核验码。"),
                styles["Small"],
            )
        ]
    drawing = platform_pdf.qr_drawing(url, size_mm=32)
    text = [
        _p(_("核验码：%(code)s") % {"code": code}, styles["H"]),
        _p(_("扫描二维码或访问 %(url)s ，可核验本文书的真实性。") % {"url": url}, styles["Body"]),
        _p(
            _("本文书由%(org)s加盖电子印章，任何改动都会使印章失效。") % {"org": SEAL_ORGANISATION},
            styles["Small"],
        ),
    ]
    table = Table([[drawing, text]], colWidths=[36 * mm, 134 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("FONTNAME", (0, 0), (-1, -1), platform_pdf.cjk_font_name()),
            ]
        )
    )
    return [Spacer(1, 6 * mm), KeepTogether([table])]


def _with_deposit(text, contract, sums):
    if not contract.deposit_percent:
        return f"{text}（签约后一次付清合同总价。）"
    return _("%(text)s（定金为合同总价的 %(pct)s%%，即 ¥%(amount)s，签约后支付；余款在服务开始前付清。）") % {
        "text": text,
        "pct": f"{Decimal(contract.deposit_percent).normalize():f}",
        "amount": f"{deposit_amount(contract, sums.total):,.2f}",
    }


def contract_values(contract, sums):
    order = contract.order
    provider = order.provider
    return {
        "contract_number": contract.number,
        "order_reference": order.reference,
        "provider_name": provider.name,
        "provider_address": provider.address,
        "provider_phone": provider.phone,
        "provider_licence": provider.licence_number,
        "family_name": order.contact_name,
        "family_relation": order.contact_relation,
        "family_mobile": f"{order.contact_mobile[:3]}****{order.contact_mobile[-4:]}",
        "deceased_name": order.deceased_name,
        "deceased_gender": order.get_deceased_gender_display(),
        "deceased_age": order.deceased_age,
        "deceased_id": order.deceased_id_masked,
        "date_of_death": order.date_of_death.isoformat(),
        "service_date": order.service_date.isoformat() if order.service_date else "",
        "service_time": order.service_time.strftime("%H:%M") if order.service_time else "",
        "hall": order.hall or "—",
        "burial_choice": BurialChoice(order.burial_choice).label if order.burial_choice else _("未选择"),
        "subtotal": yuan(sums.subtotal),
        "exempted": yuan(sums.exempted),
        "total": yuan(sums.total),
        "total_in_words": amount_in_words(sums.total),
        "deposit_terms": _with_deposit(provider.deposit_terms, contract, sums),
        "payment_schedule": provider.payment_schedule,
        # F8: the clause is the refund schedule written into this contract, and only that.
        "cancellation_terms": (
            cancellation_clause(contract.refund_schedule)
            if contract.refund_schedule
            else provider.cancellation_terms
        ),
        "refund_terms": provider.refund_terms,
        "ownership_disclosure": provider.ownership_disclosure,
        "referral_disclosure": provider.referral_disclosure or _("无"),
        "complaint_hotline": provider.complaint_hotline,
        "supervising_authority": provider.supervising_authority,
    }


def _build(story, title, label):
    buffer = BytesIO()
    doc = platform_pdf.document(
        buffer,
        title=title,
        author=SEAL_ORGANISATION,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
    )
    decorate = _page_decorator(label)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


@in_platform_language
def contract_pdf(contract, template, lines, *, signatures, code=None, url=None):
    """The contract from a template revision (``template`` is that revision's object)."""

    styles = _styles()
    sums = totals(lines)
    values = contract_values(contract, sums)
    values["dispute_resolution"] = template.dispute_resolution
    story = [_p(template.title, styles["Title"])]
    story.append(
        _p(
            _("合同编号：%(n)s　订单号：%(o)s") % {"n": contract.number, "o": contract.order.reference},
            styles["Small"],
        )
    )
    if code:
        story.append(_p(_("核验码：%(code)s") % {"code": code}, styles["Small"]))
    story.append(Spacer(1, 4 * mm))
    for paragraph in placeholders.split_paragraphs(template.body):
        if placeholders.is_table(paragraph):
            story.append(lines_table(lines, sums, styles))
            story.append(Spacer(1, 3 * mm))
            continue
        text = placeholders.fill(paragraph.strip(), values)
        if text.startswith("# "):
            story.append(_p(text[2:], styles["H"]))
        else:
            story.append(_p(text, styles["Body"]))
    story.append(_p(_("签署记录"), styles["H"]))
    story.append(signature_block(signatures, styles))
    story.extend(verification_block(code, url, styles))
    return _build(story, f"{template.title} {contract.number}", contract.number)


@in_platform_language
def change_order_pdf(change, lines, *, signatures, code=None, url=None):

    styles = _styles()
    order = change.order
    contract = order.contract
    sums = totals(lines)
    before = totals(bill_lines(order))
    story = [
        _p(_("殡葬服务合同变更单"), styles["Title"]),
        _p(
            _("变更单编号：%(n)s　原合同编号：%(c)s") % {"n": change.display_number, "c": contract.number},
            styles["Small"],
        ),
    ]
    if code:
        story.append(_p(_("核验码：%(code)s") % {"code": code}, styles["Small"]))
    story += [
        Spacer(1, 4 * mm),
        _p(
            _("甲方（家属）：%(f)s　乙方（服务机构）：%(p)s")
            % {"f": order.contact_name, "p": order.provider.name},
            styles["Body"],
        ),
        _p(_("逝者：%(d)s") % {"d": order.deceased_name}, styles["Body"]),
        _p(_("变更原因：%(r)s") % {"r": change.reason}, styles["Body"]),
        _p(
            _(
                "双方同意按下表增加或减少服务项目。增加的项目均为乙方已公示、在售的项目，按变更当日的公示价格计价；减少的项目按原合同价格扣减。"
            ),
            styles["Body"],
        ),
        lines_table(lines, sums, styles, signed_quantities=True),
        Spacer(1, 3 * mm),
        _p(
            _("变更前应付合计 %(before)s；本变更单金额 %(delta)s；变更后应付合计 %(after)s。")
            % {
                "before": yuan(before.total),
                "delta": yuan(sums.total),
                "after": yuan(before.total + sums.total),
            },
            styles["Body"],
        ),
        _p(
            _(
                "本变更单是原合同的组成部分，未变更的内容仍按原合同执行。最终账单等于原合同加上双方签署的全部变更单。"
            ),
            styles["Body"],
        ),
        _p(_("签署记录"), styles["H"]),
        signature_block(signatures, styles),
    ]
    story.extend(verification_block(code, url, styles))
    return _build(story, _("合同变更单 %(n)s") % {"n": change.display_number}, change.display_number)


@in_platform_language
def certificate_pdf(order, *, kind, label, number, event_date, place, issued_at, code, url):
    styles = _styles()
    cremation = kind == "cremation_certificate"
    facts = [
        [_("证明编号"), number],
        [_("逝者姓名"), order.deceased_name],
        [_("性别"), order.get_deceased_gender_display()],
        [_("年龄"), str(order.deceased_age)],
        [_("身份证号"), order.deceased_id_masked],
        [_("死亡日期"), order.date_of_death.isoformat()],
        [_("火化日期") if cremation else _("安葬日期"), event_date.isoformat()],
        [_("火化地点") if cremation else _("安葬地点"), place],
        [_("出具单位"), f"{order.provider.name}（{order.provider.address}）"],
        [_("经办家属"), f"{order.contact_name}（{order.contact_relation}）"],
        [_("出具日期"), timezone.localtime(issued_at).strftime("%Y-%m-%d")],
    ]
    body = (
        _("兹证明逝者%(name)s的遗体已于%(date)s在%(place)s火化。")
        if cremation
        else _("兹证明逝者%(name)s的骨灰已于%(date)s安葬于%(place)s。")
    ) % {"name": order.deceased_name, "date": event_date.isoformat(), "place": place}
    story = [
        _p(label, styles["Title"]),
        Spacer(1, 4 * mm),
        _p(body, styles["Body"]),
        Spacer(1, 3 * mm),
        _table([[_("项目"), _("内容")], *facts], [40 * mm, 130 * mm], styles),
        Spacer(1, 3 * mm),
        _p(_("本证明为电子证明，与纸质证明具有同等效力（以当地规定为准）。"), styles["Small"]),
    ]
    story.extend(verification_block(code, url, styles))
    return _build(story, f"{label} {number}", number)
