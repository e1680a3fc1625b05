"""The demo organisations and reports: enough of every kind, valid codes, idempotent."""

import os
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from orgs.registry import uscc
from orgs.registry.models import Membership, Organization
from orgs.reports.demo import season
from orgs.reports.models import AnnualReport, ReportStatus, ReportSubmission

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_data", stdout=devnull)


def test_demo_registry_and_reports(demo, client):
    organizations = list(Organization.objects.all())
    assert len(organizations) >= 30
    assert {org.org_type for org in organizations} == {"social_group", "social_service", "foundation"}
    assert all("示例" in org.name for org in organizations)
    assert all(uscc.is_valid(org.uscc, org.uscc_type_code) for org in organizations)

    reports = AnnualReport.objects.all()
    assert reports.filter(status=ReportStatus.DRAFT).count() >= 1
    assert reports.filter(status=ReportStatus.RETURNED).count() >= 1
    assert reports.filter(is_late=True).count() >= 1
    three_years = [
        org for org in organizations if org.annual_reports.filter(status=ReportStatus.ACCEPTED).count() >= 3
    ]
    assert len(three_years) >= 5
    assert all(s.sha256 and s.content["attachments"] for s in ReportSubmission.objects.all())

    html = client.get("/orgs/", {"q": "养老"}).content.decode()
    found = re.findall(r'<h2><a href="/orgs/[^"]+/">([^<]+)</a></h2>', html)
    assert "北京市朝阳区养老服务协会（示例）" in found and len(found) >= 5
    assert all("养老" in name for name in found)


def test_demo_is_idempotent_and_org_admin_can_sign_in(demo):
    counts = (Organization.objects.count(), AnnualReport.objects.count(), ReportSubmission.objects.count())
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_data", stdout=devnull)
    assert (
        Organization.objects.count(),
        AnnualReport.objects.count(),
        ReportSubmission.objects.count(),
    ) == counts
    client = Client()
    assert client.login(username="13920000001", password="demo-pass-2026")
    membership = Membership.objects.get(user__mobile="13920000001")
    assert membership.role == "admin"
    html = client.get(f"/workbench/reports/{membership.organization.uscc}/").content.decode()
    # The draft is for the latest report year whose filing season is over, whenever the demo loads.
    assert f"{season(timezone.localdate())} 年度报告" in html and "草稿" in html
