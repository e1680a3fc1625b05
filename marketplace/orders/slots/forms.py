"""Forms of the funeral home's slot workbench (F11). They parse input only; the rules that
publish, close and move slots are checked in ``services``."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from . import services
from .models import Resource

WEEKDAYS = (
    ("1", _("星期一")),
    ("2", _("星期二")),
    ("3", _("星期三")),
    ("4", _("星期四")),
    ("5", _("星期五")),
    ("6", _("星期六")),
    ("7", _("星期日")),
)


def _time_input():
    return forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ResourceForm(SpecificErrorsMixin, forms.ModelForm):
    """A new hall, cremation line or vehicle fleet of the funeral home."""

    weekdays = forms.MultipleChoiceField(
        label=_("开放日"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        initial=[value for value, _label in WEEKDAYS],
    )

    class Meta:
        model = Resource
        fields = ["kind", "name", "seats", "items", "opens", "closes", "weekdays", "slot_minutes", "capacity"]
        widgets = {
            "items": forms.CheckboxSelectMultiple,
            "opens": _time_input(),
            "closes": _time_input(),
        }

    def __init__(self, *args, provider, **kwargs):
        # Three forms share the provider page: each its own ids.
        kwargs.setdefault("auto_id", "resource_%s")
        super().__init__(*args, **kwargs)
        self.provider = provider
        self.instance.provider = provider
        self.fields["items"].queryset = provider.items.filter(is_active=True).order_by("sort_order", "name")
        self.fields["items"].label_from_instance = lambda item: item.name
        self.fields["opens"].label = pgettext("resource opening hours", "每天开放自")
        self.fields["closes"].label = pgettext("resource opening hours", "每天开放至")
        self.fields["opens"].initial = datetime.time(8)
        self.fields["closes"].initial = datetime.time(17)
        self.fields["slot_minutes"].initial = 60

    def clean_weekdays(self):
        return "".join(sorted(set(self.cleaned_data["weekdays"])))

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if Resource.objects.filter(provider=self.provider, name=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("本机构已有名为“%(name)s”的资源，请换一个名称。") % {"name": name})
        return name

    def clean(self):
        data = super().clean()
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes <= opens:
            self.add_error("closes", _("结束时间须晚于开始时间。"))
        return data


class ResourceEditForm(ResourceForm):
    """A resource changed later: its name, size, items, hours, slot length, capacity, and whether
    it takes bookings. Its kind stays (bookings move only between resources of one kind). Slots
    already published keep their times; new hours apply to the next publication."""

    class Meta(ResourceForm.Meta):
        fields = [
            "name",
            "seats",
            "items",
            "opens",
            "closes",
            "weekdays",
            "slot_minutes",
            "capacity",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "edit_%s")
        super().__init__(*args, **kwargs)
        self.fields["opens"].initial = self.fields["closes"].initial = self.fields["slot_minutes"].initial = (
            None
        )
        self.initial["weekdays"] = list(self.instance.weekdays)


def _months():
    return [(month, gettext("%(month)s 月") % {"month": month}) for month in range(1, 13)]


class PublishMonthForm(SpecificErrorsMixin, forms.Form):
    """Publish one month of slots (from today when it is the current month)."""

    resource = forms.ModelChoiceField(
        label=_("资源"),
        queryset=Resource.objects.none(),
        required=False,
        empty_label=_("全部接受预约的资源"),
    )
    year = forms.TypedChoiceField(label=_("年份"), coerce=int)
    month = forms.TypedChoiceField(label=_("月份"), coerce=int)

    def __init__(self, *args, provider, today=None, **kwargs):
        # Three forms share the provider page: each its own ids.
        kwargs.setdefault("auto_id", "publish_%s")
        super().__init__(*args, **kwargs)
        self.today = today or timezone.localdate()
        self.fields["resource"].queryset = Resource.objects.filter(provider=provider, is_active=True)
        self.fields["year"].choices = [(year, str(year)) for year in (self.today.year, self.today.year + 1)]
        self.fields["month"].choices = _months()
        following = (self.today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
        self.fields["year"].initial = following.year
        self.fields["month"].initial = following.month

    def clean(self):
        data = super().clean()
        year, month = data.get("year"), data.get("month")
        if year and month:
            first, last = services.month_bounds(year, month, today=self.today)
            if last < self.today:
                raise forms.ValidationError(_("该月份已经过去，请选择本月或以后的月份。"))
            data["first_day"], data["last_day"] = first, last
        return data


class ClosureForm(SpecificErrorsMixin, forms.Form):
    """Take days out of one resource (a holiday, maintenance)."""

    resource = forms.ModelChoiceField(label=_("资源"), queryset=Resource.objects.none())
    starts_on = forms.DateField(label=_("开始日期"), widget=_date_input())
    ends_on = forms.DateField(label=_("结束日期"), widget=_date_input())
    reason = forms.CharField(label=_("停用原因"), max_length=120, help_text=_("例如：设备检修、清明节停用。"))

    def __init__(self, *args, provider, **kwargs):
        # Three forms share the provider page: each its own ids.
        kwargs.setdefault("auto_id", "closure_%s")
        super().__init__(*args, **kwargs)
        self.fields["resource"].queryset = Resource.objects.filter(provider=provider)


class MoveForm(SpecificErrorsMixin, forms.Form):
    """Propose another free slot to the family; nothing moves until the family agrees."""

    slot = forms.TypedChoiceField(label=_("改约至"), coerce=int)
    note = forms.CharField(
        label=_("向家属说明原因"),
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("家属在订单页面看到这段说明，同意后才改约。"),
    )

    def __init__(self, *args, slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {slot.pk: slot for slot in slots}
        self.fields["slot"].choices = [("", gettext("请选择时段"))] + [
            (slot.pk, _slot_label(slot)) for slot in slots
        ]

    def clean_slot(self):
        return self.slots[self.cleaned_data["slot"]]


def _slot_label(slot):
    start = timezone.localtime(slot.starts_at)
    return gettext("%(day)s %(time)s %(resource)s（剩余 %(free)s）") % {
        "day": start.strftime("%Y-%m-%d"),
        "time": start.strftime("%H:%M"),
        "resource": slot.resource.name,
        "free": slot.free,
    }
