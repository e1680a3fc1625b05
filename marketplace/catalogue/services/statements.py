"""The itemised statement (F9) of posted items at their posted prices (F4), with the F7
exemptions for sea or natural burial by a Beijing resident; a signed-in family keeps it as a
``Quote`` the orders app turns into an order."""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import ZERO, round_money

from ..models import BurialChoice, Provider, Quote, QuoteLine, ServiceCategory, ServiceItem
from .current import today, with_current_price


@dataclass
class StatementLine:
    item: ServiceItem
    version_id: int
    quantity: int
    unit_price: Decimal
    amount: Decimal
    f7_free: bool = False

    @property
    def payable(self):
        return Decimal("0.00") if self.f7_free else self.amount


@dataclass
class Statement:
    provider: Provider
    lines: list
    burial_choice: str
    beijing_resident: bool
    day: object
    f7_categories: list = field(default_factory=list)

    @property
    def f7_applies(self):
        return self.burial_choice in settings.F7_FREE_BURIAL_CHOICES and self.beijing_resident

    @property
    def f7_eligible_choice(self):
        return self.burial_choice in settings.F7_FREE_BURIAL_CHOICES

    @property
    def policy_reference(self):
        return settings.F7_POLICY_REFERENCE

    @property
    def subtotal(self):
        return round_money(sum((line.amount for line in self.lines), ZERO))

    @property
    def exempted(self):
        return round_money(sum((line.amount for line in self.lines if line.f7_free), ZERO))

    @property
    def total(self):
        return round_money(self.subtotal - self.exempted)

    @property
    def burial_choice_label(self):
        return BurialChoice(self.burial_choice).label if self.burial_choice else ""


def _f7_categories(burial_choice):
    """The categories F7 makes free, listed on a statement whose burial choice is eligible."""
    if burial_choice not in settings.F7_FREE_BURIAL_CHOICES:
        return []
    return list(ServiceCategory.objects.filter(f7_free=True).order_by("sort_order"))


def compute_statement(provider, selections, *, burial_choice="", beijing_resident=False, day=None):
    """F9: the itemised statement of the selected items at today's posted prices.

    ``selections`` maps item ids to quantities. Every line is a posted item of this
    provider at its posted price (F4); nothing else can be added. Quantities below 1
    are dropped. For sea or natural burial by a Beijing resident, the F7 services are free."""
    day = day or today()
    errors = []
    wanted = {}
    for item_id, quantity in selections.items():
        try:
            item_id, quantity = int(item_id), int(quantity)
        except (TypeError, ValueError):
            errors.append(_("数量必须是整数。"))
            continue
        if quantity > 999:
            errors.append(_("数量不能超过 999。"))
            continue
        if quantity >= 1:
            wanted[item_id] = quantity
    if errors:
        raise ValidationError(errors)
    if burial_choice not in BurialChoice.values:
        raise ValidationError(_("请选择有效的安葬方式。"))
    items = with_current_price(
        ServiceItem.objects.filter(provider=provider, is_active=True, pk__in=wanted).select_related(
            "category"
        ),
        day,
    )
    items = [item for item in items if item.current_price is not None]
    if len(items) != len(wanted):
        raise ValidationError(_("所选项目中有不属于该机构或暂未标价的项目，请重新选择。"))
    free = burial_choice in settings.F7_FREE_BURIAL_CHOICES and beijing_resident
    items.sort(key=lambda i: (i.category.sort_order, i.sort_order, i.name))
    lines = [
        StatementLine(
            item=item,
            version_id=item.current_version_id,
            quantity=wanted[item.pk],
            unit_price=item.current_price,
            amount=round_money(item.current_price * wanted[item.pk]),
            f7_free=free and item.category.f7_free,
        )
        for item in items
    ]
    return Statement(provider, lines, burial_choice, beijing_resident, day, _f7_categories(burial_choice))


def _fingerprint(provider_id, burial_choice, beijing_resident, lines):
    return (provider_id, burial_choice, bool(beijing_resident), sorted(lines))


def _recent_duplicate(user, statement):
    """The quote this user saved of the same statement in the last few minutes and has not
    ordered from yet, if any."""
    since = timezone.now() - timedelta(seconds=settings.QUOTE_RESUBMIT_WINDOW_SECONDS)
    wanted = _fingerprint(
        statement.provider.pk,
        statement.burial_choice,
        statement.beijing_resident,
        [(line.item.pk, line.version_id, line.quantity) for line in statement.lines],
    )
    recent = (
        Quote.objects.filter(user=user, provider=statement.provider, created_at__gte=since)
        # A quote the family has already ordered from stays as it was; a new one is new.
        .filter(orders__isnull=True)
        .prefetch_related("lines")
        .order_by("-created_at")
    )
    for quote in recent:
        stored = [(line.item_id, line.price_version_id, line.quantity) for line in quote.lines.all()]
        if _fingerprint(quote.provider_id, quote.burial_choice, quote.beijing_resident, stored) == wanted:
            return quote
    return None


def save_quote(user, statement):
    """Keep a signed-in family's statement as a ``Quote`` the orders app can turn into an order.

    Saving is idempotent for a while: a double click or a resent form returns the quote the
    first request saved (``QUOTE_RESUBMIT_WINDOW_SECONDS``). The user's row is locked first,
    so two requests at the same moment cannot both miss each other's quote."""
    with transaction.atomic():
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        duplicate = _recent_duplicate(user, statement)
        if duplicate is not None:
            return duplicate
        quote = Quote.objects.create(
            user=user,
            provider=statement.provider,
            burial_choice=statement.burial_choice,
            beijing_resident=statement.beijing_resident,
            subtotal=statement.subtotal,
            exempted=statement.exempted,
            total=statement.total,
            policy_reference=statement.policy_reference if statement.f7_applies else "",
        )
        QuoteLine.objects.bulk_create(
            QuoteLine(
                quote=quote,
                item=line.item,
                price_version_id=line.version_id,
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                f7_free=line.f7_free,
                sort_order=index,
            )
            for index, line in enumerate(statement.lines)
        )
        return quote


def statement_from_quote(quote):
    """Rebuild the statement of a saved quote from its stored lines (prices as quoted)."""
    lines = [
        StatementLine(
            item=line.item,
            version_id=line.price_version_id,
            quantity=line.quantity,
            unit_price=line.unit_price,
            amount=line.amount,
            f7_free=line.f7_free,
        )
        for line in quote.lines.select_related("item__category")
    ]
    return Statement(
        quote.provider,
        lines,
        quote.burial_choice,
        quote.beijing_resident,
        timezone.localdate(quote.created_at),
        _f7_categories(quote.burial_choice),
    )
