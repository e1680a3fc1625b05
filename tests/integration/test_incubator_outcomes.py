"""I2: a programme's outcomes are computed from the registry, the annual reports and the awards,
never typed by the incubator; and the public statistics by field and district (a chart with a
table of the same numbers beside it)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from core.dates import add_years
from orgs.incubator.models import Application, ApplicationState, Offer, OfferKind
from orgs.incubator.services.offers import apply_to_offer, award
from orgs.incubator.services.outcomes import by_field, programme_outcomes
from orgs.registry.models import OrgStatus, ServiceField
from orgs.registry.services import record_change
from tests.factories.credit import officer
from tests.factories.incubator import ProgrammeFactory, application_in, member, report
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db


def today():
    return timezone.localdate()


def graduated(programme, name, ended_on, field=ServiceField.ELDERLY):
    organization = OrganizationFactory(name=name, service_field=field)
    application = application_in(ApplicationState.GRADUATED, programme=programme, organization=organization)
    # The move happened today; the story needs it earlier. Only the date is moved.
    Application.objects.filter(pk=application.pk).update(ended_on=ended_on)
    return organization


@pytest.fixture
def cohort():
    programme = ProgrammeFactory(title="上一期孵化计划", capacity=10)
    long_ago = today() - datetime.timedelta(days=400)
    recent = today() - datetime.timedelta(days=100)
    reporting = graduated(programme, "按时年报的组织", long_ago)
    report(reporting, long_ago.year)
    closed = graduated(programme, "出壳后注销的组织", long_ago)
    record_change(
        closed,
        "status",
        OrgStatus.DEREGISTERED,
        changed_on=long_ago + datetime.timedelta(days=100),
        user=officer(),
    )
    graduated(programme, "没有年报的组织", long_ago, field=ServiceField.CULTURE)
    graduated(programme, "刚出壳的组织", recent)
    return programme, reporting, long_ago


def test_i2_outcomes_count_only_graduates_whose_anniversary_has_passed(cohort):
    programme, _reporting, long_ago = cohort
    one, two = programme_outcomes(programme)
    assert (one.years, one.measured, one.active, one.reporting) == (1, 3, 2, 1)
    assert one.active_share == Decimal("66.7") and one.reporting_share == Decimal("33.3")
    assert (two.years, two.measured) == (2, 0)
    assert two.active_share is None
    # The day before the second anniversary nothing is measured; on it, the three are.
    assert (
        programme_outcomes(programme, today=add_years(long_ago, 2) - datetime.timedelta(days=1))[1].measured
        == 0
    )
    assert programme_outcomes(programme, today=add_years(long_ago, 2))[1].measured == 3


def test_i2_outcomes_count_awards_won_after_graduation(cohort):
    programme, reporting, _long_ago = cohort
    purchase = Offer.objects.create(
        kind=OfferKind.SERVICE_PURCHASE,
        title="社区助老服务",
        provider_name="北京市朝阳区民政局",
        description="助老服务。",
        budget=Decimal("100000"),
        opens_on=today() - datetime.timedelta(days=1),
        deadline=today() + datetime.timedelta(days=30),
        published=True,
    )
    application = apply_to_offer(purchase, reporting, user=member(reporting), statement="申请。")
    award(
        application,
        amount=Decimal("80000"),
        starts_on=today(),
        ends_on=today() + datetime.timedelta(days=300),
        deliverables="助老服务",
        document_number="朝民购〔测试〕2号",
        user=officer(),
    )
    one = programme_outcomes(programme)[0]
    assert (one.awards, one.award_total) == (1, Decimal("80000.00"))


def test_programme_page_publishes_the_outcomes_table(cohort, client, django_assert_max_num_queries):
    programme, _reporting, _long_ago = cohort
    with django_assert_max_num_queries(17):  # 16 before the published rubric (one query)
        html = client.get(f"/incubator/programmes/{programme.pk}/").content.decode()
    assert "data-outcomes" in html
    assert "66.7%" in html and "33.3%" in html
    assert "按时年报的组织" in html  # among the graduates


def test_statistics_by_field_and_district_with_a_chart_and_its_table(cohort, client):
    rows = {t.key: t for t in by_field()}
    assert (rows[ServiceField.ELDERLY].applications, rows[ServiceField.ELDERLY].graduated) == (3, 3)
    assert rows[ServiceField.CULTURE].admitted == 1
    html = client.get("/incubator/statistics/").content.decode()
    assert '<svg viewBox="0 0' in html and "<table" in html
    assert "养老服务" in html and "文化体育" in html
