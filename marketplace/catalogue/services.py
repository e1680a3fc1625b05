"""Domain operations and rules of the catalogue (F2, F4, F5, F6, F7, F9, F10).

Views call these; nothing here reads a request.
"""

import datetime
import statistics
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import ZERO, round_money

from .models import (
    CENT,
    BurialChoice,
    GuidePrice,
    PackageComponent,
    PackageMapping,
    PriceBasis,
    PriceFlag,
    PriceVersion,
    Provider,
    Quote,
    QuoteLine,
    ServiceCategory,
    ServiceItem,
    StandardPackage,
)

MONEY_FIELD = DecimalField(max_digits=12, decimal_places=2)
STATS_GENERATION_KEY = "catalogue:stats-generation"


def today():
    return timezone.localdate()


# --- Current prices ------------------------------------------------------------------


def _version_in_effect(day, item_ref="pk"):
    return PriceVersion.objects.filter(item=OuterRef(item_ref), effective_from__lte=day).order_by(
        "-effective_from", "-id"
    )


def with_current_price(items, day=None):
    """Annotate items with the price in effect on ``day`` (F10: the newest version in effect)."""
    day = day or today()
    current = _version_in_effect(day)
    return items.annotate(
        current_price=Subquery(current.values("price")[:1], output_field=MONEY_FIELD),
        current_version_id=Subquery(current.values("id")[:1]),
        current_effective_from=Subquery(current.values("effective_from")[:1]),
        current_basis=Subquery(current.values("basis")[:1]),
    )


def public_items(day=None):
    """Active items of published providers, with their current price."""
    return with_current_price(
        ServiceItem.objects.filter(is_active=True, provider__is_published=True), day
    ).select_related("category")


def upcoming_versions(items_filter, day=None):
    day = day or today()
    return PriceVersion.objects.filter(effective_from__gt=day, **items_filter).order_by(
        "effective_from", "id"
    )


# --- City statistics (F2 median; comparison min/median/max) ---------------------------


@dataclass(frozen=True)
class CategoryStats:
    minimum: Decimal
    median: Decimal
    maximum: Decimal
    count: int


def bump_stats_generation(**kwargs):
    cache.set(STATS_GENERATION_KEY, time.time_ns(), None)


def _stats_from(prices_by_category):
    return {
        category_id: CategoryStats(
            minimum=round_money(min(prices)),
            median=round_money(statistics.median(prices)),
            maximum=round_money(max(prices)),
            count=len(prices),
        )
        for category_id, prices in prices_by_category.items()
        if prices
    }


def city_stats(day=None):
    """Min, median and max of the current prices of every category, city-wide.

    Cached per day and per change generation (any saved provider, item or price
    bumps the generation), so pages that show it stay flat in queries."""
    day = day or today()
    generation = cache.get_or_set(STATS_GENERATION_KEY, 0, None)
    key = f"catalogue:city-stats:{day.isoformat()}:{generation}"
    stats = cache.get(key)
    if stats is None:
        prices_by_category = {}
        rows = (
            public_items(day).filter(current_price__isnull=False).values_list("category_id", "current_price")
        )
        for category_id, price in rows.iterator(chunk_size=5000):
            prices_by_category.setdefault(category_id, []).append(round_money(price))
        stats = _stats_from(prices_by_category)
        cache.set(key, stats, 6 * 3600)
    return stats


def category_median(category, day=None, exclude_item=None):
    """The city median of the current market prices in one category (F2), or None if too few."""
    items = public_items(day).filter(
        category=category, current_price__isnull=False, current_basis=PriceBasis.MARKET
    )
    if exclude_item is not None and exclude_item.pk:
        items = items.exclude(pk=exclude_item.pk)
    prices = [round_money(price) for price in items.values_list("current_price", flat=True)]
    if len(prices) < settings.F2_ANOMALY_MIN_SAMPLE:
        return None
    return round_money(statistics.median(prices))


# --- F2: ceilings and anomalies ---------------------------------------------------------


def ceiling_for(category, basis, day):
    """The bureau's guide price (ceiling) in force for a category and basis on a day."""
    return (
        GuidePrice.objects.filter(category=category, basis=basis, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .first()
    )


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


def anomaly(price, median):
    """F2: 'high', 'low' or None for a market price against the city median."""
    if median is None or median <= 0:
        return None, None
    ratio = (Decimal(price) / median).quantize(CENT, rounding=ROUND_HALF_UP)
    if Decimal(price) > median * settings.F2_ANOMALY_HIGH_RATIO:
        return "high", ratio
    if Decimal(price) < median * settings.F2_ANOMALY_LOW_RATIO:
        return "low", ratio
    return None, ratio


# --- F10: publishing a price -------------------------------------------------------------


def _author_name(user):
    if user is None:
        return ""
    return (user.get_full_name() or getattr(user, "masked_mobile", "") or str(user))[:80]


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
            ) % {"price": current.price, "date": current.effective_from.isoformat(), "reason": current.reason}
        super().__init__(message, code="stale_version")


_UNCHECKED = object()


def latest_version(item):
    """The item's most recently published version (the one an editor's form is based on)."""
    return PriceVersion.objects.filter(item=item).order_by("-sequence").first()


@transaction.atomic
def publish_price(
    item,
    *,
    price,
    effective_from,
    reason,
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
    price = round_money(price)
    basis = basis or item.basis
    reason = (reason or "").strip()
    errors = {}
    if price < 0:
        errors["price"] = _("价格不能为负数。")
    if not reason:
        errors["reason"] = _("请填写调价原因（F10）。")
    announced_at = announced_at or timezone.now()
    if announced_at is not None and effective_from < timezone.localdate(announced_at):
        errors["effective_from"] = _("生效日期不能早于公布日期：历史价格不能补录或改写（F10）。")
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
    last_in_chain = PriceVersion.objects.filter(provider_id=item.provider_id).order_by("-sequence").first()
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
        created_by=user,
        created_by_name=_author_name(user),
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
                provider_id=item.provider_id, version=version, median=median, ratio=ratio, direction=direction
            )
    bump_stats_generation()
    return version


# --- Tamper evidence ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    version_id: int | None
    provider_id: int | None
    sequence: int | None
    problem: (
        str  # hash, link, gap; against a published head: signature, record_link, head_missing, head_mismatch
    )
    day: datetime.date | None = None  # the published heads record concerned


def verify_chain(providers=None, *, check_heads=True):
    """Recompute every provider's chain; return a problem for every version that doesn't match,
    and (``check_heads``) for every published heads record that fails its signature or its
    link, and every published head no longer found at its position in its chain."""
    problems = []
    versions = PriceVersion.objects.order_by("provider_id", "sequence")
    if providers is not None:
        versions = versions.filter(provider__in=providers)
    last_provider, last_hash, last_sequence = None, "", 0
    for version in versions.iterator(chunk_size=2000):
        if version.provider_id != last_provider:
            last_provider, last_hash, last_sequence = version.provider_id, "", 0
        if version.compute_hash() != version.chain_hash:
            problems.append(ChainProblem(version.pk, version.provider_id, version.sequence, "hash"))
        elif version.previous_hash != last_hash:
            problems.append(ChainProblem(version.pk, version.provider_id, version.sequence, "link"))
        elif version.sequence != last_sequence + 1:
            problems.append(ChainProblem(version.pk, version.provider_id, version.sequence, "gap"))
        last_hash, last_sequence = version.chain_hash, version.sequence
    if check_heads:
        from .anchoring import check_published_heads

        problems.extend(
            ChainProblem(None, head.provider_id, head.sequence, head.problem, head.day)
            for head in check_published_heads(providers)
        )
    return problems


def chain_warnings(today):
    """Warning source: a provider whose price chain fails verification (or contradicts a
    published head), and a published heads record that fails its signature or link."""
    from core.warnings import WarningSpec

    from .models import ChainHeads

    problems = verify_chain()
    if not problems:
        return
    deadline = today + datetime.timedelta(days=settings.F10_CHAIN_WARNING_DAYS)
    how = _(
        "以已公示的链头和备份核对该机构的价格历史，查明改动来源并恢复原始记录；"
        "运行 manage.py verify_price_chain 确认全部通过后预警自动解除。"
    )
    by_provider, by_day = {}, {}
    for problem in problems:
        if problem.provider_id is not None:
            by_provider.setdefault(problem.provider_id, []).append(problem)
        else:
            by_day.setdefault(problem.day, []).append(problem)
    for provider in Provider.objects.filter(pk__in=by_provider).order_by("pk"):
        found = by_provider[provider.pk]
        yield WarningSpec(
            subject=provider,
            subject_label=provider.name,
            reason=_("%(provider)s 的价格哈希链校验失败：%(problems)s")
            % {
                "provider": provider.name,
                "problems": "；".join(sorted({str(chain_problem_label(p)) for p in found})),
            },
            deadline=deadline,
            how_to_clear=how,
        )
    for record in ChainHeads.objects.filter(day__in=by_day):
        yield WarningSpec(
            subject=record,
            subject_label=_("%(day)s 价格链头公示记录") % {"day": record.day.isoformat()},
            reason="；".join(sorted({str(chain_problem_label(p)) for p in by_day[record.day]})),
            deadline=deadline,
            how_to_clear=how,
        )


def chain_problem_label(problem):
    return {
        "hash": _("哈希不符（内容被改动）"),
        "link": _("链接断开（上一条哈希不符）"),
        "gap": _("序号缺失"),
        "signature": _("链头公示记录的签名无效（记录被改动）"),
        "record_link": _("链头公示记录之间的链接断开"),
        "head_missing": _("已公示的链头在哈希链中不存在（历史被删改）"),
        "head_mismatch": _("哈希链与已公示的链头不符（历史被改写）"),
    }[problem.problem]


# --- F5: cemetery plots -------------------------------------------------------------------


def plot_total(plot_use_price, maintenance_per_year, years):
    """F5: plot use plus maintenance per year times the years of the term."""
    return round_money(Decimal(plot_use_price) + Decimal(maintenance_per_year or 0) * int(years))


def plot_totals(provider, items):
    """For a cemetery's plot-use items (annotated with current_price), the F5 total each."""
    by_id = {item.pk: item for item in items}
    totals = []
    for item in items:
        if (
            item.category.cemetery_component != ServiceCategory.Component.PLOT_USE
            or item.current_price is None
        ):
            continue
        maintenance = by_id.get(item.maintenance_item_id)
        per_year = maintenance.current_price if maintenance is not None else None
        totals.append(
            {
                "item": item,
                "maintenance": maintenance,
                "per_year": per_year,
                "years": provider.term_years,
                "total": plot_total(item.current_price, per_year, provider.term_years),
            }
        )
    return totals


# --- F6: standard package --------------------------------------------------------------------


def standard_package():
    return (
        StandardPackage.objects.filter(code=settings.F6_STANDARD_PACKAGE_CODE, is_active=True)
        .prefetch_related("components__category")
        .first()
    )


def with_package_price(providers, package, day=None):
    """Annotate providers with ``package_price`` (None unless every component is priced)."""
    day = day or today()
    if package is None:
        return providers.annotate(package_price=Value(None, output_field=MONEY_FIELD))
    component_count = len(package.components.all())
    priced = (
        PackageMapping.objects.filter(
            provider=OuterRef("pk"), component__package=package, item__is_active=True
        )
        .annotate(unit_price=Subquery(_version_in_effect(day, "item_id").values("price")[:1]))
        .filter(unit_price__isnull=False)
        .order_by()
        .values("provider")
    )
    total = priced.annotate(total=Sum(F("unit_price") * F("component__quantity"), output_field=MONEY_FIELD))
    count = priced.annotate(n=Count("pk"))
    return providers.annotate(
        package_total=Subquery(total.values("total")[:1], output_field=MONEY_FIELD),
        package_components_priced=Coalesce(Subquery(count.values("n")[:1], output_field=IntegerField()), 0),
    ).annotate(
        package_price=Case(
            When(package_components_priced=component_count, then=F("package_total")),
            default=Value(None),
            output_field=MONEY_FIELD,
        )
    )


def package_prices(package, day=None):
    """Every provider's complete package price (F6) as ``{provider_id: total}``.

    One grouped pass over the mappings, cached per day and per change generation like the
    city statistics, so listing pages sort thousands of providers without recomputing."""
    if package is None:
        return {}
    day = day or today()
    generation = cache.get_or_set(STATS_GENERATION_KEY, 0, None)
    key = f"catalogue:package-prices:{package.pk}:{day.isoformat()}:{generation}"
    prices = cache.get(key)
    if prices is None:
        quantities = {component.pk: component.quantity for component in package.components.all()}
        rows = (
            PackageMapping.objects.filter(component__package=package, item__is_active=True)
            .annotate(unit_price=Subquery(_version_in_effect(day, "item_id").values("price")[:1]))
            .filter(unit_price__isnull=False)
            .values_list("provider_id", "component_id", "unit_price")
        )
        totals, counts = {}, {}
        for provider_id, component_id, unit_price in rows.iterator(chunk_size=5000):
            totals[provider_id] = (
                totals.get(provider_id, ZERO) + round_money(unit_price) * quantities[component_id]
            )
            counts[provider_id] = counts.get(provider_id, 0) + 1
        prices = {pid: round_money(total) for pid, total in totals.items() if counts[pid] == len(quantities)}
        cache.set(key, prices, 6 * 3600)
    return prices


def sorted_by_package_price(providers, prices, *, by_name=False):
    """Provider ids of a queryset in catalogue order: package price (unpriced last) or name."""
    rows = list(providers.values_list("pk", "name"))
    if by_name:
        rows.sort(key=lambda row: (row[1], row[0]))
    else:
        rows.sort(key=lambda row: (row[0] not in prices, prices.get(row[0], 0), row[1], row[0]))
    return [pk for pk, _name in rows]


def providers_for_page(ids, prices):
    """The providers of one page, in the given order, each with ``package_price`` set."""
    by_pk = Provider.objects.in_bulk(ids)
    page = [by_pk[pk] for pk in ids if pk in by_pk]
    for provider in page:
        provider.package_price = prices.get(provider.pk)
    return page


@dataclass
class PackageLine:
    component: PackageComponent
    item: ServiceItem | None
    unit_price: Decimal | None
    amount: Decimal | None


@dataclass
class PackageBreakdown:
    provider: Provider
    lines: list = field(default_factory=list)

    @property
    def complete(self):
        return bool(self.lines) and all(line.amount is not None for line in self.lines)

    @property
    def total(self):
        return round_money(sum(line.amount for line in self.lines)) if self.complete else None


def package_breakdowns(package, providers, day=None):
    """The F6 breakdown of each provider's package price, in two queries whatever the count."""
    day = day or today()
    providers = list(providers)
    result = {provider.pk: PackageBreakdown(provider=provider) for provider in providers}
    if package is None or not providers:
        return result
    components = list(package.components.all())
    mappings = PackageMapping.objects.filter(
        provider__in=providers, component__package=package, item__is_active=True
    ).select_related("item")
    mapped_items = with_current_price(ServiceItem.objects.filter(pk__in=mappings.values("item_id")), day)
    prices = {item.pk: item for item in mapped_items}
    by_key = {(m.provider_id, m.component_id): prices.get(m.item_id) for m in mappings}
    for provider in providers:
        for component in components:
            item = by_key.get((provider.pk, component.pk))
            unit = item.current_price if item is not None else None
            amount = round_money(unit * component.quantity) if unit is not None else None
            result[provider.pk].lines.append(PackageLine(component, item, unit, amount))
    return result


# --- F7 / F9: the itemised statement ------------------------------------------------------------


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
    f7_categories = (
        list(ServiceCategory.objects.filter(f7_free=True).order_by("sort_order"))
        if burial_choice in settings.F7_FREE_BURIAL_CHOICES
        else []
    )
    return Statement(provider, lines, burial_choice, beijing_resident, day, f7_categories)


@transaction.atomic
def save_quote(user, statement):
    """Keep a signed-in family's statement as a ``Quote`` the orders app can turn into an order."""
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
    f7_categories = (
        list(ServiceCategory.objects.filter(f7_free=True).order_by("sort_order"))
        if quote.burial_choice in settings.F7_FREE_BURIAL_CHOICES
        else []
    )
    return Statement(
        quote.provider,
        lines,
        quote.burial_choice,
        quote.beijing_resident,
        timezone.localdate(quote.created_at),
        f7_categories,
    )


# --- Bureau review of flags -------------------------------------------------------------------


def review_flag(flag, *, status, note, user):
    """The bureau accepts or queries a flagged price (F2)."""
    from core.statemachine import transition

    flag.bureau_note = note
    flag.reviewed_by = user
    flag.reviewed_at = timezone.now()
    transition(
        flag,
        status,
        user=user,
        reason=note,
        table=PriceFlag.TRANSITIONS,
        save_fields=("bureau_note", "reviewed_by", "reviewed_at"),
    )
    return flag


# --- Provider page ------------------------------------------------------------------------------


def price_notice(provider, day=None):
    """Everything the F3 price notice shows, in a fixed number of queries."""
    day = day or today()
    items = list(
        with_current_price(provider.items.filter(is_active=True), day)
        .select_related("category", "category__parent")
        .order_by("category__sort_order", "sort_order", "name")
    )
    upcoming = list(upcoming_versions({"item__provider": provider, "item__is_active": True}, day))
    open_flags = {
        flag.version_id: flag
        for flag in PriceFlag.objects.filter(provider=provider).exclude(status=PriceFlag.Status.ACCEPTED)
    }
    upcoming_by_item = {}
    for version in upcoming:
        upcoming_by_item.setdefault(version.item_id, []).append(version)
    groups = {}
    for item in items:
        item.upcoming = upcoming_by_item.get(item.pk, [])
        item.flag = open_flags.get(item.current_version_id)
        groups.setdefault(item.category, []).append(item)
    last_change = max((i.current_effective_from for i in items if i.current_effective_from), default=None)
    return {
        "items": items,
        "groups": list(groups.items()),
        "upcoming": [(v, next(i for i in items if i.pk == v.item_id)) for v in upcoming],
        "last_change": last_change,
        "flags": [item for item in items if item.flag],
        "plot_totals": plot_totals(provider, items),
    }
