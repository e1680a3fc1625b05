"""The bureau's ceilings (F2) as append-only versions (issue 23, point 6).

A change of a ceiling is a new ``GuidePrice`` row for the same category and basis, with its
effective date (today or later: a ceiling is never backdated), the reason and the document,
and who recorded it (:func:`record_ceiling`). The ceiling in force on a day is the newest row
in effect on it (``posting.ceiling_for``); from that day a new price above it is refused by F2.

A new ceiling is not applied to the price versions already published (they were lawful when
published). Instead, :func:`affected_prices` lists the current prices of published providers in
that category and basis that are above it on its effective date: the officer sees that report
right after saving, and each affected provider gets an early warning
(``catalogue.price_above_new_ceiling``, :func:`ceiling_warnings`), which clears itself once the
provider lowers the price (a new version at or below the ceiling, in effect by that date) or
withdraws the item: ``publish_price`` and withdrawing an item refresh it
(:func:`refresh_ceiling_warnings`), and the daily refresh of the early warnings does too.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from core.money import round_money
from core.warnings import WarningSpec

from ..models import GuidePrice, Provider, ServiceItem
from .authorship import author_name
from .current import bump_stats_generation, with_current_price

WARNING_KIND = "catalogue.price_above_new_ceiling"
WARNING_LABEL = gettext_lazy("价格高于新的最高限价")
LOG_ACTION = "catalogue.ceiling_recorded"


def current_ceiling(category, basis, day=None):
    """The ceiling version in force for a category and basis on ``day`` (today by default)."""
    day = day or timezone.localdate()
    return GuidePrice.objects.for_pair(category, basis).in_effect_on(day).newest_first().first()


def latest_ceiling(category, basis):
    """The newest version of a category and basis, upcoming or in force (what a new one follows)."""
    return GuidePrice.objects.for_pair(category, basis).newest_first().first()


def ceiling_history(category, basis=None):
    """Every ceiling version of a category (of one basis, or all), newest first."""
    versions = GuidePrice.objects.filter(category=category)
    if basis:
        versions = versions.filter(basis=basis)
    return versions.select_related("category", "document").order_by("-effective_from", "-id")


def validate_new_ceiling(*, ceiling, effective_from, reason, document_reference, today=None):
    """The errors of a new ceiling version, by field ({} when it may be recorded)."""
    today = today or timezone.localdate()
    errors = {}
    if ceiling is None or Decimal(ceiling) < 0:
        errors["ceiling"] = _("最高限价不能为负数。")
    if effective_from is None:
        errors["effective_from"] = _("请填写生效日期。")
    elif effective_from < today:
        errors["effective_from"] = _(
            "生效日期不能早于今天（%(date)s）：最高限价不能补录或倒签，调整限价只能从今天或以后生效。"
        ) % {"date": today.isoformat()}
    if not (reason or "").strip():
        errors["reason"] = _("请填写调整限价的原因。")
    if not (document_reference or "").strip():
        errors["document_reference"] = _("请填写限价文件的文号。")
    return errors


def record_ceiling(
    category,
    basis,
    *,
    ceiling,
    effective_from,
    reason,
    document_reference,
    document=None,
    user=None,
):
    """Append a new ceiling version for ``category`` and ``basis`` (never edits one), audit it
    and raise the early warnings of the providers it affects (kept on the returned version as
    ``affected``, the rows of :func:`affected_prices`). Raises ``ValidationError`` (by field)
    for a backdated date, a missing reason or document number, or a negative amount."""
    with transaction.atomic():
        errors = validate_new_ceiling(
            ceiling=ceiling,
            effective_from=effective_from,
            reason=reason,
            document_reference=document_reference,
        )
        if errors:
            raise ValidationError(errors)
        previous = latest_ceiling(category, basis)
        guide = GuidePrice.objects.create(
            category=category,
            basis=basis,
            ceiling=round_money(ceiling),
            effective_from=effective_from,
            reason=reason.strip(),
            document_reference=document_reference.strip(),
            document=document,
            previous=previous,
            recorded_by=user,
            recorded_by_name=author_name(user),
        )
        affected = affected_prices(guide)
        log(
            guide,
            LOG_ACTION,
            user=user,
            data={
                "category": category.code,
                "basis": basis,
                "ceiling": str(guide.ceiling),
                "previous_ceiling": str(previous.ceiling) if previous else None,
                "effective_from": effective_from.isoformat(),
                "reason": guide.reason,
                "document_reference": guide.document_reference,
                "affected_providers": sorted({row.provider.pk for row in affected}),
            },
        )
        refresh_ceiling_warnings()
        bump_stats_generation()
        guide.affected = affected
        return guide


@dataclass(frozen=True)
class AffectedPrice:
    """One current price above a ceiling version, on the day the ceiling takes effect."""

    provider: Provider
    item: ServiceItem
    price: Decimal
    price_effective_from: datetime.date
    guide: GuidePrice

    @property
    def ceiling(self):
        return self.guide.ceiling

    @property
    def excess(self):
        return self.price - self.guide.ceiling


def affected_prices(guide, today=None):
    """The published providers' prices in the ceiling's category and basis, in effect on the
    day it takes effect (or today, once it is in force), that are above it: provider by provider.
    Prices already announced for that day count; versions in effect only before it do not."""
    today = today or timezone.localdate()
    day = max(today, guide.effective_from)
    items = (
        with_current_price(
            ServiceItem.objects.filter(
                category_id=guide.category_id, is_active=True, provider__is_published=True
            ),
            day,
        )
        .filter(current_basis=guide.basis, current_price__gt=guide.ceiling)
        .select_related("provider")
        .order_by("provider__name", "provider_id", "name", "pk")
    )
    return [
        AffectedPrice(
            provider=item.provider,
            item=item,
            price=round_money(item.current_price),
            price_effective_from=item.current_effective_from,
            guide=guide,
        )
        for item in items
    ]


def relevant_ceilings(today=None):
    """The ceiling versions that can still make a price unlawful: per category and basis, the
    one in force today and every upcoming one."""
    today = today or timezone.localdate()
    versions = GuidePrice.objects.select_related("category").order_by(
        "category_id", "basis", "-effective_from", "-id"
    )
    seen_in_force = set()
    result = []
    for guide in versions:
        key = (guide.category_id, guide.basis)
        if guide.effective_from > today:
            result.append(guide)
        elif key not in seen_in_force:
            seen_in_force.add(key)
            result.append(guide)
    return result


def ceiling_warnings(today):
    """Early warnings: one per provider and ceiling version it is above (``WARNING_KIND``)."""
    for guide in relevant_ceilings(today):
        by_provider = {}
        for row in affected_prices(guide, today):
            by_provider.setdefault(row.provider.pk, []).append(row)
        for rows in by_provider.values():
            provider = rows[0].provider
            items = "；".join(
                _("“%(item)s”现价 ¥%(price)s，超出 ¥%(excess)s")
                % {"item": row.item.name, "price": row.price, "excess": row.excess}
                for row in rows
            )
            yield WarningSpec(
                subject=provider,
                subject_label=provider.name,
                detail_key=f"ceiling-{guide.pk}",
                reason=_(
                    "%(category)s（%(basis)s）的最高限价自 %(date)s 起为 ¥%(ceiling)s（依据：%(document)s），"
                    "本机构以下价格高于该限价：%(items)s。"
                )
                % {
                    "category": guide.category.display_name,
                    "basis": guide.get_basis_display(),
                    "date": guide.effective_from.isoformat(),
                    "ceiling": guide.ceiling,
                    "document": guide.document_reference,
                    "items": items,
                },
                deadline=guide.effective_from,
                how_to_clear=_(
                    "在 %(date)s 前发布不高于 ¥%(ceiling)s 的新价格（自该日或更早生效），或停售该项目；"
                    "价格调整后预警自动解除。"
                )
                % {"date": guide.effective_from.isoformat(), "ceiling": guide.ceiling},
                owner_key=f"provider:{provider.slug}",
                link=reverse("catalogue:ceilings_category", kwargs={"code": guide.category.code}),
            )


def refresh_ceiling_warnings(today=None):
    """Bring the ``WARNING_KIND`` warnings in line with today's prices and ceilings."""
    from core.models import EarlyWarning

    return EarlyWarning.objects.refresh(today=today, kinds=[WARNING_KIND])


def refresh_if_warned(provider_id):
    """After a provider's price changed or an item was withdrawn: re-check its ceiling warnings,
    if it has any open (one cheap query otherwise)."""
    from django.contrib.contenttypes.models import ContentType

    from core.models import EarlyWarning

    if (
        EarlyWarning.objects.open()
        .filter(
            kind=WARNING_KIND,
            content_type=ContentType.objects.get_for_model(Provider),
            object_id=str(provider_id),
        )
        .exists()
    ):
        refresh_ceiling_warnings()


@dataclass(frozen=True)
class CeilingRow:
    """A ceiling version as the public history lists it."""

    version: GuidePrice
    state: str  # "current", "upcoming" or "superseded"


def public_history(category, basis=None, today=None):
    """Every ceiling version of a category (of one basis, or all), newest first, each marked
    in force, upcoming or superseded on ``today``."""
    today = today or timezone.localdate()
    versions = list(ceiling_history(category, basis))
    in_force = {}
    for version in versions:  # newest first: the first in effect of each basis is in force
        if version.effective_from <= today:
            in_force.setdefault(version.basis, version.pk)
    rows = []
    for version in versions:
        if version.effective_from > today:
            state = "upcoming"
        elif in_force.get(version.basis) == version.pk:
            state = "current"
        else:
            state = "superseded"
        rows.append(CeilingRow(version, state))
    return rows


def categories_with_ceilings(today=None):
    """(category, [version per basis]) for every category with a ceiling, in catalogue order:
    per basis the version in force today, or the next upcoming one when none is in force yet.
    The index of the public ceilings page."""
    today = today or timezone.localdate()
    by_category = {}
    versions = GuidePrice.objects.select_related("category").order_by(
        "category__sort_order", "category__code", "basis", "-effective_from", "-id"
    )
    for version in versions:  # newest first per basis
        category, chosen = by_category.setdefault(version.category_id, (version.category, {}))
        held = chosen.get(version.basis)
        if held is None or held.effective_from > today:
            chosen[version.basis] = version
    return [(category, list(chosen.values())) for category, chosen in by_category.values()]
