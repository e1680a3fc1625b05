"""Builders for social organisations, memberships and annual reports."""

import datetime
import io
from decimal import Decimal

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from orgs.registry import uscc
from orgs.registry.models import (
    USCC_TYPE_CODES,
    District,
    MemberRole,
    Membership,
    Organization,
    OrgType,
    SupervisingUnit,
)
from tests.factories.accounts import UserFactory


class SupervisingUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SupervisingUnit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试业务主管单位{n}")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"北京市测试社会组织{n}")
    org_type = OrgType.SOCIAL_GROUP
    district = District.CHAOYANG
    registration_authority = District.CHAOYANG
    uscc = factory.LazyAttributeSequence(
        lambda o, n: uscc.build(USCC_TYPE_CODES[o.org_type], o.district, f"MJ{n:07d}")
    )
    registered_on = datetime.date(2015, 3, 1)
    legal_representative = "测试法人"
    domicile = "北京市朝阳区测试路1号"
    business_scope = "测试业务范围"
    registered_funds = Decimal("300000.00")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = MemberRole.ADMIN


def balanced_figures(**overrides):
    """Report figures that pass every validation rule."""
    data = {
        "basic_info_confirmed": True,
        "council_meetings": 2,
        "supervisory_meetings": 1,
        "member_count": 120,
        "staff_count": 5,
        "volunteer_count": 30,
        "activities_summary": "开展养老服务培训12场",
        "activity_count": 12,
        "beneficiary_count": 800,
        "total_assets": Decimal("1000000.00"),
        "total_liabilities": Decimal("200000.00"),
        "net_assets_unrestricted": Decimal("600000.00"),
        "net_assets_restricted": Decimal("200000.00"),
        "income_donations": Decimal("300000.00"),
        "income_government_grants": Decimal("100000.00"),
        "income_services": Decimal("50000.00"),
        "income_membership_dues": Decimal("40000.00"),
        "income_investment": Decimal("5000.00"),
        "income_other": Decimal("5000.00"),
        "income_total": Decimal("500000.00"),
        "expense_business": Decimal("380000.00"),
        "expense_administration": Decimal("50000.00"),
        "expense_fundraising": Decimal("10000.00"),
        "expense_other": Decimal("0.00"),
        "expense_total": Decimal("440000.00"),
    }
    data.update(overrides)
    return data


def pdf_bytes(text="测试审计报告"):
    from reportlab.pdfgen import canvas

    from core.pdf import cjk_font_name

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(cjk_font_name(), 12)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def upload(name, data):
    return SimpleUploadedFile(name, data)


def make_report(organization, year=2025, user=None, **overrides):
    from orgs.reports import services

    user = user or UserFactory()
    report = services.start_report(organization, year, user=user)
    for name, value in balanced_figures(**overrides).items():
        setattr(report, name, value)
    report.save()
    return report


def attach_required(report, user=None):
    from orgs.reports import services

    user = user or report.created_by
    for kind in services.required_attachment_kinds(report.organization):
        services.add_attachment(
            report, kind, upload(f"{kind}.pdf", pdf_bytes(f"{kind} {report.pk}")), user=user
        )


def submitted_report(organization, year=2025, user=None, **overrides):
    from orgs.reports import services

    user = user or UserFactory()
    report = make_report(organization, year, user=user, **overrides)
    attach_required(report, user)
    submission = services.submit_report(report, user=user)
    report.refresh_from_db()
    return report, submission
