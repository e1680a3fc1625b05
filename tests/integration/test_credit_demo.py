"""The acceptance check on the demo data: an organisation with an overdue report shows its
abnormal listing with reason and date, and its credit report verifies. Loading twice
changes nothing."""

import os

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from core import sealing
from core.models import VerifiableDocument
from core.verification import check_upload
from orgs.credit.models import (
    Category,
    CreditRecord,
    EntryStatus,
    ListEntry,
    ListReason,
    ListType,
    Objection,
    Proposal,
    Rating,
)

pytestmark = pytest.mark.django_db

ORG = "北京市朝阳区养老服务协会（示例）"


def counts():
    return (
        CreditRecord.objects.count(),
        ListEntry.objects.count(),
        Proposal.objects.count(),
        Rating.objects.count(),
        Objection.objects.count(),
    )


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"


def test_demo_credit_data_meets_the_acceptance_check_and_loads_idempotently():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_data", stdout=devnull)
        before = counts()
        call_command("load_demo_data", stdout=devnull)
    assert counts() == before

    assert set(CreditRecord.objects.values_list("category", flat=True)) == set(Category.values)
    current = ListEntry.objects.filter(status=EntryStatus.LISTED)
    reasons = set(current.filter(list_type=ListType.ABNORMAL).values_list("reason", flat=True))
    assert {ListReason.REPORT_NOT_FILED, ListReason.UNREACHABLE} <= reasons
    assert current.filter(list_type=ListType.SERIOUS).exists()
    today = timezone.localdate()
    assert any(rating.is_expired(today) for rating in Rating.objects.all())
    assert Objection.objects.filter(status="pending").exists()
    assert Proposal.objects.filter(status="pending").exists()

    client = Client()
    html = client.get("/credit/", {"q": "朝阳区养老服务协会"}).content.decode()
    assert ORG in html and "活动异常名录" in html
    entry = current.get(organization__name=ORG, reason=ListReason.REPORT_NOT_FILED)
    uscc = entry.organization.uscc
    html = client.get(f"/credit/{uscc}/").content.decode()
    assert "未按规定时限报送年度报告" in html and entry.listed_on.isoformat() in html
    response = client.get(f"/credit/{uscc}/report.pdf")
    data = b"".join(response.streaming_content)
    document = VerifiableDocument.objects.get(kind=VerifiableDocument.Kind.CREDIT_REPORT)
    assert sealing.verify_pdf(data).ok and check_upload(document, data).genuine
    assert "社会组织信用报告" in client.get(f"/verify/{document.code}/").content.decode()
