"""C3: a charity's spending ratios (charitable spending against its base, administrative costs
against total spending), from the filed figures.

Settings: ``C3_MIN_CHARITABLE_SPENDING_RATIO``, ``C3_MAX_ADMIN_COST_RATIO``,
``C3_PUBLIC_NON_FOUNDATION_MAX_ADMIN_COST_RATIO``, ``C3_ADMIN_COST_EXEMPT_BELOW``,
``C3_TIERS_FOUNDATION``, ``C3_TIERS_OTHER``."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import format_money

from ..models import ZERO, AnnualReport


@dataclass(frozen=True)
class RatioCheck:
    key: str
    label: str
    actual: Decimal | None
    limit: Decimal
    is_minimum: bool
    ok: bool
    note: str = ""

    @property
    def actual_percent(self):
        return None if self.actual is None else (self.actual * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)

    @property
    def limit_percent(self):
        return (self.limit * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _ratio(numerator, denominator):
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _tier(tiers, net_assets):
    for floor, spending, admin in tiers:
        if net_assets >= floor:
            return spending, admin
    return tiers[-1][1], tiers[-1][2]


def c3_checks(report, income_history=None):
    """C3 for charities: charitable spending against its base and administrative costs
    against total spending. ``income_history`` is the total income of the three years
    before the report year, when known; the lower of last year's income and that
    average is the base (the rules allow either). Returns [] for non-charities."""
    organization = report.organization
    if not organization.is_charity:
        return []
    checks = []
    admin_costs = report.expense_administration
    exempt_admin = admin_costs < settings.C3_ADMIN_COST_EXEMPT_BELOW
    if organization.public_fundraising:
        base = report.previous_year_income
        note = _("以上年度总收入为基数")
        history = [value for value in (income_history or []) if value is not None]
        if len(history) == 3:
            average = (sum(history, ZERO) / 3).quantize(Decimal("0.01"))
            if average < base or not base:
                base, note = average, _("以前三年收入平均数为基数")
        minimum = settings.C3_MIN_CHARITABLE_SPENDING_RATIO
        maximum = (
            settings.C3_MAX_ADMIN_COST_RATIO
            if organization.is_foundation
            else settings.C3_PUBLIC_NON_FOUNDATION_MAX_ADMIN_COST_RATIO
        )
    else:
        base = report.previous_year_net_assets
        note = _("以上年末净资产为基数")
        tiers = settings.C3_TIERS_FOUNDATION if organization.is_foundation else settings.C3_TIERS_OTHER
        minimum, maximum = _tier(tiers, base)
    spending = _ratio(report.charitable_spending, base)
    checks.append(
        RatioCheck(
            key="charitable_spending",
            label=str(gettext_lazy("慈善活动支出比例")),
            actual=spending,
            limit=minimum,
            is_minimum=True,
            # Compared on the amounts, not the rounded ratio: a cent short is short.
            ok=spending is None or report.charitable_spending >= minimum * base,
            note=note if spending is not None else _("无基数数据，不计算"),
        )
    )
    admin_ratio = _ratio(admin_costs, report.expense_total)
    checks.append(
        RatioCheck(
            key="admin_costs",
            label=str(gettext_lazy("管理费用占总支出比例")),
            actual=admin_ratio,
            limit=maximum,
            is_minimum=False,
            ok=exempt_admin or admin_ratio is None or admin_costs <= maximum * report.expense_total,
            note=_("管理费用低于 %(amount)s 元，不受比例限制")
            % {"amount": format_money(settings.C3_ADMIN_COST_EXEMPT_BELOW)}
            if exempt_admin
            else "",
        )
    )
    return checks


def income_history(report):
    rows = dict(
        AnnualReport.objects.filter(
            organization=report.organization, year__in=range(report.year - 3, report.year)
        ).values_list("year", "income_total")
    )
    return [rows.get(year) for year in range(report.year - 3, report.year)]


def c3_for(report):
    return c3_checks(report, income_history(report)) if report.organization.is_charity else []
