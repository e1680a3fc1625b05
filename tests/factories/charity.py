"""Builders for charity projects, donations, spending and progress reports."""

import datetime
from decimal import Decimal

import factory

from orgs.charity.models import CharityProject, Donation, Expenditure, ProgressReport, ProjectStatus
from orgs.registry.models import District, OrgType
from tests.factories.orgs import OrganizationFactory


class CharityFactory(OrganizationFactory):
    org_type = OrgType.FOUNDATION
    charity_recognized_on = datetime.date(2017, 1, 1)
    public_fundraising = True


class CharityProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CharityProject

    organization = factory.SubFactory(CharityFactory)
    name = factory.Sequence(lambda n: f"测试慈善项目{n}")
    plan_filing_number = factory.Sequence(lambda n: f"京民慈备{n:05d}")
    plan_filed_on = datetime.date(2026, 1, 1)
    public_fundraising = True
    goal = Decimal("100000.00")
    starts_on = datetime.date(2026, 1, 20)
    ends_on = datetime.date(2026, 5, 31)
    description = "为困难家庭提供帮扶。"
    status = ProjectStatus.FUNDRAISING
    area = District.CHAOYANG


class DonationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Donation

    project = factory.SubFactory(CharityProjectFactory)
    organization = factory.SelfAttribute("project.organization")
    donor_name = factory.Sequence(lambda n: f"捐赠人{n}")
    anonymous = False
    amount = Decimal("500.00")
    donated_on = datetime.date(2026, 2, 1)
    channel = Donation.Channel.BANK
    receipt_number = factory.Sequence(lambda n: f"JZ{n:08d}")


class ExpenditureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Expenditure

    project = factory.SubFactory(CharityProjectFactory)
    amount = Decimal("300.00")
    purpose = factory.Sequence(lambda n: f"购买助学物资第{n}批")
    beneficiary_count = 10
    spent_on = datetime.date(2026, 3, 1)


class ProgressReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressReport

    project = factory.SubFactory(CharityProjectFactory)
    kind = ProgressReport.Kind.PROGRESS
    period_start = datetime.date(2026, 1, 20)
    period_end = datetime.date(2026, 4, 19)
    text = "本期项目按计划执行。"
    published_on = datetime.date(2026, 4, 15)
