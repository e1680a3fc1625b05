"""The charity demo data: at least 8 projects across several charities, one overdue progress
report, one completed project with its full account, anonymous donors masked; loading twice
changes nothing."""

import datetime
import io
import os

import pytest
from django.core.management import call_command
from django.db.models import F
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from core.models import EarlyWarning
from orgs.charity import services
from orgs.charity.models import (
    BasicInfoDisclosure,
    CharityProject,
    Donation,
    Expenditure,
    ProgressReport,
    ProjectStatus,
)
from orgs.charity.warnings import BASIC_INFO_OVERDUE, PROGRESS_OVERDUE
from orgs.registry.models import Organization
from tests.pdfcheck import unembedded_fonts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"


def counts():
    return tuple(m.objects.count() for m in (CharityProject, Donation, Expenditure, ProgressReport))


def test_demo_charity_data_and_idempotent_load():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_data", stdout=devnull)
        before = counts()
        call_command("load_demo_data", stdout=devnull)
    assert counts() == before
    assert CharityProject.objects.count() >= 8
    assert CharityProject.objects.values("organization").distinct().count() >= 5
    today = timezone.localdate()
    overdue = {
        (p.pk, item.rule) for p in CharityProject.objects.all() for item in services.overdue_items(p, today)
    }
    assert [rule for _pk, rule in overdue] == ["progress"]
    assert EarlyWarning.objects.open().filter(kind=PROGRESS_OVERDUE).count() == 1
    completed = CharityProject.objects.filter(
        status=ProjectStatus.COMPLETED, reports__kind=ProgressReport.Kind.FINAL
    )
    assert completed.count() == 1
    assert Expenditure.objects.filter(project__in=completed).exists()
    for project in CharityProject.objects.all():  # believable: spending never runs ahead of giving
        points = services.raised_vs_spent(project)
        assert points and all(p.spent <= p.raised for p in points), project.name
        assert points[-1].spent > 0, project.name

    # C1: every demo charity but one has disclosed its basic information, with its articles.
    charities = Organization.objects.filter(charity_recognized_on__isnull=False, name__endswith="（示例）")
    assert EarlyWarning.objects.open().filter(kind=BASIC_INFO_OVERDUE).count() == 1
    disclosure = BasicInfoDisclosure.objects.filter(organization__in=charities).first()
    with disclosure.articles.open("rb") as handle:
        articles = handle.read()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(articles)).pages)
    assert disclosure.organization.name in text and "示例" in text
    assert unembedded_fonts(articles) == []
    assert (
        BasicInfoDisclosure.objects.filter(organization__in=charities)
        .exclude(published_on__lte=F("changed_on") + datetime.timedelta(days=30))
        .count()
        == 1
    )  # one demo disclosure was late

    anonymous = Donation.objects.filter(anonymous=True).select_related("project").first()
    html = Client().get(f"/charity/projects/{anonymous.project_id}/").content.decode()
    assert "匿名" in html
    # Each demo donor appears once per project, so the real name must not appear at all.
    assert anonymous.donor_name not in html
