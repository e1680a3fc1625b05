"""One append-only base (``core.models.AppendOnlyModel``) for every model whose rows are history.

Each concrete subclass found in the app registry is checked on a real saved row: a column outside
``mutable_columns`` can't change, the row can't be deleted, and the declared mutable columns can.
A new append-only model without a row builder below fails ``test_every_append_only_model_has_a_builder``.
"""

import datetime
import secrets
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from accounts import sms
from core.models import AppendOnlyError, AppendOnlyModel, SecurityEvent, VerifiableDocument
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 4, 20)


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()


def append_only_models():
    return sorted(
        (model for model in apps.get_models() if issubclass(model, AppendOnlyModel)),
        key=lambda model: model._meta.label,
    )


def with_mutable_columns():
    return [model for model in append_only_models() if model.mutable_columns]


# --- One saved row of each model, made through the services where they exist ----------------------


def _document(**fields):
    source = UserFactory()
    values = {
        "code": "-".join(secrets.token_hex(2).upper() for _ in range(4)),
        "kind": VerifiableDocument.Kind.PAYMENT_RECEIPT,
        "title": "支付凭证",
        "issuer_name": "北京市民政局",
        "holder_name_masked": "王*",
        "issued_at": timezone.now(),
        "sha256": "0" * 64,
        "file": "sealed/2026/04/test.pdf",
        "content_type": ContentType.objects.get_for_model(source),
        "object_id": str(source.pk),
    }
    values.update(fields)
    return VerifiableDocument.objects.create(**values)


def _security_event():
    return SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.DOCUMENT_ALTERED,
        occurred_at=timezone.now(),
        subject_label="测试文书",
        summary="存档文件与签发时记录的 SHA-256 不一致",
    )


def _scenario():
    from tests.factories.orders import Scenario

    return Scenario()


def _order_line():
    return _scenario().order.lines.first()


def _contract():
    return _scenario().advance("contract_issued").contract


def _change_order():
    from tests.unit.test_orders_lifecycle import _proposed_change

    return _proposed_change(_scenario())


def _signature():
    from marketplace.orders.models import Signature
    from tests.factories.orders import FAMILY_NAME, sign_as

    scenario = _scenario()
    contract = scenario.advance("contract_issued").contract
    sign_as(contract, scenario.family, Signature.Role.FAMILY, full_name=FAMILY_NAME)
    return contract.signatures.get()


def _order_payment():
    from marketplace.orders.models import OrderPayment

    order = _scenario().order
    return OrderPayment.objects.create(
        order=order, kind=OrderPayment.Kind.CHARGE, amount=Decimal("100.00"), reference="PAY-TEST-1"
    )


def _certificate():
    from marketplace.orders.models import Certificate

    order = _scenario().order
    return Certificate.objects.create(
        order=order,
        kind=VerifiableDocument.Kind.CREMATION_CERTIFICATE,
        number="HH-2026-000001",
        event_date=TODAY,
        place="测试殡仪馆 1 号炉",
        issued_at=timezone.now(),
        issued_by=UserFactory(),
        document=_document(kind=VerifiableDocument.Kind.CREMATION_CERTIFICATE),
    )


def _credit_record():
    from tests.factories.credit import make_record
    from tests.factories.orgs import OrganizationFactory

    return make_record(OrganizationFactory(), decided_on=TODAY)


def _rating():
    from orgs.credit.models import Grade, Rating
    from tests.factories.orgs import OrganizationFactory

    return Rating.objects.create(
        organization=OrganizationFactory(),
        score=Decimal("820.0"),
        grade=Grade.A4,
        evaluating_body="北京市社会组织评估委员会",
        rated_on=TODAY,
        expires_on=TODAY.replace(year=TODAY.year + 5),
        recorded_by=UserFactory(),
    )


def _list_entry():
    from tests.factories.credit import make_listing
    from tests.factories.orgs import OrganizationFactory

    return make_listing(OrganizationFactory(), listed_on=TODAY)


def _submission():
    from tests.factories.orgs import OrganizationFactory, submitted_report

    return submitted_report(OrganizationFactory())[1]


def _review_decision():
    from orgs.reports.models import ReviewDecision

    return ReviewDecision.objects.create(
        submission=_submission(),
        action=ReviewDecision.Action.RETURN,
        reasons="财务报表不平衡",
        decided_by=UserFactory(),
    )


def _report_attachment():
    from tests.factories.orgs import OrganizationFactory, attach_required, make_report

    report = make_report(OrganizationFactory())
    attach_required(report)
    return report.attachments.first()


def _transaction():
    from payments.models import Transaction
    from tests.factories.payments import make_intent

    return Transaction.objects.create(
        intent=make_intent(), kind=Transaction.Kind.CHARGE, amount=Decimal("100.00"), source="query"
    )


def _notification():
    from payments.models import NotificationEvent

    return NotificationEvent.objects.create(
        provider="sandbox", notification_id="n-append-only", raw_body="trade_status=TRADE_SUCCESS"
    )


def _donation():
    from tests.factories.charity import DonationFactory

    return DonationFactory()


def _expenditure():
    from tests.factories.charity import ExpenditureFactory

    return ExpenditureFactory()


def _progress_report():
    from tests.factories.charity import ProgressReportFactory

    return ProgressReportFactory()


def _progress_attachment():
    from orgs.charity.models import ProgressReportAttachment
    from tests.factories.charity import ProgressReportFactory

    return ProgressReportAttachment.objects.create(
        report=ProgressReportFactory(), file="charity/reports/receipt.pdf", name="receipt.pdf"
    )


def _basic_info():
    from orgs.charity.models import BasicInfoDisclosure
    from tests.factories.charity import CharityFactory

    return BasicInfoDisclosure.objects.create(
        organization=CharityFactory(),
        changed_on=TODAY,
        summary="理事会换届",
        governing_body="张三 理事长",
        published_on=TODAY,
    )


def _price_version():
    from tests.factories.catalogue import ProviderFactory, make_item

    return make_item(ProviderFactory(), "urn", price="100.00").versions.get()


def _guide_price():
    # Through the bureau's service: a new ceiling version for a category with none yet.
    from marketplace.catalogue.models import PriceBasis
    from marketplace.catalogue.services.ceilings import record_ceiling
    from tests.factories.catalogue import category

    return record_ceiling(
        category("urn"),
        PriceBasis.GOVERNMENT_GUIDE,
        ceiling=Decimal("800.00"),
        effective_from=timezone.localdate(),
        reason="测试限价",
        document_reference="京发改〔2026〕测试1号",
    )


def _provider_verification():
    from marketplace.catalogue.services.verification import record_verification
    from tests.factories.catalogue import ProviderFactory

    return record_verification(
        ProviderFactory(), verified=True, reason="核对许可证", evidence_reference="京民殡核〔2026〕1号"
    )


def _chain_heads():
    from marketplace.catalogue import anchoring

    _price_version()
    record, _created = anchoring.publish_chain_heads()
    return record


def _chain_rehash():
    from marketplace.catalogue.models import ChainRehash

    return ChainRehash.objects.create(
        performed_at=timezone.now(),
        scheme_from="v1",
        scheme_to="v2",
        reason="测试重算说明",
        chains=0,
        versions=0,
    )


def _registry_change():
    from orgs.registry.models import RegistryChange
    from tests.factories.orgs import OrganizationFactory

    return RegistryChange.objects.create(
        organization=OrganizationFactory(),
        item=RegistryChange.Item.DOMICILE,
        before="北京市东城区示例路1号",
        after="北京市西城区示例路2号",
        changed_on=TODAY,
    )


def _reindex_run():
    from search import reindex

    return reindex.start_run(schedule=lambda run: None)  # recorded, not run


def _reindex_progress():
    from search import reindex

    run = _reindex_run()
    reindex.advance(run.pk, run.generation, schedule=lambda run: None)  # the step that makes them
    return run.progress.first()


def _review():
    from marketplace.feedback.services import reviews
    from tests.factories.orders import Scenario

    scenario = Scenario()
    scenario.advance("completed")
    return reviews.submit_review(
        scenario.family,
        scenario.refresh(),
        overall=4,
        price_transparency=5,
        service_attitude=4,
        facilities=3,
        text="服务周到",
    )


def _review_report():
    from marketplace.feedback.services import reviews

    return reviews.report_review(_review(), reason="广告")


def _review_reply_version():
    from marketplace.feedback.services import reviews

    review = _review()
    staff = review.provider.memberships.select_related("user").first().user
    return reviews.post_reply(review, staff, "感谢您的评价").versions.get()


def _review_reply():
    return _review_reply_version().reply


def _complaint_evidence():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketplace.feedback.models import ComplaintEvidence
    from marketplace.feedback.services import complaints
    from tests.factories.catalogue import ProviderFactory
    from tests.factories.orders import family_user
    from tests.factories.orgs import PNG_BYTES

    complaint = complaints.file_complaint(
        user=family_user(), provider=ProviderFactory(), category="quality", text="迟到", contact_name="王丽"
    )
    return ComplaintEvidence.objects.create(
        complaint=complaint, file=SimpleUploadedFile("现场.png", PNG_BYTES), name="现场.png"
    )


def _provider_credit_note():
    from marketplace.feedback.models import ProviderCreditNote

    complaint = _complaint_evidence().complaint
    return ProviderCreditNote.objects.create(
        provider=complaint.provider,
        complaint=complaint,
        rule_id="F2",
        decision="upheld",
        summary="超过指导价",
        decided_on=TODAY,
    )


def _public_change():
    # Made through the real path: a listing recorded by the credit service writes its public
    # change in the same transaction.
    from api.models import PublicChange
    from tests.factories.credit import make_listing
    from tests.factories.orgs import OrganizationFactory

    organization = OrganizationFactory()
    make_listing(organization, listed_on=TODAY)
    return PublicChange.objects.get(subject=organization.uscc, kind="listing.confirmed")


def _licence():
    # Issued through the real service: sealed, registered, current.
    from orgs.licensing.services import issue_licence
    from tests.factories.orgs import OrganizationFactory

    return issue_licence(OrganizationFactory(), reason="首次发放电子证照")


def _application_material():
    from tests.factories.licensing import establishment, publish_checklists, upload_all

    publish_checklists()
    return upload_all(establishment()).materials.first()


def _benefit_document():
    from tests.factories.benefits import sea_subsidy, standalone, upload_all

    return upload_all(standalone(sea_subsidy())).documents.first()


def _waiver_refund():
    from marketplace.benefits.models import WaiverRefund
    from payments.models import Refund
    from tests.factories.benefits import sea_subsidy, standalone
    from tests.factories.payments import make_intent

    refund = Refund.objects.create(
        intent=make_intent("100.00"), amount=Decimal("40.00"), reason="惠民殡葬减免退款"
    )
    return WaiverRefund.objects.create(application=standalone(sea_subsidy()), refund=refund)


BUILDERS = {
    "benefits.ApplicationDocument": _benefit_document,
    "benefits.WaiverRefund": _waiver_refund,
    "feedback.Review": _review,
    "feedback.ReviewReport": _review_report,
    "feedback.ReviewReply": _review_reply,
    "feedback.ReviewReplyVersion": _review_reply_version,
    "feedback.ComplaintEvidence": _complaint_evidence,
    "feedback.ProviderCreditNote": _provider_credit_note,
    "search.ReindexRun": _reindex_run,
    "search.ReindexProgress": _reindex_progress,
    "registry.RegistryChange": _registry_change,
    "catalogue.PriceVersion": _price_version,
    "catalogue.GuidePrice": _guide_price,
    "catalogue.ProviderVerification": _provider_verification,
    "catalogue.ChainHeads": _chain_heads,
    "catalogue.ChainRehash": _chain_rehash,
    "core.SecurityEvent": _security_event,
    "core.VerifiableDocument": _document,
    "orders.OrderLine": _order_line,
    "orders.Contract": _contract,
    "orders.ChangeOrder": _change_order,
    "orders.Signature": _signature,
    "orders.OrderPayment": _order_payment,
    "orders.Certificate": _certificate,
    "credit.CreditRecord": _credit_record,
    "credit.Rating": _rating,
    "credit.ListEntry": _list_entry,
    "reports.ReportSubmission": _submission,
    "reports.ReviewDecision": _review_decision,
    "reports.ReportAttachment": _report_attachment,
    "payments.Transaction": _transaction,
    "payments.NotificationEvent": _notification,
    "charity.Donation": _donation,
    "charity.Expenditure": _expenditure,
    "charity.ProgressReport": _progress_report,
    "charity.ProgressReportAttachment": _progress_attachment,
    "charity.BasicInfoDisclosure": _basic_info,
    "api.PublicChange": _public_change,
    "licensing.Licence": _licence,
    "licensing.ApplicationMaterial": _application_material,
}


def saved_row(model):
    row = BUILDERS[model._meta.label]()
    assert isinstance(row, model) and row.pk is not None
    return type(row)._base_manager.get(pk=row.pk)


# --- Changing values ------------------------------------------------------------------------------


def _text_column(model):
    """A text column the model does not declare mutable."""
    for field in model._meta.concrete_fields:
        if (
            isinstance(field, (models.CharField, models.TextField))
            and not field.primary_key
            and not field.choices
            and field.attname not in model.mutable_columns
        ):
            return field
    for field in model._meta.concrete_fields:  # a model without text (a reply's header row)
        if isinstance(field, models.DateTimeField) and field.attname not in model.mutable_columns:
            return field
    raise AssertionError(f"{model._meta.label} has no plain text or time column")


def _other_text(field, value):
    if isinstance(field, models.DateTimeField):
        return value + datetime.timedelta(days=1)
    new = ("改" if not (value or "").startswith("改") else "更") + (value or "")[1:]
    return new[: field.max_length] if field.max_length else new


def _other_value(row, field):
    value = getattr(row, field.attname)
    if field.is_relation:
        others = field.related_model._base_manager.exclude(pk=value) if value is not None else None
        other = others.first() if others is not None else field.related_model._base_manager.first()
        return None if other is None else other.pk
    if field.choices:
        return next(choice for choice, _label in field.flatchoices if choice != value)
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, models.IntegerField):
        return (value or 0) + 1
    if isinstance(field, models.DateTimeField):
        return timezone.now() + datetime.timedelta(minutes=1)
    if isinstance(field, models.DateField):
        return (value or TODAY) + datetime.timedelta(days=1)
    if isinstance(field, (models.CharField, models.TextField)):
        return _other_text(field, value)
    raise AssertionError(f"no test value for {field!r}")


# --- The rule -------------------------------------------------------------------------------------


def test_every_append_only_model_has_a_builder():
    labels = {model._meta.label for model in append_only_models()}
    assert labels == set(BUILDERS)
    # The history the issue named is all on the one base.
    for label in ("payments.Transaction", "payments.NotificationEvent", "core.VerifiableDocument"):
        assert label in labels
    assert {"orders.Contract", "orders.ChangeOrder", "credit.ListEntry"} <= labels


def test_payments_has_no_error_type_of_its_own():
    import payments.models

    assert not hasattr(payments.models, "AppendOnlyError")
    assert (
        not hasattr(payments.models, "AppendOnlyModel") or payments.models.AppendOnlyModel is AppendOnlyModel
    )


@pytest.mark.parametrize("model", append_only_models(), ids=lambda model: model._meta.label)
def test_a_column_that_is_not_mutable_cannot_change(model):
    row = saved_row(model)
    field = _text_column(model)
    before = getattr(row, field.attname)
    setattr(row, field.attname, _other_text(field, before))
    with pytest.raises(model.append_only_error):
        row.save()
    with pytest.raises(model.append_only_error):
        row.save(update_fields=[field.name])
    assert getattr(model._base_manager.get(pk=row.pk), field.attname) == before


@pytest.mark.parametrize("model", append_only_models(), ids=lambda model: model._meta.label)
def test_a_row_cannot_be_deleted(model):
    row = saved_row(model)
    with pytest.raises(model.append_only_error):
        row.delete()
    assert model._base_manager.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", with_mutable_columns(), ids=lambda model: model._meta.label)
def test_the_declared_mutable_columns_can_change(model):
    row = saved_row(model)
    fields = {field.attname: field for field in model._meta.concrete_fields}
    assert set(model.mutable_columns) <= set(fields), "mutable_columns names attnames of the model"
    wanted = {}
    for attname in sorted(model.mutable_columns):
        value = _other_value(row, fields[attname])
        if value is not None:
            wanted[attname] = value
            setattr(row, attname, value)
    assert wanted
    row.save()
    stored = model._base_manager.get(pk=row.pk)
    assert {attname: getattr(stored, attname) for attname in wanted} == wanted


@pytest.mark.parametrize(
    "model",
    [model for model in append_only_models() if not model.mutable_columns],
    ids=lambda model: model._meta.label,
)
def test_a_row_without_mutable_columns_is_never_saved_again(model):
    row = saved_row(model)
    with pytest.raises(model.append_only_error):
        row.save()


def test_the_error_is_catchable_as_the_core_error_where_no_model_names_its_own():
    for model in append_only_models():
        if not issubclass(model.append_only_error, AppendOnlyError):
            assert model._meta.app_label == "reports"  # ImmutableRecord, caught by the report views


def test_price_history_refuses_bulk_updates_and_deletes_too():
    """F10: a queryset can't rewrite or remove price history or its published anchors."""
    from marketplace.catalogue.models import ChainHeads, PriceVersion

    saved_row(PriceVersion)
    _chain_heads()
    for model in (PriceVersion, ChainHeads):
        with pytest.raises(AppendOnlyError):
            model.objects.update(pk=0)
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()
    assert PriceVersion.objects.count() >= 1


def test_revoke_marks_the_document_revoked_and_changes_nothing_else():
    from core.verification import revoke

    document = _document()
    before = {
        field.attname: getattr(document, field.attname) for field in VerifiableDocument._meta.concrete_fields
    }
    revoke(document, "订单已取消：" + "家属改期" * 100)
    stored = VerifiableDocument.objects.get(pk=document.pk)
    assert stored.status == VerifiableDocument.Status.REVOKED
    assert stored.status_reason.startswith("订单已取消：家属改期") and len(stored.status_reason) == 200
    after = {
        field.attname: getattr(stored, field.attname) for field in VerifiableDocument._meta.concrete_fields
    }
    assert {name for name in before if before[name] != after[name]} == {"status", "status_reason"}


def test_revoke_refuses_a_document_whose_other_columns_were_changed():
    from core.verification import revoke

    document = _document()
    document.title = "改过的标题"
    with pytest.raises(AppendOnlyError):
        revoke(document, "作废")
    stored = VerifiableDocument.objects.get(pk=document.pk)
    assert (stored.status, stored.title) == (VerifiableDocument.Status.VALID, "支付凭证")
