"""The named placeholders a contract template may use.

Syntax: ``{{ name }}``. A paragraph that is exactly ``{{ items_table }}`` becomes the
itemised statement table (F9); every other placeholder is replaced by text. Unknown
names are refused when the template is saved, and the required ones (the parties, the
statement and its totals, the F8 terms and the dispute clause) must all appear.
"""

import re

from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
ITEMS_TABLE = "items_table"

# name -> (label, required)
PLACEHOLDERS = {
    "contract_number": (gettext_lazy("合同编号"), False),
    "order_reference": (gettext_lazy("订单号"), False),
    "provider_name": (gettext_lazy("乙方（服务机构）名称"), True),
    "provider_address": (gettext_lazy("乙方地址"), False),
    "provider_phone": (gettext_lazy("乙方联系电话"), False),
    "provider_licence": (gettext_lazy("乙方经营许可证号"), False),
    "family_name": (gettext_lazy("甲方（家属）姓名"), True),
    "family_relation": (gettext_lazy("甲方与逝者关系"), False),
    "family_mobile": (gettext_lazy("甲方手机（脱敏）"), False),
    "deceased_name": (gettext_lazy("逝者姓名"), True),
    "deceased_gender": (gettext_lazy("逝者性别"), False),
    "deceased_age": (gettext_lazy("逝者年龄"), False),
    "deceased_id": (gettext_lazy("逝者身份证号（脱敏）"), False),
    "date_of_death": (gettext_lazy("死亡日期"), False),
    "service_date": (gettext_lazy("服务日期"), True),
    "service_time": (gettext_lazy("服务时间"), True),
    "hall": (gettext_lazy("礼厅"), False),
    "burial_choice": (gettext_lazy("安葬方式"), False),
    ITEMS_TABLE: (gettext_lazy("所选商品和服务明细表（F9，单独成段）"), True),
    "subtotal": (gettext_lazy("项目合计"), True),
    "exempted": (gettext_lazy("政策减免合计"), True),
    "total": (gettext_lazy("应付合计"), True),
    "total_in_words": (gettext_lazy("应付合计（大写）"), False),
    "deposit_terms": (gettext_lazy("定金条款（F8）"), True),
    "payment_schedule": (gettext_lazy("付款安排（F8）"), True),
    "cancellation_terms": (gettext_lazy("取消条款（F8）"), True),
    "refund_terms": (gettext_lazy("退款条款（F8）"), True),
    "ownership_disclosure": (gettext_lazy("所有权与关联关系披露（F8）"), False),
    "referral_disclosure": (gettext_lazy("转介安排披露（F8）"), False),
    "complaint_hotline": (gettext_lazy("投诉电话"), False),
    "supervising_authority": (gettext_lazy("主管部门"), False),
    "dispute_resolution": (gettext_lazy("争议解决条款"), True),
}


def names_in(text):
    return [match.group(1) for match in PATTERN.finditer(text)]


def validate_body(body):
    """Return the error messages for a template body (empty when it is valid)."""
    errors = []
    used = names_in(body)
    unknown = sorted({name for name in used if name not in PLACEHOLDERS})
    if unknown:
        errors.append(
            _("未知的占位符：%(names)s。请只使用下方列出的占位符。")
            % {"names": "、".join(f"{{{{ {name} }}}}" for name in unknown)}
        )
    missing = [name for name, (_label, required) in PLACEHOLDERS.items() if required and name not in used]
    if missing:
        errors.append(
            _("缺少必需的占位符：%(names)s。")
            % {"names": "、".join(f"{{{{ {name} }}}}（{PLACEHOLDERS[name][0]}）" for name in missing)}
        )
    if any(ITEMS_TABLE in names_in(p) and not is_table(p) for p in split_paragraphs(body)):
        errors.append(_("{{ items_table }} 必须单独成段（前后各空一行）。"))
    return errors


def split_paragraphs(body):
    return [p for p in re.split(r"\n\s*\n", body.replace("\r\n", "\n")) if p.strip()]


def is_table(paragraph):
    return bool(re.fullmatch(r"\s*\{\{\s*items_table\s*\}\}\s*", paragraph))


def fill(text, values):
    return PATTERN.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)


def placeholder_help():
    rows = format_html_join(
        "",
        "<li><code>{{{{ {} }}}}</code> {}{}</li>",
        ((name, label, "*" if required else "") for name, (label, required) in PLACEHOLDERS.items()),
    )
    return format_html("<p>{}</p><ul>{}</ul>", _("带 * 的占位符必须出现在正文中。"), rows)


placeholder_help_lazy = lazy(placeholder_help, str)
