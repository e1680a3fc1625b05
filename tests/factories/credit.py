"""Builders for credit records, listings, ratings and objections (through the services,
so every rule runs as it does for real users)."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from orgs.credit import services
from orgs.credit.models import Category, ListReason, ListType
from tests.factories.accounts import UserFactory
from tests.factories.orgs import pdf_bytes


def officer():
    from django.contrib.auth.models import Group

    from accounts.groups import SOCIAL_ORG_SECTION

    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    return user


def at(day, hour=10):
    """An aware datetime on ``day`` in Asia/Shanghai."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def make_record(
    organization,
    *,
    category=Category.INSPECTION,
    decided_on=datetime.date(2026, 4, 20),
    user=None,
    recorded_on=None,
    fine_amount=None,
    number=None,
    summary="抽查发现财务制度不健全，责令整改",
):
    return services.record_credit(
        organization,
        category=category,
        decided_on=decided_on,
        summary=summary,
        authority="北京市民政局",
        document_number=number or f"京民检〔2026〕{organization.pk}号",
        fine_amount=fine_amount,
        user=user or UserFactory(),
        now=at(recorded_on or decided_on),
    )


def make_penalty(organization, *, decided_on, fine=Decimal("10000.00"), user=None):
    return make_record(
        organization,
        category=Category.PENALTY,
        decided_on=decided_on,
        fine_amount=fine,
        user=user,
        summary="违反登记管理规定，予以罚款",
    )


def make_listing(
    organization,
    *,
    listed_on,
    list_type=ListType.ABNORMAL,
    reason=ListReason.UNREACHABLE,
    report_year=None,
    user=None,
):
    from freezegun import freeze_time

    with freeze_time(at(max(listed_on, timezone.localdate()))):
        return services.list_organization(
            organization,
            list_type=list_type,
            reason=reason,
            listed_on=listed_on,
            document_number=f"京民异〔{listed_on.year}〕{organization.pk}号",
            report_year=report_year,
            user=user or UserFactory(),
        )


def evidence(name="证明材料.pdf"):
    return SimpleUploadedFile(name, pdf_bytes("证明材料"))
