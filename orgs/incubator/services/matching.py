"""I2: matching is explained and never bought.

:func:`rank` orders the open offers for one organisation: first the offers it is eligible for
(the same criteria engine as programmes, I1), then by fit in points (settings ``I2_FIT_*``):

* the offer's service field is the organisation's (登记的服务领域);
* the offer's district is the organisation's;
* the organisation's size, its latest accepted annual income (年度报告), lies in the offer's band;
* its past delivery: earlier awards whose period has ended, up to a cap;
* accepted annual reports for the last ``I2_FIT_REPORT_YEARS`` years.

Ties go to the earlier deadline, then the older offer. Every match carries the reasons it was
ranked where it is ("符合：服务领域=养老服务；所在区=朝阳区；近 2 年年度报告审核合格") and the
criteria that block it, all computed from the data; nothing typed by a person and no payment
or promotion enters the order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import format_money

from ..models import Award, Offer
from .eligibility import Eligibility, Facts, check_reports, evaluate


@dataclass
class Match:
    offer: Offer
    eligibility: Eligibility
    score: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def eligible(self):
        return self.eligibility.eligible

    @property
    def blockers(self):
        return self.eligibility.failures

    @property
    def explanation(self):
        """One line, computed: what fits, then (when ineligible) what blocks."""
        parts = []
        if self.reasons:
            parts.append(_("符合：%(reasons)s") % {"reasons": _("；").join(self.reasons)})
        if self.blockers:
            parts.append(
                _("不符合：%(blockers)s") % {"blockers": _("；").join(r.requirement for r in self.blockers)}
            )
        return _("。").join(parts) if parts else _("无特别匹配项")


def past_deliveries(organization, today):
    """Earlier awards whose period has ended by ``today``."""
    return Award.objects.filter(application__organization=organization, ends_on__lt=today).count()


def fit(offer, facts, deliveries):
    """The fit points of ``offer`` for the organisation of ``facts``, with the reasons."""
    organization = facts.organization
    score, reasons = 0, []
    if offer.field and offer.field == organization.service_field:
        score += settings.I2_FIT_FIELD_POINTS
        reasons.append(_("服务领域=%(field)s") % {"field": organization.get_service_field_display()})
    if offer.district and offer.district == organization.district:
        score += settings.I2_FIT_DISTRICT_POINTS
        reasons.append(_("所在区=%(district)s") % {"district": organization.get_district_display()})
    if offer.min_income is not None or offer.max_income is not None:
        report = facts.latest_accepted()
        income = report.income_total if report is not None else None
        if (
            income is not None
            and (offer.min_income is None or income >= offer.min_income)
            and (offer.max_income is None or income <= offer.max_income)
        ):
            score += settings.I2_FIT_SIZE_POINTS
            reasons.append(
                _("%(year)s 年度收入 %(amount)s 元，在适合的规模内")
                % {"year": report.year, "amount": format_money(income)}
            )
    if deliveries:
        score += settings.I2_FIT_AWARD_POINTS * min(deliveries, settings.I2_FIT_AWARD_CAP)
        reasons.append(_("已完成 %(n)s 个资助或购买服务项目") % {"n": deliveries})
    years = settings.I2_FIT_REPORT_YEARS
    if years and check_reports(SimpleNamespace(accepted_report_years=years), facts).passed:
        score += settings.I2_FIT_REPORT_POINTS
        reasons.append(_("近 %(n)s 年年度报告审核合格") % {"n": years})
    return score, reasons


def match(offer, organization, today=None, facts=None, deliveries=None):
    today = today or timezone.localdate()
    facts = facts or Facts.load(organization, today)
    deliveries = past_deliveries(organization, today) if deliveries is None else deliveries
    score, reasons = fit(offer, facts, deliveries)
    return Match(offer, evaluate(offer, organization, today, facts=facts), score, reasons)


def sort_key(item):
    return (not item.eligible, -item.score, item.offer.deadline, item.offer.pk)


def rank(organization, offers=None, today=None):
    """I2: the open offers for ``organization``, eligible first, then by fit, each explained."""
    today = today or timezone.localdate()
    if offers is None:
        offers = Offer.objects.open_on(today).select_related("funder")
    facts = Facts.load(organization, today)
    deliveries = past_deliveries(organization, today)
    return sorted((match(offer, organization, today, facts, deliveries) for offer in offers), key=sort_key)
