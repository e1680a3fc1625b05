"""C1: a charity discloses its basic information within 30 days of recognition or of a
change registration, and its annual report is due by 31 May."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.models import EarlyWarning
from orgs.charity import services
from orgs.charity.models import BasicInfoDisclosure
from orgs.charity.warnings import BASIC_INFO_OVERDUE
from orgs.registry.models import OrgType, RegistryChange
from orgs.reports.services import deadlines_for
from tests.factories.charity import CharityFactory
from tests.factories.orgs import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def publish(organization, on, changed_on=None, user=None):
    return services.publish_basic_info(
        BasicInfoDisclosure(
            organization=organization,
            changed_on=changed_on or on,
            summary="公开章程和理事会名单",
            governing_body="张三 理事长",
        ),
        user=user,
        today=on,
    )


def open_c1(organization):
    return EarlyWarning.objects.open().filter(kind=BASIC_INFO_OVERDUE, organisation_uscc=organization.uscc)


@pytest.mark.parametrize(("today", "warned"), [(D(2026, 3, 31), False), (D(2026, 4, 1), True)])
def test_c1_basic_info_due_30_days_after_recognition(today, warned):
    charity = CharityFactory(charity_recognized_on=D(2026, 3, 1))
    (due,) = services.basic_info_obligations(charity)
    assert (due.trigger, due.deadline) == (D(2026, 3, 1), D(2026, 3, 31))
    EarlyWarning.objects.refresh(today, kinds=[BASIC_INFO_OVERDUE])
    assert open_c1(charity).exists() is warned


def test_c1_publishing_clears_the_warning_and_late_publication_is_marked():
    charity = CharityFactory(charity_recognized_on=D(2026, 3, 1))
    EarlyWarning.objects.refresh(D(2026, 4, 5), kinds=[BASIC_INFO_OVERDUE])
    assert open_c1(charity).count() == 1
    disclosure = publish(charity, D(2026, 4, 5), changed_on=D(2026, 3, 1))
    assert disclosure.late and disclosure.days_to_publish == 35
    EarlyWarning.objects.refresh(D(2026, 4, 6), kinds=[BASIC_INFO_OVERDUE])
    assert not open_c1(charity).exists()
    (due,) = services.basic_info_obligations(charity)
    assert due.late and due.disclosed_on == D(2026, 4, 5)


def test_c1_a_change_registration_needs_a_new_disclosure():
    charity = CharityFactory(charity_recognized_on=D(2025, 1, 10))
    publish(charity, D(2025, 1, 20))
    RegistryChange.objects.create(
        organization=charity,
        item=RegistryChange.Item.LEGAL_REPRESENTATIVE,
        before="甲",
        after="乙",
        changed_on=D(2026, 5, 1),
    )
    dues = services.basic_info_obligations(charity)
    assert [(d.trigger, d.disclosed_on) for d in dues] == [
        (D(2025, 1, 10), D(2025, 1, 20)),
        (D(2026, 5, 1), None),
    ]
    assert "法定代表人" in dues[1].label
    EarlyWarning.objects.refresh(D(2026, 6, 1), kinds=[BASIC_INFO_OVERDUE])
    (warning,) = open_c1(charity)
    assert warning.detail_key == "basic-2026-05-01" and warning.deadline == D(2026, 5, 31)
    assert "C1" in warning.reason
    publish(charity, D(2026, 6, 2), changed_on=D(2026, 5, 1))
    EarlyWarning.objects.refresh(D(2026, 6, 2), kinds=[BASIC_INFO_OVERDUE])
    assert not open_c1(charity).exists()


def test_c1_days_are_a_setting(settings):
    settings.C1_BASIC_INFO_DISCLOSURE_DAYS = 10
    charity = CharityFactory(charity_recognized_on=D(2026, 3, 1))
    assert services.basic_info_obligations(charity)[0].deadline == D(2026, 3, 11)


def test_c1_non_charities_have_no_obligation_and_cannot_publish():
    organization = OrganizationFactory()
    assert services.basic_info_obligations(organization) == []
    with pytest.raises(ValidationError):
        publish(organization, D(2026, 3, 1))


def test_c1_a_change_date_in_the_future_is_refused():
    charity = CharityFactory()
    with pytest.raises(ValidationError):
        publish(charity, D(2026, 3, 1), changed_on=D(2026, 3, 2))


def test_c1_disclosures_are_append_only():
    from core.models import AppendOnlyError

    disclosure = publish(CharityFactory(), D(2026, 3, 1))
    disclosure.summary = "改写"
    with pytest.raises(AppendOnlyError):
        disclosure.save()


@pytest.mark.parametrize(("s2_deadline", "expected"), [((5, 31), D(2027, 5, 31)), ((6, 30), D(2027, 5, 31))])
def test_c1_charity_annual_report_is_due_by_31_may(settings, s2_deadline, expected):
    settings.S2_REGISTRATION_DEADLINE = s2_deadline
    charity = CharityFactory(org_type=OrgType.SOCIAL_SERVICE, supervising_unit=None)
    other = OrganizationFactory()
    assert deadlines_for(charity, 2026).registration == expected
    assert deadlines_for(other, 2026).registration == D(2027, *s2_deadline)


def test_staff_publish_basic_info_and_the_public_profile_shows_it(client):
    charity = CharityFactory(charity_recognized_on=D(2020, 9, 1))
    membership = MembershipFactory(organization=charity)
    client.force_login(membership.user)
    url = reverse("charity_workbench:basic_info", args=[charity.uscc])
    page = client.get(url).content.decode()
    assert "逾期未公开" in page
    response = client.post(
        url,
        {
            "changed_on": "2020-09-01",
            "summary": "首次公开：章程、理事会和监事名单。",
            "governing_body": "示例甲 理事长\n示例乙 秘书长",
            "supervisory_body": "示例丙 监事",
        },
    )
    assert response.status_code == 302
    disclosure = BasicInfoDisclosure.objects.get(organization=charity)
    assert disclosure.created_by == membership.user and disclosure.late
    profile = Client().get(reverse("registry:detail", args=[charity.uscc])).content.decode()
    assert "示例乙 秘书长" in profile and "逾期公开" in profile and "逾期未公开" not in profile


def test_another_organisation_cannot_publish_basic_info(client):
    charity = CharityFactory()
    client.force_login(MembershipFactory(organization=CharityFactory()).user)
    url = reverse("charity_workbench:basic_info", args=[charity.uscc])
    assert client.get(url).status_code == 404
    response = client.post(url, {"changed_on": "2026-01-01", "summary": "x", "governing_body": "x"})
    assert response.status_code == 404
    assert not BasicInfoDisclosure.objects.exists()
