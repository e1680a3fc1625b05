"""S9 on the web: the applicant's pages in the workbench, the bureau's review in the admin, the
SMS at each step and the public progress lookup; one applicant never reaches another's
application, and the review needs the bureau's permission."""

import datetime
import hashlib
import io
import json
import zipfile

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from accounts import sms
from accounts.groups import FUNERAL_SECTION, SOCIAL_ORG_SECTION
from orgs.licensing import registration
from orgs.licensing.models import ApplicationStatus, RegistrationApplication
from orgs.licensing.services import current_licence
from orgs.registry.models import District, MemberRole, Membership, OrgType, ServiceField
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.licensing import (
    change,
    establishment,
    publish_checklists,
    ready,
    verified_person,
)
from tests.factories.orgs import OrganizationFactory, pdf_bytes, upload

pytestmark = pytest.mark.django_db
A = ApplicationStatus


@pytest.fixture(autouse=True)
def checklists(settings):
    settings.SMS_BACKEND = "accounts.sms.backends.LocmemSmsBackend"
    sms.outbox.clear()
    publish_checklists()


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


@pytest.fixture
def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    return user


ESTABLISHMENT = {
    "org_type": OrgType.SOCIAL_SERVICE,
    "proposed_name": "北京市海淀区晚晴社区服务中心",
    "domicile": "北京市海淀区学院路1号",
    "district": District.HAIDIAN,
    "legal_representative": "王芳",
    "business_scope": "社区养老服务",
    "service_field": ServiceField.ELDERLY,
    "registered_capital": "50000",
    "legal_representative_mobile": "13812340011",
    "founders_text": "王芳 13812340011\n李明 13812340012",
}


def test_s9_an_applicant_starts_uploads_and_submits_online(django_capture_on_commit_callbacks):
    person = verified_person()
    client = login(person)
    page = client.get("/workbench/registration/")
    assert page.status_code == 200 and "申请成立登记" in page.content.decode()
    response = client.post("/workbench/registration/new/establish/", ESTABLISHMENT)
    application = RegistrationApplication.objects.get(applicant=person)
    assert response.status_code == 302 and response["Location"].endswith(f"/{application.number}/")
    assert application.founders == [
        {"name": "王芳", "mobile": "13812340011"},
        {"name": "李明", "mobile": "13812340012"},
    ]
    detail = client.get(f"/workbench/registration/{application.number}/").content.decode()
    assert 'data-check="materials" data-passed="0"' in detail
    assert "成立登记申请书" in detail
    # Submitting with materials missing is refused, naming them.
    refused = client.post(
        f"/workbench/registration/{application.number}/submit/", follow=True
    ).content.decode()
    assert "住所使用证明" in refused
    assert RegistrationApplication.objects.get(pk=application.pk).status == A.DRAFT
    # A fake PDF is refused by its content.
    client.post(
        f"/workbench/registration/{application.number}/materials/",
        {"item": "章程草案", "file": upload("章程.pdf", b"MZ not a pdf")},
    )
    assert not application.materials.exists()
    for item in ("成立登记申请书", "章程草案", "住所使用证明"):
        client.post(
            f"/workbench/registration/{application.number}/materials/",
            {"item": item, "file": upload(f"{item}.pdf", pdf_bytes(item))},
        )
    assert application.materials.filter(current=True).count() == 3
    # Without the consents, submission is still refused, naming who has to confirm.
    refused = client.post(
        f"/workbench/registration/{application.number}/submit/", follow=True
    ).content.decode()
    assert "李明" in refused and RegistrationApplication.objects.get(pk=application.pk).status == A.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/workbench/registration/{application.number}/consents/")
    links = [m for m in sms.outbox if "/orgs/registration/consent/" in m.text]
    assert {m.mobile for m in links} == {"13812340011", "13812340012"}
    for message in links:
        path = "/orgs/registration/consent/" + message.text.split("/orgs/registration/consent/")[1].strip()
        visitor = Client()
        page = visitor.get(path).content.decode()
        assert application.proposed_name in page
        visitor.post(path, {"action": "send", "full_name": ""})
        code = sms.outbox[-1].text.split("验证码 ")[1][:6]
        consent = application.consents.get(token=path.rstrip("/").rsplit("/", 1)[1])
        signed = visitor.post(
            path, {"action": "sign", "full_name": consent.name, "agree": "on", "code": code}
        )
        assert "data-consent-signed" in signed.content.decode()
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/workbench/registration/{application.number}/submit/")
    application.refresh_from_db()
    assert application.status == A.SUBMITTED
    [message] = sms.outbox
    assert message.mobile == person.mobile and application.number in message.text
    assert application.formal_check_due.isoformat() in message.text


def test_s9_the_live_precheck_answers_what_the_form_holds():
    client = login(verified_person())
    OrganizationFactory(name="北京市海淀区晚晴社区服务中心")
    response = client.post("/workbench/registration/prechecks/establish/", ESTABLISHMENT)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-check="name_free" data-passed="0"' in html
    assert 'data-check="capital" data-passed="1"' in html
    low = client.post(
        "/workbench/registration/prechecks/establish/", {**ESTABLISHMENT, "registered_capital": "100"}
    )
    assert 'data-check="capital" data-passed="0"' in low.content.decode()
    assert not RegistrationApplication.objects.exists()  # checking saves nothing


def test_s9_an_unverified_account_is_told_to_verify_first():
    client = login(UserFactory())
    response = client.get("/workbench/registration/new/establish/")
    assert response.status_code == 403
    assert "实名认证" in response.content.decode()


def test_s9_another_applicant_never_reaches_an_application():
    application = ready(establishment())
    material = application.materials.first()
    client = login(verified_person())
    base = f"/workbench/registration/{application.number}/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}edit/").status_code == 404
    assert client.get(f"{base}materials/{material.pk}/").status_code == 404
    assert client.post(f"{base}submit/").status_code == 404
    assert client.post(f"{base}withdraw/").status_code == 404
    assert (
        client.post(
            "/workbench/registration/prechecks/establish/", {"number": application.number}
        ).status_code
        == 404
    )
    assert RegistrationApplication.objects.get(pk=application.pk).status == A.DRAFT


def test_s9_only_an_organisations_admin_starts_its_change():
    organization = OrganizationFactory()
    client = login(verified_person())
    assert client.get(f"/workbench/registration/new/change/?org={organization.uscc}").status_code == 404
    assert client.get(f"/workbench/registration/new/deregister/?org={organization.uscc}").status_code == 404


def test_s9_the_applicant_downloads_their_material_checked_against_its_hash():
    application = ready(establishment())
    material = application.materials.first()
    response = login(application.applicant).get(
        f"/workbench/registration/{application.number}/materials/{material.pk}/"
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_s9_a_draft_is_the_applicants_own_until_submitted_not_in_the_bureaus_queue(officer):
    draft = ready(establishment())
    client = login(officer)
    for view in ("", "?view=all", "?view=closed", "?state=draft"):
        assert draft.number not in client.get(f"/admin/registration-applications/{view}").content.decode()
    assert client.get(f"/admin/registration-applications/edit/{draft.pk}/").status_code == 404
    registration.submit(draft, user=draft.applicant)
    assert draft.number in client.get("/admin/registration-applications/?view=all").content.decode()


def test_s9_the_bureau_returns_once_then_accepts_and_approves_in_the_admin(
    officer, django_capture_on_commit_callbacks
):
    application = ready(establishment())
    registration.submit(application, user=application.applicant)
    client = login(officer)
    url = f"/admin/registration-applications/edit/{application.pk}/"
    page = client.get(url).content.decode()
    assert application.number in page and 'data-check="name_free" data-passed="1"' in page
    listing = client.get("/admin/registration-applications/").content.decode()
    assert application.number in listing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"decision": "return", "missing": ["章程草案"], "other": "理事名单"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.RETURNED and application.returned_items == ["章程草案", "理事名单"]
    assert "章程草案、理事名单" in sms.outbox[-1].text
    registration.submit(application, user=application.applicant)
    # The return is used up: only acceptance remains.
    again = client.post(url, {"decision": "return", "other": "再补一项"})
    assert again.status_code == 400 and "一次" in again.content.decode()
    assert client.post(url, {"decision": "accept"}).status_code == 302
    refused = client.post(url, {"decision": "refuse", "reason": "理由"})
    assert refused.status_code == 400  # the legal basis is required
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"decision": "approve", "reason": "符合条件"}).status_code == 302
    application.refresh_from_db()
    assert application.status == A.APPROVED
    assert current_licence(application.organization) is not None
    assert "准予登记" in sms.outbox[-1].text


def test_s9_the_review_needs_the_bureaus_permission():
    application = ready(establishment())
    registration.submit(application, user=application.applicant)
    editor = UserFactory(is_staff=True)
    editor.groups.add(Group.objects.get(name=FUNERAL_SECTION))  # in the admin, another section
    client = login(editor)
    url = f"/admin/registration-applications/edit/{application.pk}/"
    assert client.get("/admin/").status_code == 200
    material = application.materials.first()
    # Wagtail answers a refused admin request with a redirect to the dashboard and a message.
    for response in (
        client.get(url),
        client.post(url, {"decision": "accept"}),
        client.get(f"/admin/registration-applications/material/{material.pk}/"),
    ):
        assert response.status_code == 302 and response["Location"] == "/admin/"
    application.refresh_from_db()
    assert application.status == A.SUBMITTED


def test_s9_progress_lookup_page_shows_the_step_and_date_only():
    application = ready(establishment(legal_representative="保密人"))
    registration.submit(application, user=application.applicant)
    page = Client().get("/orgs/registration/progress/", {"number": application.number}).content.decode()
    assert 'data-status="submitted"' in page and timezone.localdate().isoformat() in page
    assert application.proposed_name not in page and "保密人" not in page
    missing = Client().get("/orgs/registration/progress/", {"number": "DJ202001010001"}).content.decode()
    assert "没有找到" in missing
    english = Client().get("/en/orgs/registration/progress/", {"number": application.number}).content.decode()
    assert "Establishment" in english or 'data-status="submitted"' in english


def test_s9_a_change_applied_online_updates_the_registry(officer):
    organization = OrganizationFactory(org_type=OrgType.SOCIAL_GROUP, domicile="北京市朝阳区旧址1号")
    application = ready(change(organization, domicile="北京市朝阳区新址8号"))
    registration.submit(application, user=application.applicant)
    client = login(officer)
    url = f"/admin/registration-applications/edit/{application.pk}/"
    client.post(url, {"decision": "accept"})
    client.post(url, {"decision": "approve"})
    organization.refresh_from_db()
    assert organization.domicile == "北京市朝阳区新址8号"
    assert application.number in current_licence(organization).reason


def test_s9_deadline_dates_in_the_sms_are_working_days(settings, django_capture_on_commit_callbacks):
    settings.S9_FORMAL_CHECK_WORKING_DAYS = 1
    application = ready(establishment())
    friday = timezone.localdate() + datetime.timedelta(days=(4 - timezone.localdate().weekday()) % 7 + 7)
    from orgs.reports.models import CalendarDay

    weekend = [friday + datetime.timedelta(days=n) for n in (1, 2, 3)]
    CalendarDay.objects.filter(date__in=weekend).delete()  # a plain weekend and Monday
    with django_capture_on_commit_callbacks(execute=True):
        registration.submit(application, user=application.applicant, today=friday)
    assert weekend[2].isoformat() in sms.outbox[-1].text


# --- The e-archive -------------------------------------------------------------------------------


def _zip(response):
    return zipfile.ZipFile(io.BytesIO(response.content))


def test_s9_the_e_archive_manifest_matches_its_files(officer):
    application = ready(establishment())
    registration.submit(application, user=application.applicant)
    registration.accept(application, user=officer)
    organization = registration.approve(application, user=officer).organization
    response = login(application.applicant).get(f"/workbench/licences/{organization.uscc}/archive/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = _zip(response)
    manifest = json.loads(archive.read("manifest.json"))
    paths = {row["path"] for row in manifest}
    assert set(archive.namelist()) == paths | {"manifest.json", "SHA256SUMS", "README.txt"}
    for row in manifest:
        data = archive.read(row["path"])
        assert hashlib.sha256(data).hexdigest() == row["sha256"] and len(data) == row["bytes"]
    sums = archive.read("SHA256SUMS").decode()
    assert all(f"{row['sha256']}  {row['path']}" in sums for row in manifest)
    record = json.loads(archive.read(f"applications/{application.number}/application.json"))
    assert [step["to"] for step in record["audit_trail"]] == ["submitted", "in_review", "approved"]
    assert sum(1 for path in paths if "/materials/" in path) == 3
    assert any(path.startswith("licences/v1-") for path in paths)
    # The bureau reads the same archive in the admin.
    assert login(officer).get(f"/admin/licences/archive/{organization.uscc}/").status_code == 200


def test_s9_the_e_archive_is_the_admins_only_and_refuses_an_altered_file(officer):
    application = ready(establishment())
    registration.submit(application, user=application.applicant)
    registration.accept(application, user=officer)
    organization = registration.approve(application, user=officer).organization
    filer = UserFactory()
    Membership.objects.create(user=filer, organization=organization, role=MemberRole.FILER)
    url = f"/workbench/licences/{organization.uscc}/archive/"
    assert login(filer).get(url).status_code == 403
    assert login(verified_person()).get(url).status_code == 404
    material = application.materials.first()
    with material.file.open("wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    response = login(application.applicant).get(url)
    assert response.status_code == 409
