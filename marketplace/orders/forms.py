import re
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from . import identity
from .models import Gender
from .services.signing import published_templates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
ITEM_FIELD = re.compile(r"^(add|remove|price)_(\d+)$")


class PostedPricesMixin:
    """F4: the page carries the posted price of every line it shows; a different price, or an
    item that is not on the page, is refused."""

    def expected_prices(self, allowed_ids):
        prices, errors = {}, []
        for key, value in self.data.items():
            match = ITEM_FIELD.match(key)
            if not match or match.group(1) != "price":
                continue
            item_id = int(match.group(2))
            if item_id not in allowed_ids:
                errors.append(_("提交了不属于本单的项目（F4：只能选择机构已公示、在售的项目）。"))
                continue
            try:
                prices[item_id] = Decimal(value)
            except (InvalidOperation, TypeError):
                errors.append(_("价格格式不正确。"))
        return prices, errors


class OrderForm(SpecificErrorsMixin, PostedPricesMixin, forms.Form):
    deceased_name = forms.CharField(label=_("逝者姓名"), max_length=60)
    deceased_gender = forms.ChoiceField(label=_("逝者性别"), choices=[("", "—"), *Gender.choices])
    deceased_age = forms.IntegerField(label=_("逝者年龄"), min_value=0, max_value=130)
    date_of_death = forms.DateField(label=_("死亡日期"), widget=DATE)
    deceased_id = forms.CharField(
        label=_("逝者居民身份证号"),
        max_length=20,
        help_text=_("仅保存脱敏号码（如 110***********1234）和用于核对的摘要，任何页面都不显示完整号码。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    contact_name = forms.CharField(
        label=_("经办家属姓名"), max_length=60, help_text=_("签署合同时须输入与此一致的姓名。")
    )
    contact_relation = forms.CharField(
        label=_("与逝者关系"), max_length=20, help_text=_("例如：子女、配偶。")
    )
    requested_date = forms.DateField(label=_("希望服务日期"), widget=DATE)
    requested_time = forms.TimeField(label=_("希望服务时间"), widget=TIME)
    family_note = forms.CharField(
        label=_("备注"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    accept_price_changes = forms.BooleanField(
        label=_("我已核对报价后调整的价格，同意按现行公示价格下单"), required=False
    )

    def __init__(self, *args, user, statement, changes, held_start=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.statement = statement
        self.changes = changes
        if held_start is not None:  # F11: a held slot is the wanted date and time
            for name, value in (("requested_date", held_start.date()), ("requested_time", held_start.time())):
                self.fields[name].initial = value
                self.fields[name].disabled = True
                self.fields[name].help_text = _("按您暂留的服务档期填写；如需改时间，请重新选择档期。")
        if user.is_real_name_verified and user.real_name:
            self.fields["contact_name"].initial = user.real_name
            self.fields["contact_name"].disabled = True
            self.fields["contact_name"].help_text = _("已按您的实名认证姓名填写；签署合同时须输入此姓名。")
        elif user.real_name:
            self.fields["contact_name"].initial = user.real_name
        if not changes:
            del self.fields["accept_price_changes"]

    SECTIONS = (
        (
            "deceased",
            _("逝者信息"),
            ("deceased_name", "deceased_gender", "deceased_age", "date_of_death", "deceased_id"),
        ),
        ("contact", _("经办家属"), ("contact_name", "contact_relation")),
        ("service", _("服务日期和时间"), ("requested_date", "requested_time", "family_note")),
        ("prices", _("价格确认"), ("accept_price_changes",)),
    )

    def sections(self):
        """The form's sections (key, title, bound fields), each with its task-list status:
        未开始 before anything is posted or typed, 有错误 when a field of it has an error,
        已完成 when every required field of it is filled, else 进行中."""
        for key, title, names in self.SECTIONS:
            fields = [self[name] for name in names if name in self.fields]
            if fields:
                yield {"key": key, "title": title, "fields": fields, "status": self._status(fields)}

    def tasks(self):
        return [
            {"anchor": f"section-{section['key']}", "title": section["title"], "status": section["status"]}
            for section in self.sections()
        ]

    def _status(self, fields):
        if not self.is_bound:
            return "not_started"
        if any(field.errors for field in fields):
            return "has_errors"
        filled = {field.name for field in fields if field.field.disabled or self.data.get(field.html_name)}
        if not filled:
            return "not_started"
        if all(field.name in filled for field in fields if field.field.required):
            return "completed"
        return "in_progress"

    def answers(self, change_url):
        """The check-your-answers rows of a valid form, by section; the identity number only
        masked. ``change_url`` is the form's address, the anchors are appended."""
        data = self.cleaned_data
        shown = {
            "deceased_gender": dict(Gender.choices).get(data.get("deceased_gender"), ""),
            "deceased_id": identity.mask(data["deceased_id"]),
            "date_of_death": data["date_of_death"].strftime("%Y-%m-%d"),
            "requested_date": data["requested_date"].strftime("%Y-%m-%d"),
            "requested_time": data["requested_time"].strftime("%H:%M"),
            "family_note": data.get("family_note") or _("无"),
            "accept_price_changes": _("已确认按现行公示价格下单"),
        }
        return [
            {
                "key": section["key"],
                "title": section["title"],
                "change_url": f"{change_url}#section-{section['key']}",
                "rows": [
                    {
                        "label": field.label,
                        "value": shown.get(field.name, data.get(field.name)),
                        "multiline": field.name == "family_note",
                        "change_url": f"{change_url}#{field.auto_id}",
                    }
                    for field in section["fields"]
                ],
            }
            for section in self.sections()
        ]

    def check_data(self):
        """What the check step keeps between requests: the typed answers only (never prices;
        a disabled field keeps its initial value and is not stored)."""
        return {
            name: self.data.get(name, "")
            for name, field in self.fields.items()
            if not field.disabled and self.data.get(name, "") != ""
        }

    def clean_deceased_id(self):
        return identity.validate_resident_id(self.cleaned_data["deceased_id"])

    def clean_date_of_death(self):
        value = self.cleaned_data["date_of_death"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("死亡日期不能晚于今天。"))
        return value

    def clean_requested_date(self):
        value = self.cleaned_data["requested_date"]
        today = timezone.localdate()
        if value < today:
            raise forms.ValidationError(_("希望服务日期不能早于今天。"))
        if value > today + timedelta(days=settings.ORDERS_MAX_LEAD_DAYS):
            raise forms.ValidationError(
                _("希望服务日期不能晚于 %(n)s 天后。") % {"n": settings.ORDERS_MAX_LEAD_DAYS}
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if self.changes and not cleaned.get("accept_price_changes"):
            self.add_error("accept_price_changes", _("报价后部分项目的公示价格已调整，请核对后勾选确认。"))
        prices, errors = self.expected_prices({row.item.pk for row in self.statement.lines})
        for error in errors:
            self.add_error(None, error)
        self.posted_prices = prices
        return cleaned


class ConfirmForm(SpecificErrorsMixin, forms.Form):
    service_date = forms.DateField(label=_("服务日期"), widget=DATE)
    service_time = forms.TimeField(label=_("服务时间"), widget=TIME)
    hall = forms.CharField(label=_("礼厅"), max_length=60, help_text=_("例如：二号告别厅。"))
    note = forms.CharField(
        label=_("给家属的说明"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_service_date(self):
        value = self.cleaned_data["service_date"]
        if value < timezone.localdate():
            raise forms.ValidationError(_("服务日期不能早于今天。"))
        return value


class IssueContractForm(SpecificErrorsMixin, forms.Form):
    template = forms.ModelChoiceField(
        label=_("合同模板"),
        queryset=published_templates(),
        empty_label=None,
        help_text=_("只能使用民政局已发布的模板；合同将记录所用模板的版本。"),
        error_messages={"invalid_choice": _("只能使用民政局已发布的合同模板。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = published_templates()


class SignForm(SpecificErrorsMixin, forms.Form):
    shown_sha256 = forms.CharField(widget=forms.HiddenInput)
    full_name = forms.CharField(
        label=_("签署人姓名"), max_length=60, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    consent = forms.BooleanField(
        label=_("我已阅读上述文书全文，同意其全部内容，并确认以电子签名方式签署"),
        error_messages={"required": _("请阅读文书全文并勾选同意后再签署。")},
    )
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )

    def __init__(self, *args, expected_name_hint="", **kwargs):
        super().__init__(*args, **kwargs)
        if expected_name_hint:
            self.fields["full_name"].help_text = expected_name_hint


class ReasonForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(SpecificErrorsMixin, forms.Form):
    event_date = forms.DateField(label=_("火化或安葬日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=200)

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "cremation_certificate":
            self.fields["event_date"].label = _("火化日期")
            self.fields["place"].label = _("火化地点")
            self.fields["place"].help_text = _("殡仪馆名称及火化炉号，例如：八宝山殡仪馆 3 号炉。")
        elif kind == "burial_certificate":
            self.fields["event_date"].label = _("安葬日期")
            self.fields["place"].label = _("安葬地点")
            self.fields["place"].help_text = _("公墓名称、墓区和墓号。")
        else:
            del self.fields["event_date"]
            del self.fields["place"]

    def clean_event_date(self):
        value = self.cleaned_data["event_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("日期不能晚于今天。"))
        return value


class ChangeOrderForm(SpecificErrorsMixin, PostedPricesMixin, forms.Form):
    """F9: the provider adds posted items (at the price in effect) or removes billed ones.

    One quantity field per posted, active item (``add_<id>``) and per billed item
    (``remove_<id>``); there is no free-text fee and no price field (F4)."""

    reason = forms.CharField(label=_("变更原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, items, billed, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.billed = billed
        for item in items:
            self.fields[f"add_{item.pk}"] = forms.IntegerField(
                label=item.name, min_value=0, max_value=999, required=False, initial=0
            )
        for row in billed:
            self.fields[f"remove_{row['item_id']}"] = forms.IntegerField(
                label=row["name"], min_value=0, max_value=row["quantity"], required=False, initial=0
            )

    def add_rows(self):
        return [(item, self[f"add_{item.pk}"]) for item in self.items]

    def remove_rows(self):
        return [(row, self[f"remove_{row['item_id']}"]) for row in self.billed]

    def clean(self):
        cleaned = super().clean()
        known_add = {item.pk for item in self.items}
        known_remove = {row["item_id"] for row in self.billed}
        for key in self.data:
            match = ITEM_FIELD.match(key)
            if not match:
                continue
            kind, item_id = match.group(1), int(match.group(2))
            if kind == "add" and item_id not in known_add:
                self.add_error(
                    None, _("提交了机构未公示或未在售的项目，已拒绝：只能选择机构已公示、在售的项目。")
                )
            if kind == "remove" and item_id not in known_remove:
                self.add_error(None, _("只能减少账单中已有的项目。"))
        prices, errors = self.expected_prices(known_add)
        for error in errors:
            self.add_error(None, error)
        self.posted_prices = prices
        self.additions = {i: cleaned.get(f"add_{i}") or 0 for i in known_add if cleaned.get(f"add_{i}")}
        self.removals = {
            i: cleaned.get(f"remove_{i}") or 0 for i in known_remove if cleaned.get(f"remove_{i}")
        }
        if not self.errors and not self.additions and not self.removals:
            self.add_error(None, _("请至少增加或减少一个项目。"))
        return cleaned
