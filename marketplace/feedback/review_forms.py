"""Forms of the reviews (R1): the family's review, a report, the provider's reply, the bureau's
decision. Each form checks what it can show beside a field; the services decide again."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.forms import SpecificErrorsMixin

from .models import RATING_FIELDS
from .services.reviews import ReviewRefused, check_eligibility

LABELS = dict(RATING_FIELDS)


def _star_label(n):
    return ngettext("%(n)s 星", "%(n)s 星", n) % {"n": n}


# Lazy, so each page shows the label in its own language (formatting a lazy string here would
# fix it in the language the process happened to import this module in).
STARS = [(n, lazy(_star_label, str)(n)) for n in (5, 4, 3, 2, 1)]


def _stars(label):
    return forms.TypedChoiceField(label=label, choices=[("", _("请选择"))] + STARS, coerce=int)


class ReviewForm(SpecificErrorsMixin, forms.Form):
    overall = _stars(LABELS["overall"])
    price_transparency = _stars(LABELS["price_transparency"])
    service_attitude = _stars(LABELS["service_attitude"])
    facilities = _stars(LABELS["facilities"])
    text = forms.CharField(
        label=_("评价内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("请如实描述服务过程。评价以脱敏姓名发布，经审核后公开，提交后不能修改。"),
    )

    def __init__(self, *args, user, order, **kwargs):
        self.user = user
        self.order = order
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        try:
            check_eligibility(self.user, self.order)
        except ReviewRefused as error:
            raise forms.ValidationError(error.messages, code=error.code) from error
        return cleaned


class ReportForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("举报理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("例如：含有侮辱、广告或与服务无关的内容。民政局工作人员会复核。"),
    )


class ReplyForm(SpecificErrorsMixin, forms.Form):
    text = forms.CharField(
        label=_("回复内容"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "回复公开显示在评价下方；每条评价只能回复一次，发布后 %(hours)s 小时内可修改，修改记录公开保留。"
        ),
    )

    def __init__(self, *args, hours, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = self.fields["text"].help_text % {"hours": hours}
