"""Posting a price: the bureau's ceilings (F2) and the append-only, chained price versions
(F1 basis on every version, F10 effective date, reason and author, never backdated), with
optimistic locking against a concurrent editor and the F2 anomaly flag on market prices."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import round_money

from ..models import (
    GuidePrice,
    PriceBasis,
    PriceChangeReason,
    PriceFlag,
    PriceVersion,
    Provider,
    ServiceItem,
    reason_code_for_text,
)
from .anomalies import anomaly
from .authorship import author_name
from .ceilings import refresh_if_warned
from .current import bump_stats_generation
from .stats import category_median


def ceiling_for(category, basis, day):
    """The bureau's guide price (ceiling) in force for a category and basis on a day: the newest
    version in effect on it (versions are append-only; see ``services.ceilings``)."""
    return GuidePrice.objects.for_pair(category, basis).in_effect_on(day).newest_first().first()


def check_ceiling(category, basis, price, day):
    """F2: refuse a price above the ceiling, naming the ceiling and its document."""
    guide = ceiling_for(category, basis, day)
    if guide is not None and Decimal(price) > guide.ceiling:
        raise ValidationError(
            _("价格 ¥%(price)s 超过%(category)s的最高限价 ¥%(ceiling)s（依据：%(document)s），不能发布。")
            % {
                "price": round_money(price),
                "category": category.display_name,
                "ceiling": guide.ceiling,
                "document": guide.document_reference,
            },
            code="f2_above_ceiling",
        )
    return guide


class StalePriceError(ValidationError):
    """The item's price changed after the editor loaded the form (optimistic locking).

    ``current`` is the item's latest version now (or None)."""

    def __init__(self, current):
        self.current = current
        if current is None:
            message = _("在您编辑期间，该项目的价格记录已发生变化。您填写的内容已保留，请核对后重新提交。")
        else:
            message = _(
                "在您编辑期间，该项目的价格已被他人更新为 ¥%(price)s（%(date)s 生效，原因：%(reason)s）。"
                "您填写的内容已保留，请核对后重新提交。"
            ) % {
                "price": current.price,
                "date": current.effective_from.isoformat(),
                "reason": current.reason_text,
            }
        super().__init__(message, code="stale_version")


_UNCHECKED = object()


def latest_version(item):
    """The item's most recently published version (the one an editor's form is based on)."""
    return PriceVersion.objects.filter(item=item).order_by("-sequence").first()


def earliest_effective_date(announced_at=None):
    """F10: the first day a price announced at ``announced_at`` (now by default) may take effect,
    ``F10_MIN_NOTICE_DAYS`` after the day it is announced (0: the same day)."""
    announced_on = timezone.localdate(announced_at or timezone.now())
    return announced_on + datetime.timedelta(days=settings.F10_MIN_NOTICE_DAYS)


def notice_error(earliest):
    return _("生效日期不能早于 %(date)s：已生效的价格不能改写，只能发布新的价格（F10）。") % {
        "date": earliest.isoformat()
    }


def publish_price(
    item,
    *,
    price,
    effective_from,
    reason="",
    reason_code="",
    user=None,
    basis=None,
    announced_at=None,
    expected_version=_UNCHECKED,
):
    """Append a new price version for an item (F10), enforcing F2.

    Returns the new ``PriceVersion``; a ``PriceFlag`` is attached when the market
    price is anomalous (it is still published). Raises ``ValidationError`` when the
    price is above its ceiling or the date is in the past.

    ``expected_version`` (the pk of the item's latest version when the editor's form was
    rendered, or None if it had none) makes the change conditional: if another version was
    published meanwhile, ``StalePriceError`` is raised and nothing is written."""
    with transaction.atomic():
        price = round_money(price)
        basis = basis or item.basis
        reason = (reason or "").strip()
        # A caller that passes only text (an importer, an old script) gets the code its text names.
        reason_code = reason_code or reason_code_for_text(reason)
        errors = {}
        if price < 0:
            errors["price"] = _("价格不能为负数。")
        if reason_code and reason_code not in PriceChangeReason.values:
            errors["reason_code"] = _("请从列表中选择调价原因。")
        elif not reason_code and not reason:
            errors["reason"] = _("请填写调价原因（F10）。")
        elif reason_code == PriceChangeReason.OTHER and not reason:
            errors["reason"] = _("调价原因选择“其他”时，请说明具体原因。")
        announced_at = announced_at or timezone.now()
        if effective_from < timezone.localdate(announced_at):
            errors["effective_from"] = _("生效日期不能早于公布日期：历史价格不能补录或改写（F10）。")
        elif (
            effective_from < earliest_effective_date(announced_at)
            and PriceVersion.objects.filter(item=item).exists()
        ):
            # A change of a posted price needs the notice; an item's first price is no change.
            errors["effective_from"] = notice_error(earliest_effective_date(announced_at))
        if errors:
            raise ValidationError(errors)
        try:
            check_ceiling(item.category, basis, price, effective_from)
        except ValidationError as exc:
            raise ValidationError({"price": exc.messages}) from exc

        # Serialise the provider's chain: one writer at a time per provider.
        Provider.objects.select_for_update().only("pk").get(pk=item.provider_id)
        if expected_version is not _UNCHECKED:
            current = latest_version(item)
            if (current.pk if current else None) != expected_version:
                raise StalePriceError(current)
        last_in_chain = (
            PriceVersion.objects.filter(provider_id=item.provider_id).order_by("-sequence").first()
        )
        previous_of_item = PriceVersion.objects.filter(item=item).order_by("-effective_from", "-id").first()
        version = PriceVersion(
            provider_id=item.provider_id,
            item=item,
            sequence=(last_in_chain.sequence + 1) if last_in_chain else 1,
            price=price,
            basis=basis,
            effective_from=effective_from,
            announced_at=announced_at,
            reason=reason,
            reason_code=reason_code,
            created_by=user,
            created_by_name=author_name(user),
            previous=previous_of_item,
            previous_hash=last_in_chain.chain_hash if last_in_chain else "",
        )
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError as exc:
            # Where the row lock above does not serialise writers (SQLite has no SELECT … FOR
            # UPDATE), a concurrent version took this sequence number first: the editor's view is
            # stale, so refuse the same way instead of failing with an error page.
            if expected_version is _UNCHECKED:
                raise
            raise StalePriceError(latest_version(item)) from exc
        if item.basis != basis:
            ServiceItem.objects.filter(pk=item.pk).update(basis=basis)
            item.basis = basis
        if basis == PriceBasis.MARKET:
            median = category_median(item.category, effective_from, exclude_item=item)
            direction, ratio = anomaly(price, median)
            if direction:
                PriceFlag.objects.create(
                    provider_id=item.provider_id,
                    version=version,
                    median=median,
                    ratio=ratio,
                    direction=direction,
                )
        bump_stats_generation()
        # A lowered price clears the provider's "above the new ceiling" warning (services.ceilings).
        refresh_if_warned(item.provider_id)
        return version
