"""Forms of booked visits. They parse input only; every rule is checked in ``services``."""

import datetime

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from .models import FestivalPeriod, VisitSession


class BookingForm(SpecificErrorsMixin, forms.Form):
    id_number = forms.CharField(
        label=_("预约人身份证号"),
        max_length=24,
        help_text=_("实名预约：平台只保存脱敏号码和不可还原的摘要，用于核对每个身份证号的预约次数。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "spellcheck": "false"}),
    )
    grave = forms.CharField(
        label=_("墓位或格位号"),
        max_length=60,
        help_text=_("例如：松园 A区3排12号。每个墓位每天最多接待 %(cap)s 人祭扫。"),
    )
    visitors = forms.IntegerField(label=_("祭扫人数"), min_value=1)

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grave"].help_text = self.fields["grave"].help_text % {
            "cap": settings.M3_GRAVE_VISITORS_PER_DAY
        }
        self.fields["visitors"].widget.attrs["max"] = session.max_visitors_per_booking
        self.fields["visitors"].help_text = _("本场次每个预约最多 %(max)s 人（含预约人）。") % {
            "max": session.max_visitors_per_booking
        }
        self.fields["visitors"].initial = 1


class BulkSessionsForm(SpecificErrorsMixin, forms.Form):
    first_day = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    last_day = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    windows = forms.CharField(
        label=_("每天的时段"),
        widget=forms.Textarea(attrs={"rows": 4}),
        initial="08:00-10:00\n10:00-12:00\n13:00-15:00",
        help_text=_("每行一个时段，如 08:00-10:00。每一天的每个时段各发布一个场次；已有的场次保持不变。"),
    )
    area = forms.ChoiceField(label=_("场所"), choices=VisitSession.Area.choices)
    normal_capacity = forms.IntegerField(
        label=_("平时容量（人）"),
        min_value=1,
        help_text=_("高峰期内按民政局规定的比例自动折算（向下取整）。"),
    )
    max_visitors_per_booking = forms.IntegerField(label=_("每个预约最多人数"), min_value=1, max_value=50)

    def clean_windows(self):
        from .services import parse_windows

        return parse_windows(self.cleaned_data["windows"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["max_visitors_per_booking"].initial = settings.M3_DEFAULT_VISITORS_PER_BOOKING
        today = timezone.localdate()
        upcoming = FestivalPeriod.objects.filter(ends_on__gte=today).order_by("starts_on").first()
        if upcoming is not None:
            self.fields["first_day"].initial = max(upcoming.starts_on, today)
            self.fields["last_day"].initial = upcoming.ends_on
            self.fields["first_day"].help_text = _("即将到来的高峰期：%(period)s") % {"period": upcoming}
        else:
            self.fields["first_day"].initial = today + datetime.timedelta(days=1)
            self.fields["last_day"].initial = today + datetime.timedelta(days=7)


class PassCodeForm(SpecificErrorsMixin, forms.Form):
    code = forms.CharField(
        label=_("预约凭证核验码或预约编号"),
        max_length=200,
        help_text=_("扫描凭证上的二维码，或输入 16 位核验码（如 ABCD-EFGH-JKMN-PQRS）或预约编号。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True, "spellcheck": "false"}),
    )
