"""The B1 demo data: two schemes (the sea-burial subsidy among them) and applications in every
state, made through the real services: an approved subsidy with its payment instruction and a
decision letter that verifies, an approved waiver carried onto the bill by the bureau's change
order, a submitted application whose deadline raises the early warning, and 王丽's sea-burial
order left free for a fresh application; loading twice creates nothing new."""

import io
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.demo import DEMO_FAMILY_MOBILE, DEMO_FUNERAL_OFFICER_MOBILE
from core import sealing
from core.dates import add_working_days
from core.demo import DEMO_PASSWORD, loading
from core.models import EarlyWarning, VerifiableDocument
from marketplace.benefits import demo as benefits_demo
from marketplace.benefits.models import (
    ApplicationDocument,
    ApplicationStatus,
    BenefitApplication,
    BenefitScheme,
    SchemeKind,
)
from marketplace.benefits.warnings import DEADLINE
from marketplace.orders.models import ChangeOrder, ChangeStatus, Order

pytestmark = pytest.mark.django_db

A = ApplicationStatus
# What the B1 demo needs before it: the demo logins, the catalogue and 王丽's orders.
NEEDED = ("accounts", "marketplace.catalogue", "marketplace.orders")


def _load(out):
    with loading():
        for app in NEEDED:
            import_module(f"{app}.demo").load(out)
    return benefits_demo.load(out)


def _counts():
    return (
        get_user_model().objects.count(),
        BenefitScheme.objects.count(),
        BenefitApplication.objects.count(),
        ApplicationDocument.objects.count(),
        VerifiableDocument.objects.count(),
        Order.objects.count(),
        ChangeOrder.objects.count(),
        EarlyWarning.objects.count(),
        ModelLogEntry.objects.count(),
    )


def _verified(document):
    with document.file.open("rb") as handle:
        data = handle.read()
    return sealing.sha256(data) == document.sha256 and sealing.verify_pdf(data).ok


def test_b1_demo_schemes_and_applications_in_every_state():
    out = io.StringIO()
    demo = _load(out)
    counts = _counts()
    again = _load(out)  # idempotent
    assert _counts() == counts
    assert {key: a.pk for key, a in again.items()} == {key: a.pk for key, a in demo.items()}

    # Two schemes, marked 示例: the sea-burial subsidy and the basic-services waiver.
    sea = BenefitScheme.objects.get(code=benefits_demo.SEA_SUBSIDY)
    waiver = BenefitScheme.objects.get(code=benefits_demo.BASIC_WAIVER)
    assert sea.kind == SchemeKind.SUBSIDY and sea.burial_types == ["sea"] and sea.districts == []
    assert sea.claim_window_days == 180 and sea.required_documents == ["死亡证明", "火化证明", "海撒确认书"]
    assert waiver.kind == SchemeKind.WAIVER and set(waiver.family_statuses) == {
        "subsistence",
        "extreme_poverty",
    }
    assert list(waiver.waived_categories.values_list("code", flat=True)) == ["basic"]
    assert all("示例" in s.summary and "示例" in s.legal_basis for s in (sea, waiver))

    # Every state, each application by its own demo login; decided by the funeral section.
    applications = BenefitApplication.objects.select_related("applicant", "decided_by", "scheme")
    assert set(applications.values_list("status", flat=True)) == set(A.values)
    assert {a.scheme.code for a in applications} == {sea.code, waiver.code}
    for application in applications:
        assert (
            application.applicant.check_password(DEMO_PASSWORD) and application.applicant.is_mobile_verified
        )
        if application.status != A.DRAFT:
            assert application.criteria and application.first_submitted_on
            assert application.documents.filter(current=True).count() == 3
        if application.status in (A.APPROVED, A.REJECTED):
            assert application.decided_by.mobile == DEMO_FUNERAL_OFFICER_MOBILE
            assert application.decided_on <= timezone.localdate()
            assert _verified(application.decision_letter)

    # 王丽's sea subsidy: approved, its payment instruction and a sealed letter that verifies.
    approved = demo["approved"]
    assert approved.applicant.mobile == DEMO_FAMILY_MOBILE and approved.order is None
    assert approved.status == A.APPROVED and approved.amount == sea.amount
    assert approved.instruction_number.startswith("ZF") and approved.instructed_at
    letter = approved.decision_letter
    assert letter.kind == VerifiableDocument.Kind.BENEFIT_DECISION and _verified(letter)
    page = Client().get(f"/verify/{letter.code}/").content.decode()
    assert "已批准" in page and approved.instruction_number in page

    # The waiver: approved and carried onto 赵红梅's bill, waiting for both signatures.
    carried = demo["waiver"]
    change = carried.waiver_change
    assert carried.status == A.APPROVED and carried.scheme == waiver and carried.order_id
    assert change.bureau_decision == carried.number and change.order_id == carried.order_id
    assert change.status == ChangeStatus.PROPOSED and change.delta == -carried.amount and carried.amount > 0
    assert {line.kind for line in change.lines.all()} == {"discount"}

    # The submitted one is due within the warning horizon, so the early warning is open.
    submitted = demo["submitted"]
    today = timezone.localdate()
    assert submitted.status == A.SUBMITTED
    assert today <= submitted.decision_due <= add_working_days(today, settings.B1_WARNING_WORKING_DAYS)
    [warning] = EarlyWarning.objects.open().filter(kind=DEADLINE)
    assert warning.object_id == str(submitted.pk) and submitted.number in warning.reason

    # More documents with the reason; rejected with reasons; withdrawn; a draft.
    more = demo["more_documents"]
    assert more.status == A.MORE_DOCUMENTS and more.decision_due is None
    assert [r["item"] for r in more.requested_documents] == ["海撒确认书"] and more.requested_documents[0][
        "reason"
    ]
    rejected = demo["rejected"]
    assert rejected.status == A.REJECTED and rejected.decision_reason and not rejected.instruction_number
    assert demo["withdrawn"].status == A.WITHDRAWN
    draft = demo["draft"]
    assert draft.status == A.DRAFT and draft.documents.count() == 1

    # 王丽 keeps her sea-burial order without any application, for a fresh one in the browser.
    free = Order.objects.filter(
        user__mobile=DEMO_FAMILY_MOBILE, burial_choice="sea", benefit_applications__isnull=True
    )
    assert free.exists()
    assert not BenefitApplication.objects.filter(order__user__mobile=DEMO_FAMILY_MOBILE).exists()
    assert "0 new schemes, 0 new applications" in out.getvalue()
