"""core/verification.py: what a holder, the public verification page and the bureau's auditor
rely on, one behaviour per test (the mutation run of docs/testing.md, "Mutation score").

The documents are issued through ``issue_document`` and sealed with the platform's real seal;
a stored file is altered or removed the way someone with write access to the file store could.
"""

import datetime
import logging
import re
from io import BytesIO

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.utils import timezone
from django.utils.translation import gettext_lazy
from pyhanko.pdf_utils.reader import PdfFileReader

from core import pdf as platform_pdf
from core import sealing, verification
from core.models import EarlyWarning, SecurityEvent, VerifiableDocument
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

CODE = re.compile(
    r"^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$"
)


def render(code, url):
    buffer = BytesIO()
    canvas = platform_pdf.canvas(buffer)
    canvas.setFont(platform_pdf.cjk_font_name(), 14)
    canvas.drawString(72, 760, "火化证明 逝者：王丽")
    canvas.drawString(72, 740, f"核验码 {code} {url}")
    canvas.save()
    return buffer.getvalue()


def issue(source=None, **overrides):
    arguments = {
        "source": source or UserFactory(),
        "kind": VerifiableDocument.Kind.CREMATION_CERTIFICATE,
        "title": "火化证明",
        "issuer_name": "示例殡仪馆",
        "holder_name": "王丽",
        "render": render,
        "reason": "火化证明",
    }
    arguments.update(overrides)
    return verification.issue_document(**arguments)


def stored(document):
    with document.file.open("rb") as handle:
        return handle.read()


def alter(document, at=0):
    """Change one byte of the stored file (``at`` bytes after the middle)."""
    data = bytearray(stored(document))
    data[len(data) // 2 + at] ^= 0x01
    with document.file.storage.open(document.file.name, "wb") as handle:
        handle.write(bytes(data))
    return bytes(data)


def request_as(user=None, path="/verify/"):
    request = RequestFactory().get(path)
    request.user = user if user is not None else AnonymousUser()
    return request


# --- Codes, names and links ---------------------------------------------------------------------


def test_codes_are_four_groups_of_four_without_letters_read_as_digits():
    codes = {verification.new_code() for _ in range(40)}
    assert len(codes) == 40
    assert all(CODE.match(code) for code in codes), codes


def test_a_typed_code_reads_l_as_one_and_drops_spaces_and_dashes():
    assert verification.normalise_code(" abcd-efgh jkmn.pqrs ") == "ABCD-EFGH-JKMN-PQRS"
    assert verification.normalise_code("lLiIoO") == "1111-00"
    assert verification.normalise_code("ABCDE") == "ABCD-E"
    assert verification.normalise_code(None) == verification.normalise_code("") == ""


def test_an_empty_name_stays_empty_and_surrounding_spaces_are_ignored():
    assert verification.mask_name("") == verification.mask_name(None) == verification.mask_name("   ") == ""
    assert verification.mask_name(" 王丽 ") == "王*"
    assert verification.mask_name("司马相如") == "司**如"


def test_the_verification_link_is_absolute_for_a_request_and_a_path_otherwise():
    assert verification.verify_url("ABCD-EFGH-JKMN-PQRS") == "/verify/ABCD-EFGH-JKMN-PQRS/"
    request = RequestFactory().get("/", HTTP_HOST="mzj.example.cn")
    assert (
        verification.verify_url("ABCD-EFGH-JKMN-PQRS", request)
        == "http://mzj.example.cn/verify/ABCD-EFGH-JKMN-PQRS/"
    )


# --- Issuing ----------------------------------------------------------------------------------


def test_an_issued_document_is_registered_with_what_was_sealed():
    seen = []

    def recording_render(code, url):
        seen.append((code, url))
        return render(code, url)

    source = UserFactory()
    before = timezone.now()
    document = issue(
        source, render=recording_render, reason="火化证明出具", base_url="https://mzj.example.cn"
    )
    document.refresh_from_db()
    ((code, url),) = seen
    assert document.code == code and CODE.match(code)
    assert url == f"https://mzj.example.cn/verify/{code}/"
    data = stored(document)
    assert document.sha256 == sealing.sha256(data)
    assert document.file.name.endswith(f"{code}.pdf")
    assert before <= document.issued_at <= timezone.now()
    assert (document.kind, document.title, document.issuer_name, document.holder_name_masked) == (
        VerifiableDocument.Kind.CREMATION_CERTIFICATE,
        "火化证明",
        "示例殡仪馆",
        "王*",
    )
    assert document.content_type == ContentType.objects.get_for_model(source)
    assert document.object_id == str(source.pk)
    (seal,) = PdfFileReader(BytesIO(data)).embedded_signatures
    assert seal.sig_object["/Reason"] == "火化证明出具"
    assert sealing.verify_pdf(data).ok


def test_an_organisation_holder_is_shown_whole():
    document = issue(holder_name="北京市某某慈善基金会", holder_is_person=False)
    document.refresh_from_db()
    assert document.holder_name_masked == "北京市某某慈善基金会"


def test_documents_for_lists_only_that_records_documents():
    mine, theirs = UserFactory(), UserFactory()
    first, second = issue(mine), issue(mine)
    issue(theirs)
    assert set(verification.documents_for(mine)) == {first, second}
    assert verification.documents_for(UserFactory()).count() == 0


def test_revoking_records_the_reason_within_its_column():
    document = issue()
    verification.revoke(document, gettext_lazy("出具错误"))
    document.refresh_from_db()
    assert (document.status, document.status_reason) == (VerifiableDocument.Status.REVOKED, "出具错误")
    long_reason = "订单已取消：" + "很长的原因" * 60
    verification.revoke(issue(), long_reason)
    revoked = VerifiableDocument.objects.get(status_reason__startswith="订单已取消")
    assert revoked.status_reason == long_reason[:200]


# --- Uploads ----------------------------------------------------------------------------------


def test_an_upload_is_genuine_only_when_identical_and_validly_sealed():
    document = issue()
    data = stored(document)
    check = verification.check_upload(document, data)
    assert check.identical and check.seal.ok and check.genuine
    unsealed = render(document.code, "")
    check = verification.check_upload(document, unsealed)
    assert not check.identical and not check.seal.sealed and not check.genuine
    altered = bytearray(data)
    altered[len(altered) // 2] ^= 0x01
    check = verification.check_upload(document, bytes(altered))
    assert not check.identical and not check.genuine


# --- Stored files checked whenever served --------------------------------------------------------


def test_read_verified_returns_the_bytes_checked_or_says_what_is_wrong():
    document = issue()
    original = stored(document)
    assert verification.read_verified(document) == original == verification.open_verified(document)
    assert verification.stored_file_intact(document) is True
    altered = alter(document)
    with pytest.raises(verification.DocumentIntegrityError) as caught:
        verification.read_verified(document)
    error = caught.value
    assert (error.subject, error.missing, error.expected) == (document, False, document.sha256)
    assert error.actual == sealing.sha256(altered)
    assert (error.file_field, error.sha_field) == ("file", "sha256")
    assert str(error) == f"{document!r}: sha256 mismatch"
    assert verification.stored_file_intact(document) is False


def test_a_missing_file_is_reported_as_missing_not_altered():
    document = issue()
    document.file.storage.delete(document.file.name)
    with pytest.raises(verification.DocumentIntegrityError) as caught:
        verification.read_verified(document)
    error = caught.value
    assert (error.missing, error.expected, error.actual) == (True, document.sha256, "")
    assert str(error) == f"{document!r}: missing"
    assert verification.stored_file_intact(document) is False
    empty = VerifiableDocument(sha256=document.sha256)
    with pytest.raises(verification.DocumentIntegrityError) as caught:
        verification.read_verified(empty)
    assert caught.value.missing is True


def test_a_verified_download_is_named_after_the_document_and_is_a_pdf():
    document = issue()
    response = verification.serve_verified(request_as(), document)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f"{document.get_kind_display()}-{document.code}.pdf" in _filename(disposition)
    assert b"".join(response.streaming_content) == stored(document)
    inline = verification.serve_verified(request_as(), document, "合同.pdf", inline=True)
    assert inline["Content-Disposition"].startswith("inline") and "合同.pdf" in _filename(
        inline["Content-Disposition"]
    )
    legacy = verification.file_response(document)
    assert legacy["Content-Disposition"].startswith("attachment")
    assert f"{document.get_kind_display()}-{document.code}.pdf" in _filename(legacy["Content-Disposition"])
    assert legacy["Content-Type"] == "application/pdf"
    assert "合同.pdf" in _filename(verification.file_response(document, "合同.pdf")["Content-Disposition"])


def _filename(disposition):
    from urllib.parse import unquote

    return unquote(disposition)


def test_the_deprecated_download_still_refuses_altered_bytes():
    document = issue()
    alter(document)
    with pytest.raises(verification.DocumentIntegrityError):
        verification.file_response(document)


def test_an_altered_file_is_answered_409_with_the_registered_facts_and_recorded_once():
    document = issue()
    altered = alter(document)
    user = UserFactory()
    response = verification.serve_verified(request_as(user, "/orders/x/contract/sealed.pdf"), document)
    assert response.status_code == 409
    html = response.content.decode()
    assert "平台存档的文件与签发时登记的 SHA-256 不一致" in html
    assert document.code in html and document.sha256 in html and "示例殡仪馆" in html
    event = SecurityEvent.objects.get()
    assert event.kind == SecurityEvent.Kind.DOCUMENT_ALTERED
    assert event.summary == "存档文件与签发时记录的 SHA-256 不一致"
    assert (event.content_type, event.object_id) == (
        ContentType.objects.get_for_model(document),
        str(document.pk),
    )
    assert event.subject_label == str(document)[:200]
    assert event.path == "/orders/x/contract/sealed.pdf" and event.user_id_seen == str(user.pk)
    assert event.details == {
        "file_field": "file",
        "sha_field": "sha256",
        "expected_sha256": document.sha256,
        "actual_sha256": sealing.sha256(altered),
        "file_name": document.file.name,
        "code": document.code,
    }
    verification.serve_verified(request_as(), document)  # seen again: no new row
    assert SecurityEvent.objects.count() == 1
    assert EarlyWarning.objects.open().filter(kind=verification.INTEGRITY_WARNING_KIND).count() == 1
    alter(document, at=1)  # changed again: a new state of the file, a new row
    verification.serve_verified(request_as(), document)
    assert SecurityEvent.objects.count() == 2


def test_a_missing_file_is_recorded_as_missing_for_an_anonymous_request_with_a_long_path():
    document = issue()
    document.file.storage.delete(document.file.name)
    path = "/verify/" + "x" * 400
    response = verification.serve_verified(request_as(path=path), document)
    assert response.status_code == 409
    assert "平台存档的文件已缺失，无法核对" in response.content.decode()
    event = SecurityEvent.objects.get()
    assert event.kind == SecurityEvent.Kind.DOCUMENT_MISSING
    assert event.summary == "存档文件缺失，无法核对"
    assert event.path == path[:300] and event.user_id_seen == ""
    assert event.details["actual_sha256"] == "" and event.details["expected_sha256"] == document.sha256


def test_the_security_log_carries_the_event():
    document = issue()
    alter(document)
    user = UserFactory()
    logger = logging.getLogger("security")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        verification.serve_verified(request_as(user, "/verify/x/"), document)
    finally:
        logger.removeHandler(handler)
    (record,) = handler.records
    event = SecurityEvent.objects.get()
    assert record.levelno == logging.ERROR
    assert record.getMessage() == "stored document failed its integrity check"
    assert (record.event, record.security_event_id) == (SecurityEvent.Kind.DOCUMENT_ALTERED, event.pk)
    assert (record.subject_type, record.subject_id, record.subject) == (
        "verifiabledocument",
        str(document.pk),
        str(document),
    )
    assert (record.path, record.user_id) == ("/verify/x/", str(user.pk))
    assert (record.expected_sha256, record.code) == (document.sha256, document.code)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def test_recording_without_a_request_logs_no_path_and_no_user():
    document = issue()
    alter(document)
    with pytest.raises(verification.DocumentIntegrityError) as caught:
        verification.read_verified(document)
    logger = logging.getLogger("security")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        event = verification.record_integrity_failure(caught.value)
    finally:
        logger.removeHandler(handler)
    assert (event.path, event.user_id_seen) == ("", "")
    (record,) = handler.records
    assert (record.path, record.user_id) == ("", "")


def test_the_early_warning_names_the_day_found_the_deadline_and_the_page(settings):
    settings.DOCUMENT_INTEGRITY_WARNING_DAYS = 3
    document = issue()
    alter(document)
    verification.serve_verified(request_as(), document)
    event = SecurityEvent.objects.get()
    today = timezone.localdate()
    (spec,) = list(verification.integrity_warnings(today))
    found = timezone.localdate(event.occurred_at)
    assert spec.subject == document and spec.detail_key == "file"
    assert spec.subject_label == event.subject_label
    assert found.isoformat() in str(spec.reason)
    assert spec.deadline == found + datetime.timedelta(days=3)
    assert spec.link == f"/verify/{document.code}/"
    assert "从备份恢复" in str(spec.how_to_clear)


def test_one_warning_per_file_until_the_original_is_restored():
    document = issue()
    original = stored(document)
    alter(document)
    verification.serve_verified(request_as(), document)
    alter(document, at=1)
    verification.serve_verified(request_as(), document)  # a second state: still one warning
    assert len(list(verification.integrity_warnings(timezone.localdate()))) == 1
    with document.file.storage.open(document.file.name, "wb") as handle:
        handle.write(original)
    assert list(verification.integrity_warnings(timezone.localdate())) == []


def test_revoking_keeps_a_replacement_recorded_meanwhile():
    """Only the status columns are written: a replacement recorded through another copy of the
    row in the meantime is not overwritten by a stale copy being revoked."""
    document, replacement = issue(), issue()
    stale = VerifiableDocument.objects.get(pk=document.pk)
    current = VerifiableDocument.objects.get(pk=document.pk)
    current.superseded_by = replacement
    current.save()
    verification.revoke(stale, "出具错误")
    document.refresh_from_db()
    assert document.status == VerifiableDocument.Status.REVOKED
    assert document.superseded_by_id == replacement.pk


def test_documents_for_does_not_mix_records_of_different_kinds_with_the_same_id():
    from django.contrib.auth.models import Group

    from accounts.models import User

    same_id = (
        max(
            User.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
            Group.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        )
        + 1
    )
    user = UserFactory(pk=same_id)
    group = Group.objects.create(pk=same_id, name="同编号的另一类记录")
    users_document, groups_document = issue(user), issue(group)
    assert list(verification.documents_for(user)) == [users_document]
    assert list(verification.documents_for(group)) == [groups_document]


def test_another_records_file_is_recorded_under_its_own_name_cut_to_the_column():
    """Any record with a file and its hash (here a charity expenditure's voucher) is checked the
    same way; the security event names it, cut to the column, and it has no verification page."""
    from tests.factories.charity import ExpenditureFactory

    expenditure = ExpenditureFactory(purpose="助学" * 100)
    assert len(str(expenditure)) > 200
    response = verification.serve_verified(
        request_as(), expenditure, "支出凭证.pdf", file_field="document", sha_field="document_sha256"
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "平台存档的文件已缺失" in html and "签发时登记的 SHA-256" not in html  # no document facts
    event = SecurityEvent.objects.get()
    assert event.kind == SecurityEvent.Kind.DOCUMENT_MISSING
    assert event.subject_label == str(expenditure)[:200]
    assert event.details == {
        "file_field": "document",
        "sha_field": "document_sha256",
        "expected_sha256": expenditure.document_sha256,
        "actual_sha256": "",
        "file_name": "",
    }
    (spec,) = list(verification.integrity_warnings(timezone.localdate()))
    assert (spec.subject, spec.detail_key, spec.link) == (expenditure, "document", "")


def test_the_409_page_is_the_sites_page_for_that_visitor_with_its_breadcrumb(settings):
    document = issue()
    alter(document)
    request = RequestFactory().get("/orders/R1/contract/sealed.pdf?from=list")
    request.COOKIES[settings.LARGE_TEXT_COOKIE] = "1"
    request.user = AnonymousUser()
    html = verification.serve_verified(request, document).content.decode()
    assert 'class="large-text"' in html  # the visitor's own display setting
    assert 'value="/orders/R1/contract/sealed.pdf?from=list"' in html  # the language switch returns here
    assert '<li aria-current="page">文书核验</li>' in html


def test_a_download_named_without_an_extension_is_still_served_as_a_pdf():
    document = issue()
    assert verification.file_response(document, "合同")["Content-Type"] == "application/pdf"
    assert verification.serve_verified(request_as(), document, "合同")["Content-Type"] == "application/pdf"


def test_each_record_whose_file_is_missing_gets_its_own_event():
    """One event per record and state of its file: two documents whose files are both missing
    (the same "actual" state, no bytes) are two events, and so are a document and a record of
    another kind that happen to share its id."""
    from django.core.files.base import ContentFile

    from orgs.charity.models import ProgressReportAttachment
    from tests.factories.charity import ProgressReportFactory

    first, second = issue(), issue()
    attachment = ProgressReportAttachment(pk=first.pk, report=ProgressReportFactory(), name="进展报告.pdf")
    attachment.file = ContentFile(render("", ""), name="进展报告.pdf")
    attachment.save()
    for record in (first, second, attachment):
        record.file.storage.delete(record.file.name)
        assert verification.serve_verified(request_as(), record).status_code == 409
    events = SecurityEvent.objects.filter(kind=SecurityEvent.Kind.DOCUMENT_MISSING)
    assert sorted((event.content_type.model, event.object_id) for event in events) == sorted(
        [
            ("verifiabledocument", str(first.pk)),
            ("verifiabledocument", str(second.pk)),
            ("progressreportattachment", str(first.pk)),
        ]
    )


def test_an_integrity_error_about_a_document_names_its_file_and_hash_columns_by_default():
    document = issue()
    error = verification.DocumentIntegrityError(document, missing=True, expected=document.sha256)
    assert (error.file_field, error.sha_field, error.actual) == ("file", "sha256", "")
    event = verification.record_integrity_failure(error)
    assert (event.details["file_field"], event.details["sha_field"]) == ("file", "sha256")
    assert event.details["file_name"] == document.file.name
