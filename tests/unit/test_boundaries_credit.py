"""Credit rules and early warnings tested exactly at their limits (issue 24, point 3).

S7: exactly 950 is 5A, 949.9 (one step of the stored precision less) and 949 are 4A, for every
grade threshold in the setting; exactly S7_MAX_SCORE is accepted and a tenth more refused; the
lowest threshold is graded and a tenth less refused; a rating is valid exactly S7_VALIDITY_YEARS
years (the day before the anniversary is the last valid day); a penalty decided exactly
S7_PENALTY_LOOKBACK_YEARS years before the rating date no longer counts, one decided the day
after does; a listing counts from the day it is listed until the day it is removed.
Early warnings: a report due in exactly WARNING_REPORT_DUE_DAYS days is warned, one day more
is not; a rating expiring in exactly WARNING_RATING_EXPIRY_DAYS days is warned, one day more is
not; the S6 clock warns from the very day of the listing until the day before it turns serious.

The years are relative to the current one (last year's report, ratings this year), never
literal; the services get the day they run on, or the clock is frozen.
"""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from freezegun import freeze_time

from core.dates import add_days, add_years
from core.models import EarlyWarning
from orgs.credit import services
from orgs.credit import warnings as credit_warnings
from orgs.credit.models import ListReason, Rating
from orgs.reports import services as report_services
from tests.factories.credit import at, make_listing, make_penalty, officer
from tests.factories.orgs import OrganizationFactory, submitted_report

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1  # a year wholly in the past: its report is filed in YEAR
D = datetime.date
RATED_ON = D(YEAR, 6, 1)  # after the 31 May deadline of the report for YEAR - 1
STEP = Decimal("0.1")  # the precision a score is stored with


def eligible_org():
    """An organisation that filed last year's report on time (so it may be rated on RATED_ON)."""
    organization = OrganizationFactory()
    with freeze_time(at(D(YEAR, 5, 10))):
        submitted_report(organization, YEAR - 1)
    return organization


def rate(organization, score, rated_on=RATED_ON):
    with freeze_time(at(rated_on)):
        return services.rate(
            organization,
            score=Decimal(score),
            evaluating_body="北京市社会组织评估委员会",
            rated_on=rated_on,
            user=officer(),
        )


def test_s7_score_exactly_950_is_5a_and_949_is_4a(settings):
    assert (5, Decimal("950")) in [(g, Decimal(m)) for g, m in settings.S7_GRADE_THRESHOLDS]
    assert services.grade_for(Decimal("950")) == 5
    assert services.grade_for(Decimal("950.0")) == 5
    assert services.grade_for(Decimal("949.9")) == 4
    assert services.grade_for(Decimal("949")) == 4


def test_s7_every_grade_threshold_is_inclusive_and_a_tenth_less_is_the_grade_below(settings):
    thresholds = [(grade, Decimal(minimum)) for grade, minimum in settings.S7_GRADE_THRESHOLDS]
    below = [grade for grade, _minimum in thresholds[1:]] + [None]
    for (grade, minimum), lower in zip(thresholds, below, strict=True):
        assert services.grade_for(minimum) == grade, minimum
        assert services.grade_for(minimum - STEP) == lower, minimum - STEP


def test_s7_a_moved_5a_threshold_is_honoured_exactly(settings):
    settings.S7_GRADE_THRESHOLDS = ((5, Decimal("900")), (4, Decimal("800")), (1, Decimal("100")))
    assert services.grade_for(Decimal("900")) == 5
    assert services.grade_for(Decimal("899.9")) == 4


@pytest.mark.parametrize(("over", "accepted"), [(Decimal("0"), True), (STEP, False)])
def test_s7_score_exactly_the_maximum_is_accepted_and_a_tenth_more_refused(settings, over, accepted):
    organization = eligible_org()
    score = Decimal(settings.S7_MAX_SCORE) + over
    if accepted:
        assert rate(organization, score).grade == 5
    else:
        with pytest.raises(ValidationError) as error:
            rate(organization, score)
        assert "score" in error.value.message_dict
        assert not Rating.objects.filter(organization=organization).exists()


@pytest.mark.parametrize(("under", "grade"), [(Decimal("0"), 1), (STEP, None)])
def test_s7_lowest_threshold_is_graded_1a_and_a_tenth_less_is_refused(settings, under, grade):
    organization = eligible_org()
    lowest = Decimal(settings.S7_GRADE_THRESHOLDS[-1][1])
    if grade:
        assert rate(organization, lowest - under).grade == grade
    else:
        with pytest.raises(ValidationError, match="1A"):
            rate(organization, lowest - under)


@pytest.mark.parametrize(("score", "grade"), [("949.9", 4), ("949.95", None), ("949.99", None), ("950.0", 5)])
def test_s7_score_finer_than_its_stored_tenth_is_refused_so_stored_score_and_grade_agree(score, grade):
    """A score is stored to one decimal: 949.95 was stored as 950.0 next to grade 4A. It is
    refused with a message on the score; a score at the stored precision keeps its grade."""
    organization = eligible_org()
    if grade is None:
        with pytest.raises(ValidationError) as error:
            rate(organization, score)
        assert "最多保留1位小数" in " ".join(error.value.message_dict["score"])
        assert not Rating.objects.filter(organization=organization).exists()
        return
    rating = Rating.objects.get(pk=rate(organization, score).pk)
    assert rating.grade == grade == services.grade_for(rating.score)
    assert rating.score == Decimal(score)


@pytest.mark.parametrize("years", [None, 3])
def test_s7_rating_valid_exactly_the_setting_of_years(settings, years):
    if years is not None:
        settings.S7_VALIDITY_YEARS = years
    rating = rate(eligible_org(), "955")
    anniversary = add_years(RATED_ON, settings.S7_VALIDITY_YEARS)
    assert rating.expires_on == add_days(anniversary, -1)
    assert not rating.is_expired(add_days(anniversary, -1))
    assert rating.is_expired(anniversary)


def penalty_reasons(organization, on):
    return [r for r in services.ineligibility_reasons(organization, on) if "行政处罚" in r]


@pytest.mark.parametrize(("days_after", "ineligible"), [(0, False), (1, True)])
def test_s7_penalty_exactly_the_lookback_before_the_rating_no_longer_counts(settings, days_after, ineligible):
    """Penalty lookback of S7_PENALTY_LOOKBACK_YEARS years: decided exactly that long before the
    rating date it no longer makes the organisation ineligible; a day later it does."""
    organization = eligible_org()
    decided_on = add_days(add_years(RATED_ON, -settings.S7_PENALTY_LOOKBACK_YEARS), days_after)
    make_penalty(organization, decided_on=decided_on)
    assert bool(penalty_reasons(organization, RATED_ON)) is ineligible


def test_s7_penalty_decided_on_the_rating_day_counts_and_the_day_after_does_not():
    organization = eligible_org()
    make_penalty(organization, decided_on=RATED_ON)
    assert penalty_reasons(organization, RATED_ON)
    assert penalty_reasons(organization, add_days(RATED_ON, -1)) == []


def test_s7_a_listing_counts_from_its_day_until_the_day_it_is_removed():
    organization = eligible_org()
    listed_on, removed_on = D(YEAR, 7, 1), D(YEAR, 8, 3)
    entry = make_listing(organization, listed_on=listed_on, reason=ListReason.UNREACHABLE)
    assert services.ineligibility_reasons(organization, add_days(listed_on, -1)) == []
    assert services.ineligibility_reasons(organization, listed_on)
    with freeze_time(at(max(removed_on, timezone.localdate()))):
        services.remove_entry(
            entry,
            removed_on=removed_on,
            removal_reason="fixed",
            document_number="京民移〔测试〕1号",
            user=officer(),
        )
    assert services.ineligibility_reasons(organization, add_days(removed_on, -1))
    assert services.ineligibility_reasons(organization, removed_on) == []


# --- Early warnings ----------------------------------------------------------------------------------


def open_warnings(kind, organization, detail_key=None):
    found = EarlyWarning.objects.open().filter(kind=kind, organisation_uscc=organization.uscc)
    return list(found.filter(detail_key=detail_key) if detail_key else found)


@pytest.mark.parametrize("window", [None, 10])
@pytest.mark.parametrize(("days_left", "warned"), [(0, True), (1, False)])
def test_warning_report_due_in_exactly_the_window_is_raised_and_a_day_earlier_not(
    settings, window, days_left, warned
):
    """``days_left`` is how many days beyond the window the deadline is."""
    if window is not None:
        settings.WARNING_REPORT_DUE_DAYS = window
    organization = OrganizationFactory()
    deadline = report_services.deadlines_for(organization, YEAR - 1).registration
    today = add_days(deadline, -(settings.WARNING_REPORT_DUE_DAYS + days_left))
    EarlyWarning.objects.refresh(today, kinds={credit_warnings.REPORT_DUE})
    found = open_warnings(credit_warnings.REPORT_DUE, organization, str(YEAR - 1))
    assert bool(found) is warned
    if found:
        assert found[0].deadline == deadline


@pytest.mark.parametrize("window", [None, 30])
@pytest.mark.parametrize(("days_left", "warned"), [(0, True), (1, False)])
def test_warning_rating_expiring_in_exactly_the_window_is_raised_and_a_day_earlier_not(
    settings, window, days_left, warned
):
    if window is not None:
        settings.WARNING_RATING_EXPIRY_DAYS = window
    organization = eligible_org()
    rating = rate(organization, "955")
    today = add_days(rating.expires_on, -(settings.WARNING_RATING_EXPIRY_DAYS + days_left))
    EarlyWarning.objects.refresh(today, kinds={credit_warnings.RATING_EXPIRING})
    found = open_warnings(credit_warnings.RATING_EXPIRING, organization)
    assert bool(found) is warned
    if found:
        assert found[0].deadline == rating.expires_on


@pytest.mark.parametrize(
    "offset",
    ["listing_day", "day_before_due"],
)
def test_warning_s6_clock_runs_from_the_listing_day_to_the_day_before_it_turns_serious(settings, offset):
    organization = OrganizationFactory()
    listed_on = D(YEAR - 1, 3, 10)
    make_listing(organization, listed_on=listed_on, reason=ListReason.UNREACHABLE)
    due = add_years(listed_on, settings.S6_ABNORMAL_YEARS_TO_SERIOUS)
    today = {"listing_day": listed_on, "day_before_due": add_days(due, -1)}[offset]
    EarlyWarning.objects.refresh(today, kinds={credit_warnings.SERIOUS_CLOCK})
    (warning,) = open_warnings(credit_warnings.SERIOUS_CLOCK, organization)
    assert warning.deadline == due
