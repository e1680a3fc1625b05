"""Files organisations and bureau staff upload are checked against their hash when served.

Credit-record attachments, objection evidence and the charity disclosure files (spending
vouchers, progress-report attachments, C1 articles) record a SHA-256 when saved; every
download re-hashes the stored bytes and refuses altered ones (409, a SecurityEvent and an
early warning), the same way sealed documents are checked (test_trust_documents.py). The
charity files no longer live in public media, and their model fields check content."""

import datetime
import hashlib
import importlib
import uuid
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import EarlyWarning, SecurityEvent
from core.storage import private_storage
from core.verification import INTEGRITY_WARNING_KIND
from orgs.charity.models import BasicInfoDisclosure, Expenditure, ProgressReport, ProgressReportAttachment
from orgs.credit import services as credit
from orgs.credit.models import Category, CreditRecord
from tests.factories.accounts import UserFactory
from tests.factories.charity import CharityProjectFactory, ProgressReportFactory
from tests.factories.credit import at, evidence, make_record, officer
from tests.factories.orgs import MembershipFactory, OrganizationFactory, pdf_bytes


def days_ago(days):
    """A date relative to today (Asia/Shanghai), so no test ages with the calendar."""
    return timezone.localdate() - datetime.timedelta(days=days)


pytestmark = pytest.mark.django_db

HTML_AS_PDF = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
# The smallest PNG: an 8-byte signature and the IHDR/IDAT/IEND chunks of a 1x1 pixel.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def flip_one_byte(field_file):
    """What someone with write access to the file store could do."""
    path = Path(field_file.path)
    altered = bytearray(path.read_bytes())
    altered[len(altered) // 2] ^= 0x01
    path.write_bytes(bytes(altered))


def body(response):
    return b"".join(response.streaming_content)


def assert_refused(response, subject):
    """The altered file is not served: a translated page, a security event, an early warning."""
    assert response.status_code == 409
    assert not getattr(response, "streaming", False)
    page = response.content.decode()
    assert "本文件与上传时不一致" in page and "可能已被改动" in page
    events = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.DOCUMENT_ALTERED,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
    )
    assert events.count() == 1
    assert events.get().details["expected_sha256"] != events.get().details["actual_sha256"]
    assert (
        EarlyWarning.objects.open()
        .filter(
            kind=INTEGRITY_WARNING_KIND,
            content_type=ContentType.objects.get_for_model(subject),
            object_id=str(subject.pk),
        )
        .exists()
    )


# --- Credit: private files ----------------------------------------------------------------------


def record_with_attachment(data):
    return credit.record_credit(
        OrganizationFactory(),
        category=Category.PENALTY,
        decided_on=days_ago(40),
        summary="违反登记管理规定，予以警告",
        authority="北京市民政局",
        document_number="京民罚〔2026〕7号",
        attachment=SimpleUploadedFile("处罚决定书.pdf", data),
        user=UserFactory(),
        now=at(days_ago(39)),
    )


def test_altered_credit_record_attachment_is_refused():
    data = pdf_bytes("行政处罚决定书")
    record = record_with_attachment(data)
    assert record.attachment_sha256 == sha256(data)
    bureau = Client()
    bureau.force_login(officer())
    url = reverse("credit_records:attachment", args=[record.pk])
    assert url in bureau.get(reverse("credit_records:inspect", args=[record.pk])).content.decode()

    genuine = bureau.get(url)
    assert genuine.status_code == 200 and body(genuine) == data
    assert genuine["Content-Type"] == "application/pdf"
    assert genuine["Content-Disposition"].startswith("attachment;")
    assert genuine["X-Content-Type-Options"] == "nosniff" and "no-store" in genuine["Cache-Control"]

    flip_one_byte(record.attachment)
    assert_refused(bureau.get(url), record)
    assert Client().get(url).status_code == 302  # the bureau's admin only


def test_altered_objection_evidence_is_refused_in_the_workbench_and_the_admin():
    member = MembershipFactory()
    data = pdf_bytes("证明材料")
    objection = credit.file_objection(
        make_record(member.organization),
        user=member.user,
        grounds="结论有误",
        evidence=SimpleUploadedFile("理事会纪要.pdf", data),
    )
    assert objection.evidence_sha256 == sha256(data)
    client = Client()
    client.force_login(member.user)
    url = reverse("credit_workbench:evidence", args=[member.organization.uscc, objection.pk])
    genuine = client.get(url)
    assert genuine.status_code == 200 and body(genuine) == data
    assert genuine["Content-Type"] == "application/pdf"
    assert (
        genuine["Content-Disposition"].startswith("attachment;")
        and "filename" in genuine["Content-Disposition"]
    )

    flip_one_byte(objection.evidence)
    assert_refused(client.get(url), objection)
    bureau = Client()
    bureau.force_login(officer())
    assert bureau.get(reverse("credit_objections:evidence", args=[objection.pk])).status_code == 409


def test_another_organisations_evidence_answers_404_even_when_altered():
    mine, theirs = MembershipFactory(), MembershipFactory()
    objection = credit.file_objection(
        make_record(theirs.organization), user=theirs.user, grounds="g", evidence=evidence()
    )
    flip_one_byte(objection.evidence)
    client = Client()
    client.force_login(mine.user)
    for uscc in (mine.organization.uscc, theirs.organization.uscc):
        assert client.get(reverse("credit_workbench:evidence", args=[uscc, objection.pk])).status_code == 404
    assert not SecurityEvent.objects.exists()  # nothing was read for someone who may not see it


# --- Charity: public files, served only through the check ---------------------------------------


def make_voucher(data, name="凭证.pdf"):
    project = CharityProjectFactory()
    expenditure = Expenditure(
        project=project,
        amount="300.00",
        purpose="购买助学物资",
        spent_on=days_ago(90).isoformat(),
        beneficiary_count=3,
    )
    expenditure.document = ContentFile(data, name=name)
    expenditure.save()
    return expenditure, "document", reverse("charity:voucher", args=[expenditure.pk]), project


def make_report_attachment(data, name="供餐照片.png"):
    report = ProgressReportFactory()
    attachment = ProgressReportAttachment(report=report, name=name)
    attachment.file = ContentFile(data, name=name)
    attachment.save()
    return attachment, "file", reverse("charity:report_attachment", args=[attachment.pk]), report.project


def make_articles(data, name="章程.pdf"):
    project = CharityProjectFactory()
    disclosure = BasicInfoDisclosure(
        organization=project.organization,
        changed_on=days_ago(120).isoformat(),
        published_on=days_ago(117).isoformat(),
        summary="首次公开。",
        governing_body="示例甲 理事长",
    )
    disclosure.articles = ContentFile(data, name=name)
    disclosure.save()
    return disclosure, "articles", reverse("charity:articles", args=[disclosure.pk]), project


CHARITY_FILES = {
    "voucher": (make_voucher, "document_sha256", "application/pdf", lambda: pdf_bytes("支出凭证")),
    "report_attachment": (make_report_attachment, "sha256", "image/png", lambda: PNG),
    "articles": (make_articles, "articles_sha256", "application/pdf", lambda: pdf_bytes("章程")),
}


@pytest.mark.parametrize("kind", sorted(CHARITY_FILES))
def test_altered_charity_file_is_refused(kind):
    make, sha_field, content_type, content = CHARITY_FILES[kind]
    data = content()
    subject, file_field, url, project = make(data)
    assert getattr(subject, sha_field) == sha256(data)
    field_file = getattr(subject, file_field)
    # Stored privately: the web server can't hand it out from MEDIA_ROOT any more.
    assert Path(field_file.path).is_relative_to(Path(private_storage().location))
    assert not default_storage.exists(field_file.name)
    # The public pages link to the checking view.
    pages = [
        reverse("charity:project", args=[project.pk]),
        reverse("registry:detail", args=[project.organization.uscc]),
    ]
    assert any(url in Client().get(page).content.decode() for page in pages)

    anonymous = Client()
    genuine = anonymous.get(url)
    assert genuine.status_code == 200 and body(genuine) == data
    assert genuine["Content-Type"] == content_type
    assert genuine["Content-Disposition"].startswith("inline;")
    assert genuine["X-Content-Type-Options"] == "nosniff" and "no-cache" in genuine["Cache-Control"]

    flip_one_byte(field_file)
    assert_refused(anonymous.get(url), subject)
    english = anonymous.get("/en" + url).content.decode()
    assert "This file no longer matches what was uploaded" in english


def test_corrected_charity_files_are_not_public_and_old_media_links_redirect():
    expenditure, _field, url, project = make_voucher(pdf_bytes("旧凭证"))
    old_media = "/charity/media/" + expenditure.document.name.removeprefix("charity/")
    assert Client().get(old_media).status_code == 301
    assert Client().get(old_media)["Location"] == url
    Expenditure.objects.create(
        project=project,
        amount="30.00",
        purpose="更正金额",
        spent_on=days_ago(90).isoformat(),
        corrects=expenditure,
    )
    assert Client().get(url).status_code == 404  # the project page no longer shows it
    attachment, _field, url, _project = make_report_attachment(PNG)
    ProgressReportFactory(project=attachment.report.project, corrects=attachment.report)
    assert Client().get(url).status_code == 404


# --- Content checks on the model fields ---------------------------------------------------------


def test_html_renamed_pdf_is_refused_through_the_wagtail_admin():
    project = CharityProjectFactory()
    admin = Client()
    admin.force_login(UserFactory(is_superuser=True, is_staff=True))
    data = {
        "project": project.pk,
        "amount": "120.00",
        "purpose": "购买药品",
        "beneficiary_count": "2",
        "spent_on": days_ago(90).isoformat(),
    }
    url = reverse("charity_expenditures:add")
    response = admin.post(url, {**data, "document": SimpleUploadedFile("凭证.pdf", HTML_AS_PDF)})
    assert response.status_code == 200 and not Expenditure.objects.exists()
    assert "内容不是有效的 PDF" in response.content.decode()
    response = admin.post(url, {**data, "document": SimpleUploadedFile("凭证.pdf", pdf_bytes("凭证"))})
    assert response.status_code == 302 and Expenditure.objects.get().document_sha256


def test_html_renamed_pdf_is_refused_as_a_credit_record_attachment():
    organization = OrganizationFactory()
    bureau = Client()
    bureau.force_login(officer())
    data = {
        "organization": organization.pk,
        "category": "penalty",
        "decided_on": days_ago(60).isoformat(),
        "summary": "警告",
        "authority": "北京市民政局",
        "document_number": "京民罚〔2026〕3号",
        "fine_amount": "",
        "correction_reason": "",
    }
    url = reverse("credit_records:add")
    response = bureau.post(url, {**data, "attachment": SimpleUploadedFile("决定书.pdf", HTML_AS_PDF)})
    assert response.status_code == 200 and not CreditRecord.objects.exists()
    assert "内容不是有效的 PDF" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        record_with_attachment(HTML_AS_PDF)
    assert "内容不是有效的 PDF" in " ".join(refused.value.message_dict["attachment"])


def test_full_clean_checks_content_and_size(settings):
    project = CharityProjectFactory()
    disclosure = BasicInfoDisclosure(
        organization=project.organization,
        changed_on=days_ago(120).isoformat(),
        published_on=days_ago(117).isoformat(),
        summary="首次公开。",
        governing_body="示例甲 理事长",
        articles=ContentFile(HTML_AS_PDF, name="章程.pdf"),
    )
    with pytest.raises(ValidationError) as refused:
        disclosure.full_clean()
    assert "内容不是有效的 PDF" in " ".join(refused.value.message_dict["articles"])
    attachment = ProgressReportAttachment(
        report=ProgressReportFactory(project=project),
        name="照片.png",
        file=ContentFile(HTML_AS_PDF, name="照片.png"),
    )
    with pytest.raises(ValidationError) as refused:
        attachment.full_clean()
    assert "文件内容须与扩展名一致" in " ".join(refused.value.message_dict["file"])
    settings.CHARITY_ATTACHMENT_MAX_BYTES = 1024
    expenditure = Expenditure(
        project=project,
        amount="1.00",
        purpose="p",
        spent_on=days_ago(90).isoformat(),
        document=ContentFile(pdf_bytes("凭证") + b" " * 1024, name="凭证.pdf"),
    )
    with pytest.raises(ValidationError) as refused:
        expenditure.full_clean()
    assert "上限" in " ".join(refused.value.message_dict["document"])


# --- Data migrations --------------------------------------------------------------------------


def test_charity_migration_moves_public_files_to_private_storage_and_hashes_them():
    migration = importlib.import_module("orgs.charity.migrations.0006_private_hashed_disclosure_files")
    data = pdf_bytes("迁移前的凭证")
    # A name of its own: a file that an earlier test session left under the same name (the
    # file roots outlive a session when mutmut forks sessions from one process) would be the
    # one the migration finds in private storage.
    name = default_storage.save(
        f"charity/expenditures/迁移前的凭证-{uuid.uuid4().hex[:12]}.pdf", ContentFile(data)
    )
    expenditure = Expenditure.objects.create(
        project=CharityProjectFactory(), amount="10.00", purpose="迁移前", spent_on=days_ago(90).isoformat()
    )
    Expenditure._base_manager.filter(pk=expenditure.pk).update(document=name, document_sha256="")

    migration.move_and_hash(django_apps, None)

    expenditure.refresh_from_db()
    assert expenditure.document_sha256 == sha256(data)
    assert not default_storage.exists(name) and private_storage().exists(name)
    response = Client().get(reverse("charity:voucher", args=[expenditure.pk]))
    assert response.status_code == 200 and body(response) == data


def test_credit_migration_hashes_existing_files():
    migration = importlib.import_module("orgs.credit.migrations.0002_stored_file_hashes")
    data = pdf_bytes("迁移前的决定书")
    record = record_with_attachment(data)
    CreditRecord._base_manager.filter(pk=record.pk).update(attachment_sha256="")

    migration.hash_existing_files(django_apps, None)

    record.refresh_from_db()
    assert record.attachment_sha256 == sha256(data)


def test_new_upload_is_hashed_even_where_no_form_ran():
    """A report published through the service checks each attachment and records its hash."""
    from orgs.charity import services

    project = CharityProjectFactory()

    def report():
        return ProgressReport(
            project=project,
            period_start=days_ago(120).isoformat(),
            period_end=days_ago(31).isoformat(),
            published_on=days_ago(30).isoformat(),
            text="本期按计划执行。",
        )

    with pytest.raises(ValidationError):
        services.publish(
            report(), user=UserFactory(), attachments=[SimpleUploadedFile("票据.pdf", HTML_AS_PDF)]
        )
    assert not ProgressReport.objects.exists()
    published = services.publish(
        report(), user=UserFactory(), attachments=[SimpleUploadedFile("票据.png", PNG)]
    )
    assert published.attachments.get().sha256 == sha256(PNG)


# --- Annual-report attachments ------------------------------------------------------------------


def test_altered_annual_report_attachment_is_refused_in_the_workbench_and_the_admin(settings, tmp_path):
    """The attachment was named by its SHA-256 but served unchecked; now both downloads re-hash."""
    from orgs.reports.models import ReportAttachment
    from tests.factories.orgs import MembershipFactory, OrganizationFactory, submitted_report

    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    member = MembershipFactory(organization=OrganizationFactory())
    report, _ = submitted_report(member.organization)
    attachment = report.attachments.get()
    workbench = f"/workbench/reports/{member.organization.uscc}/{report.year}/attachments/{attachment.pk}/"
    client = Client()
    client.force_login(member.user)
    genuine = client.get(workbench)
    assert genuine.status_code == 200 and body(genuine).startswith(b"%PDF-")
    assert (
        genuine["Content-Disposition"].startswith("attachment")
        and genuine["X-Content-Type-Options"] == "nosniff"
    )

    path = attachment.file.path
    with open(path, "r+b") as handle:
        handle.seek(20)
        byte = handle.read(1)
        handle.seek(20)
        handle.write(bytes([byte[0] ^ 0x01]))
    assert_refused(client.get(workbench), attachment)
    staff = Client()
    staff.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = staff.get(f"/admin/reports/review/attachment/{attachment.pk}/")
    assert response.status_code == 409
    assert ReportAttachment.objects.filter(pk=attachment.pk).exists()
