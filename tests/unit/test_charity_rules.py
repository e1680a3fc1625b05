"""C2 deadlines (plan filing, periodic progress, full account) and the append-only records."""

import datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.test import override_settings
from freezegun import freeze_time

from core.models import AppendOnlyError, EarlyWarning
from orgs.charity import services
from orgs.charity import warnings as charity_warnings
from orgs.charity.models import Donation, ProgressReport, ProjectStatus
from tests.factories.charity import (
    CharityFactory,
    CharityProjectFactory,
    DonationFactory,
    ExpenditureFactory,
    ProgressReportFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date


def rules(project, today):
    return {item.rule for item in services.overdue_items(project, today)}


# --- C2: fundraising plan filed at least 10 days before the start ---------------------


@pytest.mark.parametrize(
    ("filed_on", "late"),
    [(D(2026, 1, 9), False), (D(2026, 1, 10), False), (D(2026, 1, 11), True)],
)
def test_c2_plan_filed_10_days_before_start_boundary(filed_on, late):
    project = CharityProjectFactory(starts_on=D(2026, 1, 20), plan_filed_on=filed_on)
    assert ("plan" in rules(project, D(2026, 2, 1))) is late


def test_c2_plan_not_filed_is_overdue_only_after_the_deadline():
    project = CharityProjectFactory(starts_on=D(2026, 1, 20), plan_filed_on=None, plan_filing_number="")
    assert "plan" not in rules(project, D(2026, 1, 10))
    assert "plan" in rules(project, D(2026, 1, 11))


def test_c2_plan_rule_applies_to_public_fundraising_only():
    project = CharityProjectFactory(starts_on=D(2026, 1, 20), plan_filed_on=None, public_fundraising=False)
    assert "plan" not in rules(project, D(2026, 3, 1))


@override_settings(C2_PLAN_FILING_DAYS_BEFORE_START=20)
def test_c2_plan_days_come_from_settings():
    project = CharityProjectFactory(starts_on=D(2026, 1, 20), plan_filed_on=D(2026, 1, 10))
    assert "plan" in rules(project, D(2026, 2, 1))


# --- C2: projects over 6 months disclose progress every 3 months ----------------------


def test_c2_progress_due_dates_for_a_long_project():
    project = CharityProjectFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert services.progress_due_dates(project) == [D(2026, 4, 1), D(2026, 7, 1), D(2026, 10, 1)]


def test_c2_project_of_exactly_6_months_owes_no_progress_report():
    project = CharityProjectFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 7, 1))
    assert services.progress_due_dates(project) == []
    assert "progress" not in rules(project, D(2026, 6, 30))


def test_c2_project_one_day_over_6_months_owes_progress_reports():
    project = CharityProjectFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 7, 2))
    assert services.progress_due_dates(project) == [D(2026, 4, 1), D(2026, 7, 1)]


def test_c2_progress_report_overdue_the_day_after_the_due_date():
    project = CharityProjectFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    assert "progress" not in rules(project, D(2026, 4, 1))
    items = services.overdue_items(project, D(2026, 4, 2))
    assert [(i.rule, i.deadline) for i in items if i.rule == "progress"] == [("progress", D(2026, 4, 1))]


def test_c2_progress_report_in_the_period_clears_it_and_the_next_period_starts_fresh():
    project = CharityProjectFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    ProgressReportFactory(project=project, published_on=D(2026, 3, 20))
    assert "progress" not in rules(project, D(2026, 4, 2))
    assert "progress" not in rules(project, D(2026, 7, 1))
    items = services.overdue_items(project, D(2026, 7, 2))
    assert [(i.rule, i.deadline) for i in items if i.rule == "progress"] == [("progress", D(2026, 7, 1))]


def test_c2_a_late_progress_report_clears_the_warning():
    project = CharityProjectFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    ProgressReportFactory(project=project, published_on=D(2026, 4, 10))
    assert "progress" not in rules(project, D(2026, 4, 11))


# --- C2: full account within 3 months of the end ---------------------------------------


def test_c2_final_account_due_3_months_after_the_end():
    project = CharityProjectFactory(starts_on=D(2026, 1, 20), ends_on=D(2026, 5, 31))
    assert services.final_account_deadline(project) == D(2026, 8, 31)
    assert "final" not in rules(project, D(2026, 8, 31))
    assert "final" in rules(project, D(2026, 9, 1))


def test_c2_final_report_clears_the_final_account_warning():
    project = CharityProjectFactory(
        starts_on=D(2026, 1, 20), ends_on=D(2026, 5, 31), status=ProjectStatus.COMPLETED
    )
    ProgressReportFactory(
        project=project,
        kind=ProgressReport.Kind.FINAL,
        period_start=D(2026, 1, 20),
        period_end=D(2026, 5, 31),
        published_on=D(2026, 9, 15),
    )
    assert rules(project, D(2026, 9, 16)) == set()


# --- The shared warning mechanism ------------------------------------------------------


def test_c2_overdue_items_open_and_clear_early_warnings():
    project = CharityProjectFactory(starts_on=D(2026, 1, 1), ends_on=D(2026, 12, 31))
    kinds = [charity_warnings.PROGRESS_OVERDUE]
    with freeze_time("2026-04-01 12:00:00"):
        assert not EarlyWarning.objects.refresh(kinds=kinds).opened
    with freeze_time("2026-04-02 12:00:00"):
        result = EarlyWarning.objects.refresh(kinds=kinds)
    assert len(result.opened) == 1
    warning = EarlyWarning.objects.get(kind=charity_warnings.PROGRESS_OVERDUE, cleared_on__isnull=True)
    assert warning.organisation_uscc == project.organization.uscc
    assert warning.deadline == D(2026, 4, 1)
    with freeze_time("2026-04-03 12:00:00"):
        assert EarlyWarning.objects.refresh(kinds=kinds).kept == [warning]
        ProgressReportFactory(project=project, published_on=D(2026, 4, 3))
    with freeze_time("2026-04-04 12:00:00"):
        result = EarlyWarning.objects.refresh(kinds=kinds)
    assert [w.pk for w in result.cleared] == [warning.pk]


# --- Append-only records and receipt numbers ------------------------------------------


def test_published_donation_cannot_be_edited_or_deleted():
    donation = DonationFactory()
    donation.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        donation.save()
    with pytest.raises(AppendOnlyError):
        donation.delete()
    expenditure = ExpenditureFactory()
    with pytest.raises(AppendOnlyError):
        expenditure.delete()


def test_receipt_number_unique_per_organisation():
    first = DonationFactory(receipt_number="JZ-1")
    DonationFactory(receipt_number="JZ-1", project__organization=CharityFactory())
    with pytest.raises(IntegrityError), transaction.atomic():
        DonationFactory(receipt_number="JZ-1", project=first.project)


def test_correction_replaces_the_original_in_totals_and_tracing():
    project = CharityProjectFactory()
    original = DonationFactory(project=project, amount=Decimal("500.00"), receipt_number="JZ-9")
    correction = DonationFactory(
        project=project, amount=Decimal("50.00"), receipt_number="JZ-9", corrects=original
    )
    assert list(Donation.objects.filter(project=project).current()) == [correction]
    totals = services.with_totals(type(project).objects.filter(pk=project.pk)).get()
    assert totals.raised == Decimal("50.00")
    assert services.find_donation(project.organization, "JZ-9") == correction
    assert services.find_donation(project.organization, "JZ-404") is None


def test_raised_vs_spent_is_cumulative_by_month():
    project = CharityProjectFactory()
    DonationFactory(project=project, amount=Decimal("100.00"), donated_on=D(2026, 1, 25))
    DonationFactory(project=project, amount=Decimal("200.50"), donated_on=D(2026, 3, 2))
    ExpenditureFactory(project=project, amount=Decimal("80.00"), spent_on=D(2026, 2, 10))
    points = services.raised_vs_spent(project)
    assert [(p.month, p.raised, p.spent) for p in points] == [
        ("2026-01", Decimal("100.00"), Decimal("0.00")),
        ("2026-02", Decimal("100.00"), Decimal("80.00")),
        ("2026-03", Decimal("300.50"), Decimal("80.00")),
    ]
    chart = services.chart_for(points)
    assert len(chart.raised_points.split()) == 3
    assert chart.raised_dots[-1][1] == 40.0  # the highest value touches the top margin
    assert chart.spent_dots[0][1] == 200.0  # nothing spent yet: on the axis


def test_a_single_month_is_drawn_as_markers_in_the_middle():
    project = CharityProjectFactory()
    DonationFactory(project=project, amount=Decimal("100.00"), donated_on=D(2026, 1, 25))
    chart = services.chart_for(services.raised_vs_spent(project))
    assert chart.raised_dots == [(320.0, 40.0)]
    assert chart.labels == [(320.0, "2026-01")]
