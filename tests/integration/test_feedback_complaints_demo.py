"""The demo complaints (issue 15 §5): every state of the workflow, one past its deadline (with
its early warning), one upheld with a refund of the disputed line, one on the platform channel;
loading twice changes nothing."""

import io
import os

import pytest
from django.core.management import call_command

from core.models import EarlyWarning
from marketplace.feedback import demo_complaints
from marketplace.feedback.models import Complaint, ComplaintStatus, ProviderCreditNote
from marketplace.feedback.services import complaints as service

pytestmark = pytest.mark.django_db


def test_r2_demo_complaints_cover_every_state_and_are_idempotent():
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_data", stdout=devnull)
    demo_complaints.load(io.StringIO())
    demo_complaints.load(io.StringIO())
    complaints = Complaint.objects.filter(text__startswith="【示例】")
    assert complaints.count() == len(demo_complaints.PLAN)
    assert set(complaints.values_list("status", flat=True)) == set(ComplaintStatus.values)
    refunded = complaints.get(refund_ordered__isnull=False)
    assert refunded.order is not None and refunded.disputed_lines.exists()
    assert ProviderCreditNote.objects.get(complaint=refunded).rule_id == "F2"
    assert complaints.filter(channel="platform").exists()
    EarlyWarning.objects.refresh(kinds=[service.WARNING_KIND])
    assert EarlyWarning.objects.open().filter(kind=service.WARNING_KIND).exists()
