"""Organisation staff publish projects and records; other organisations' records answer 404."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from core.statemachine import TRANSITION_ACTION
from orgs.charity.models import CharityProject, Donation, Expenditure, ProgressReport, ProjectStatus
from tests.factories.charity import CharityFactory, CharityProjectFactory, DonationFactory
from tests.factories.orgs import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    membership = MembershipFactory(organization=CharityFactory())
    client.force_login(membership.user)
    return membership


def test_staff_create_a_project_and_publish_records(client, staff):
    uscc = staff.organization.uscc
    response = client.post(
        reverse("charity_workbench:project_new", args=[uscc]),
        {
            "name": "社区助老餐桌",
            "plan_filing_number": "京民慈备2026001",
            "plan_filed_on": "2026-01-02",
            "public_fundraising": "on",
            "goal": "80000.00",
            "starts_on": "2026-01-20",
            "ends_on": "2026-12-31",
            "area": "110105",
            "status": "completed",  # not a form field: status moves only by transition
            "description": "为高龄独居老人提供午餐。",
        },
    )
    project = CharityProject.objects.get(name="社区助老餐桌")
    assert response.status_code == 302
    assert project.organization == staff.organization
    assert project.status == ProjectStatus.FUNDRAISING
    response = client.post(
        reverse("charity_workbench:donation_new", args=[uscc, project.pk]),
        {
            "receipt_number": "ZS-0001",
            "donor_name": "王五",
            "anonymous": "on",
            "kind": "money",
            "amount": "2000.00",
            "donated_on": "2026-02-01",
            "channel": "bank",
        },
    )
    assert response.status_code == 302
    donation = Donation.objects.get(receipt_number="ZS-0001")
    assert (donation.organization, donation.anonymous) == (staff.organization, True)
    client.post(
        reverse("charity_workbench:expenditure_new", args=[uscc, project.pk]),
        {
            "voucher_number": "ZC-01",
            "amount": "500.00",
            "purpose": "采购食材",
            "beneficiary_count": "40",
            "spent_on": "2026-02-10",
        },
    )
    client.post(
        reverse("charity_workbench:report_new", args=[uscc, project.pk]),
        {
            "kind": "progress",
            "period_start": "2026-01-20",
            "period_end": "2026-04-19",
            "published_on": "2026-04-15",
            "text": "本期共供餐1200份。",
        },
    )
    assert Expenditure.objects.filter(project=project, purpose="采购食材", voucher_number="ZC-01").exists()
    assert ProgressReport.objects.filter(project=project).count() == 1


def test_duplicate_receipt_is_rejected_and_a_correction_is_accepted(client, staff):
    project = CharityProjectFactory(organization=staff.organization)
    original = DonationFactory(project=project, receipt_number="ZS-0009")
    url = reverse("charity_workbench:donation_new", args=[staff.organization.uscc, project.pk])
    data = {
        "receipt_number": "ZS-0009",
        "donor_name": "赵六",
        "kind": "money",
        "amount": "20.00",
        "donated_on": "2026-02-01",
        "channel": "cash",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "本机构已有该票据号的捐赠记录" in response.content.decode()
    response = client.post(url, {**data, "corrects": original.pk})
    assert response.status_code == 302
    assert list(Donation.objects.filter(project=project).current().values_list("amount", flat=True)) == [
        Decimal("20.00")
    ]


def test_correction_cannot_point_at_another_projects_record(client, staff):
    project = CharityProjectFactory(organization=staff.organization)
    elsewhere = DonationFactory(project=CharityProjectFactory(organization=staff.organization))
    response = client.post(
        reverse("charity_workbench:donation_new", args=[staff.organization.uscc, project.pk]),
        {
            "receipt_number": "ZS-0100",
            "donor_name": "钱七",
            "kind": "money",
            "amount": "20.00",
            "donated_on": "2026-02-01",
            "channel": "cash",
            "corrects": elsewhere.pk,
        },
    )
    assert response.status_code == 200
    assert not Donation.objects.filter(receipt_number="ZS-0100").exists()


def test_other_organisations_projects_answer_404(client, staff):
    other = CharityProjectFactory()
    uscc = staff.organization.uscc
    assert client.get(reverse("charity_workbench:home", args=[other.organization.uscc])).status_code == 404
    for name in ("project", "project_edit", "donation_new", "expenditure_new", "report_new"):
        assert client.get(reverse(f"charity_workbench:{name}", args=[uscc, other.pk])).status_code == 404
        assert (
            client.get(
                reverse(f"charity_workbench:{name}", args=[other.organization.uscc, other.pk])
            ).status_code
            == 404
        )
    response = client.post(
        reverse("charity_workbench:expenditure_new", args=[other.organization.uscc, other.pk]),
        {"amount": "1.00", "purpose": "x", "beneficiary_count": "1", "spent_on": "2026-02-10"},
    )
    assert response.status_code == 404
    assert not Expenditure.objects.exists()
    response = client.post(
        reverse("charity_workbench:status", args=[other.organization.uscc, other.pk]), {"status": "running"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == ProjectStatus.FUNDRAISING


def test_anonymous_user_is_sent_to_login(client):
    project = CharityProjectFactory()
    response = client.get(reverse("charity_workbench:home", args=[project.organization.uscc]))
    assert response.status_code == 302


def test_workbench_lists_own_projects_and_panel(client, staff):
    CharityProjectFactory(
        organization=staff.organization, name="本机构项目", starts_on=datetime.date(2026, 1, 20)
    )
    CharityProjectFactory(name="别家项目")
    html = client.get(reverse("charity_workbench:home", args=[staff.organization.uscc])).content.decode()
    assert "本机构项目" in html
    assert "别家项目" not in html
    index = client.get(reverse("workbench:index")).content.decode()
    assert reverse("charity_workbench:home", args=[staff.organization.uscc]) in index


def test_expenditure_document_must_be_pdf_or_image(client, staff, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    project = CharityProjectFactory(organization=staff.organization)
    url = reverse("charity_workbench:expenditure_new", args=[staff.organization.uscc, project.pk])
    data = {"amount": "10.00", "purpose": "购买药品", "beneficiary_count": "3", "spent_on": "2026-02-10"}
    response = client.post(url, {**data, "document": SimpleUploadedFile("invoice.exe", b"MZ")})
    assert response.status_code == 200
    assert not Expenditure.objects.exists()
    from tests.factories.orgs import pdf_bytes

    response = client.post(url, {**data, "document": SimpleUploadedFile("invoice.pdf", pdf_bytes("发票"))})
    assert response.status_code == 302
    assert Expenditure.objects.get().document.name.endswith(".pdf")


def test_project_status_moves_only_along_the_transition_table_and_is_audited(client, staff):
    from wagtail.models import ModelLogEntry

    project = CharityProjectFactory(organization=staff.organization, starts_on=datetime.date(2026, 1, 1))
    url = reverse("charity_workbench:status", args=[staff.organization.uscc, project.pk])
    page = client.get(reverse("charity_workbench:project", args=[staff.organization.uscc, project.pk]))
    assert 'value="running"' in page.content.decode()
    assert 'value="completed"' not in page.content.decode()
    client.post(url, {"status": "completed"})  # fundraising → completed skips execution
    project.refresh_from_db()
    assert project.status == ProjectStatus.FUNDRAISING
    client.post(url, {"status": "running"})
    client.post(url, {"status": "completed"})
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    response = client.post(url, {"status": "running"}, follow=True)  # completed is final
    assert "不能进行该操作" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    moves = [
        (e.data["from"], e.data["to"], e.user_id)
        for e in ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(project.pk)).order_by(
            "pk"
        )
    ]
    assert moves == [("fundraising", "running", staff.user_id), ("running", "completed", staff.user_id)]


def test_project_cannot_be_closed_before_it_starts(client, staff):
    from django.core.exceptions import ValidationError

    from orgs.charity import services

    project = CharityProjectFactory(
        organization=staff.organization,
        status=ProjectStatus.RUNNING,
        starts_on=datetime.date(2026, 6, 1),
        ends_on=datetime.date(2026, 12, 31),
    )
    with pytest.raises(ValidationError):
        services.change_status(
            project, ProjectStatus.COMPLETED, user=staff.user, today=datetime.date(2026, 5, 31)
        )
    services.change_status(project, ProjectStatus.COMPLETED, user=staff.user, today=datetime.date(2026, 6, 1))
    assert CharityProject.objects.get(pk=project.pk).status == ProjectStatus.COMPLETED


def test_status_change_needs_post(client, staff):
    project = CharityProjectFactory(organization=staff.organization)
    url = reverse("charity_workbench:status", args=[staff.organization.uscc, project.pk])
    assert client.get(url).status_code == 405


def test_blank_choice_is_in_chinese(client, staff):
    page = client.get(
        reverse("charity_workbench:project_new", args=[staff.organization.uscc])
    ).content.decode()
    assert "- 请选择 -" in page
    assert "Select an option" not in page


def test_a_progress_report_publishes_several_attachments(client, staff, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories.orgs import pdf_bytes

    settings.MEDIA_ROOT = tmp_path
    project = CharityProjectFactory(organization=staff.organization)
    url = reverse("charity_workbench:report_new", args=[staff.organization.uscc, project.pk])
    data = {
        "kind": "progress",
        "period_start": "2026-01-20",
        "period_end": "2026-04-19",
        "published_on": "2026-04-15",
        "text": "本期共供餐1200份。",
    }
    bad = client.post(url, {**data, "attachments": [SimpleUploadedFile("run.exe", b"MZ")]})
    assert bad.status_code == 200 and not ProgressReport.objects.exists()
    files = [
        SimpleUploadedFile("供餐照片.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg"),
        SimpleUploadedFile("食材票据.pdf", pdf_bytes("食材票据"), content_type="application/pdf"),
    ]
    response = client.post(url, {**data, "attachments": files})
    assert response.status_code == 302
    report = ProgressReport.objects.get(project=project)
    assert [a.name for a in report.attachments.all()] == ["供餐照片.jpg", "食材票据.pdf"]
    page = client.get(reverse("charity:project", args=[project.pk])).content.decode()
    assert "供餐照片.jpg" in page and "食材票据.pdf" in page
    assert reverse("charity:report_attachment", args=[report.attachments.first().pk]) in page
