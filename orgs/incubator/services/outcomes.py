"""I2: outcomes are published per programme, computed from the registry, never reported by the
incubator; and the incubator's statistics by service field and district.

For each of ``I2_OUTCOME_YEARS`` (1 and 2 by default), a programme's outcome counts its
graduates (出壳) for whom that many years have passed since graduation, and of them:

* **still active**: registered and not deregistered or revoked by that anniversary. The
  registry keeps the current status and every status change registration; an organisation
  whose status is no longer normal became inactive on its latest status change;
* **reporting**: the annual reports of every report year from the graduation year up to
  (graduation year + years − 1) are accepted;
* **awards**: the resource-pool awards it received after graduating, with their total.

All of it is read in four queries per programme, whatever the number of graduates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_years
from core.money import ZERO
from orgs.registry.models import District, OrgStatus, RegistryChange, ServiceField
from orgs.reports.models import ReportStatus
from orgs.reports.services import reports_by_organization

from ..models import PLACE_STATES, Application, ApplicationState, Award


def _share(part, whole):
    if not whole:
        return None
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Outcome:
    years: int
    measured: int = 0
    active: int = 0
    reporting: int = 0
    awards: int = 0
    award_total: Decimal = ZERO

    @property
    def active_share(self):
        return _share(self.active, self.measured)

    @property
    def reporting_share(self):
        return _share(self.reporting, self.measured)


def inactive_since(organizations):
    """For each organisation no longer active, the day it stopped (its latest status change;
    its registration day when the registry has no status change for it)."""
    inactive = {o.pk: o.registered_on for o in organizations if o.status != OrgStatus.NORMAL}
    if inactive:
        changes = RegistryChange.objects.filter(
            organization_id__in=list(inactive), item=RegistryChange.Item.STATUS
        ).values_list("organization_id", "changed_on")
        latest = {}
        for pk, changed_on in changes:
            latest[pk] = max(latest.get(pk, changed_on), changed_on)
        inactive.update(latest)
    return inactive


def programme_outcomes(programme, today=None, graduates=None):
    """``graduates``: the programme's graduated applications with their organisations, when the
    caller has them already."""
    today = today or timezone.localdate()
    if graduates is None:
        graduates = Application.objects.filter(
            programme=programme, state=ApplicationState.GRADUATED
        ).select_related("organization")
    graduates = [g for g in graduates if g.ended_on is not None]
    organizations = [g.organization for g in graduates]
    stopped = inactive_since(organizations)
    reports = reports_by_organization([o.pk for o in organizations], status=ReportStatus.ACCEPTED)
    awards = defaultdict(list)
    for organization_id, awarded_on, amount in Award.objects.filter(
        application__organization__in=organizations
    ).values_list("application__organization_id", "awarded_on", "amount"):
        awards[organization_id].append((awarded_on, amount or ZERO))
    outcomes = []
    for years in settings.I2_OUTCOME_YEARS:
        outcome = Outcome(years=years)
        for graduate in graduates:
            anniversary = add_years(graduate.ended_on, years)
            if anniversary > today:
                continue
            organization_id = graduate.organization_id
            outcome.measured += 1
            if organization_id not in stopped or stopped[organization_id] > anniversary:
                outcome.active += 1
            needed = range(graduate.ended_on.year, graduate.ended_on.year + years)
            if all(year in reports.get(organization_id, ()) for year in needed):
                outcome.reporting += 1
            won = [
                amount for awarded_on, amount in awards[organization_id] if awarded_on >= graduate.ended_on
            ]
            outcome.awards += len(won)
            outcome.award_total += sum(won, ZERO)
        outcomes.append(outcome)
    return outcomes


@dataclass
class Tally:
    key: str
    label: str
    applications: int = 0
    admitted: int = 0
    graduated: int = 0
    awards: int = 0
    award_total: Decimal = ZERO


def _tallies(dimension, choices):
    """Counts by the organisation's ``dimension`` (service_field or district): applications,
    admissions (every state that holds a place), graduations and awards."""
    path = f"organization__{dimension}"
    planned = {
        "service_field": "founding_group__planned_field",
        "district": "founding_group__planned_district",
    }
    rows = {value: Tally(value, str(label)) for value, label in choices}
    rows[""] = Tally("", _("未归类"))
    # A founding group not yet registered counts under what it plans.
    applications = Application.objects.annotate(key=Coalesce(path, planned[dimension]))
    for key, total, admitted, graduated in applications.values_list("key").annotate(
        total=Count("pk"),
        admitted=Count("pk", filter=Q(state__in=PLACE_STATES)),
        graduated=Count("pk", filter=Q(state=ApplicationState.GRADUATED)),
    ):
        tally = rows.setdefault(key or "", Tally(key or "", str(key)))
        tally.applications, tally.admitted, tally.graduated = total, admitted, graduated
    for key, count, amount in Award.objects.values_list(f"application__{path}").annotate(
        count=Count("pk"), amount=Sum("amount")
    ):
        tally = rows.setdefault(key or "", Tally(key or "", str(key)))
        tally.awards, tally.award_total = count, amount or ZERO
    return [t for t in rows.values() if t.applications or t.awards]


def by_field():
    return _tallies("service_field", ServiceField.choices)


def by_district():
    return _tallies("district", District.choices)
