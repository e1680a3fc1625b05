from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin

from .models import Channel


class CheckoutForm(SpecificErrorsMixin, forms.Form):
    channel = forms.ChoiceField(
        label=_("支付方式"), choices=Channel.choices, initial=Channel.PC, widget=forms.RadioSelect
    )


class RefundForm(SpecificErrorsMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("退款金额（元）"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=_("退款原因"), max_length=256)
