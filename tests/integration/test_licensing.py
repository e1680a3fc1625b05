"""Electronic licences (电子证照, S9): one current sealed licence per registration state, issued
again on every change registration, and a superseded licence never shown as current."""

import datetime
import io
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone, translation
from pypdf import PdfReader

from accounts.groups import SOCIAL_ORG_SECTION
from core import sealing
from core.models import AppendOnlyError, VerifiableDocument
from orgs.licensing import services
from orgs.licensing.models import Licence
from orgs.registry.models import MemberRole, Membership, Organization, OrgStatus, OrgType, RegistryChange
from orgs.registry.services import record_change
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.orgs import OrganizationFactory
from tests.pdfcheck import unembedded_fonts

pytestmark = pytest.mark.django_db

ADMIN_INDEX = "/admin/licences/"
ADMIN_ISSUE = "/admin/licences/new/"


def pdf_text(data):
    return "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def stored_bytes(licence):
    with licence.document.file.open("rb") as handle:
        return handle.read()


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def admin_of(organization):
    user = UserFactory()
    Membership.objects.create(user=user, organization=organization, role=MemberRole.ADMIN)
    return user


@pytest.fixture
def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    return user


@pytest.fixture
def organization():
    return OrganizationFactory(org_type=OrgType.FOUNDATION, domicile="北京市东城区示例路1号")


def change(organization, item, after, **kwargs):
    return record_change(
        organization, item, after, changed_on=timezone.localdate(), user=kwargs.pop("user", None), **kwargs
    )


# --- Issuing ---------------------------------------------------------------------------------


def test_s9_a_licence_is_a_sealed_pdf_of_the_registry_facts(organization):
    licence = services.issue_licence(organization, reason="首次发放电子证照")
    data = stored_bytes(licence)
    check = sealing.verify_pdf(data)
    assert check.ok, check
    text = pdf_text(data)
    for fact in (organization.name, organization.uscc, "基金会法人登记证书", "北京市东城区示例路1号"):
        assert fact in text
    assert licence.document.code in text
    assert f"/verify/{licence.document.code}/" in text
    assert unembedded_fonts(data) == []
    document = licence.document
    assert document.kind == VerifiableDocument.Kind.REGISTRATION_LICENCE
    assert document.title == f"{organization.name} 基金会法人登记证书"
    # An organisation's name is public registry data: shown whole, not masked.
    assert document.holder_name_masked == organization.name
    assert document.issuer_name == organization.get_registration_authority_display()
    assert document.sha256 == sealing.sha256(data)
    assert (licence.version, licence.current, licence.status) == (1, True, OrgStatus.NORMAL)
    assert licence.facts["domicile"] == "北京市东城区示例路1号"


def test_s9_issuing_again_without_a_change_issues_nothing(organization):
    first = services.issue_licence(organization, reason="首次发放电子证照")
    again = services.issue_licence(organization, reason="首次发放电子证照")
    assert again.pk == first.pk
    assert Licence.objects.count() == 1
    assert VerifiableDocument.objects.filter(kind=VerifiableDocument.Kind.REGISTRATION_LICENCE).count() == 1


def test_s9_the_licence_is_chinese_whatever_the_language_of_the_request(organization):
    with translation.override("en"):
        licence = services.issue_licence(organization, reason="首次发放电子证照")
    assert licence.facts["org_type"] == "基金会"
    assert licence.facts["status"] == "正常"
    assert "基金会法人登记证书" in pdf_text(stored_bytes(licence))
    # The facts compare equal in Chinese afterwards: nothing is issued again.
    assert services.issue_licence(organization, reason="x").pk == licence.pk


# --- Changes supersede -----------------------------------------------------------------------


def test_s9_a_change_registration_supersedes_the_licence(organization):
    first = services.issue_licence(organization, reason="首次发放电子证照")
    registered = change(organization, RegistryChange.Item.DOMICILE, "北京市西城区新址路2号")
    first.refresh_from_db()
    second = services.current_licence(organization)
    assert second.version == 2
    assert second.facts["domicile"] == "北京市西城区新址路2号"
    assert second.reason == f"变更登记：住所（{registered.changed_on.isoformat()} 核准）"
    assert "北京市西城区新址路2号" in pdf_text(stored_bytes(second))
    assert first.current is False
    old = first.document
    old.refresh_from_db()
    assert old.status == VerifiableDocument.Status.SUPERSEDED
    assert old.superseded_by_id == second.document_id
    assert second.document.status == VerifiableDocument.Status.VALID
    assert Licence.objects.filter(organization=organization, current=True).count() == 1


def test_s9_a_superseded_licence_is_never_shown_as_current(organization, client):
    first = services.issue_licence(organization, reason="首次发放电子证照")
    change(organization, RegistryChange.Item.LEGAL_REPRESENTATIVE, "新任代表")
    change(organization, RegistryChange.Item.BUSINESS_SCOPE, "新的业务范围")
    third = services.current_licence(organization)
    assert third.version == 3
    page = client.get(f"/verify/{first.document.code}/").content.decode()
    assert "已被新版本取代" in page
    assert "本文书已被替换" in page
    # The link names the end of the chain, the current version, not the second one.
    assert f'href="/verify/{third.document.code}/"' in page
    assert 'class="badge badge-ok"' not in page
    current_page = client.get(f"/verify/{third.document.code}/").content.decode()
    assert "本文书已被替换" not in current_page
    assert 'class="badge badge-ok"' in current_page
    profile = client.get(organization.get_absolute_url()).content.decode()
    assert third.document.code in profile
    section = profile.split("data-licence-current", 1)[1].split("</dl>", 1)[0]
    assert third.document.code in section and first.document.code not in section


def test_s9_deregistration_issues_the_certificate_of_that_state(organization):
    first = services.issue_licence(organization, reason="首次发放电子证照")
    change(organization, RegistryChange.Item.STATUS, OrgStatus.DEREGISTERED)
    current = services.current_licence(organization)
    assert current.status == OrgStatus.DEREGISTERED
    assert current.document.title == f"{organization.name} 注销登记证明"
    assert "注销登记证明" in pdf_text(stored_bytes(current))
    first.document.refresh_from_db()
    assert first.document.superseded_by_id == current.document_id


def test_s9_a_change_of_an_organisation_without_a_licence_gives_it_one(organization):
    change(organization, RegistryChange.Item.DOMICILE, "北京市西城区新址路2号")
    licence = services.current_licence(organization)
    assert licence.version == 1
    assert licence.facts["domicile"] == "北京市西城区新址路2号"


def test_s9_a_change_and_its_licence_commit_or_fail_together(organization, monkeypatch):
    services.issue_licence(organization, reason="首次发放电子证照")

    def broken_seal(*args, **kwargs):
        raise RuntimeError("seal unavailable")

    monkeypatch.setattr(sealing, "seal_pdf", broken_seal)
    with pytest.raises(RuntimeError):
        change(organization, RegistryChange.Item.DOMICILE, "北京市西城区新址路2号")
    organization.refresh_from_db()
    assert organization.domicile == "北京市东城区示例路1号"
    assert not RegistryChange.objects.filter(organization=organization).exists()
    assert services.current_licence(organization).version == 1


# --- The database keeps the rule ---------------------------------------------------------------


def test_s9_the_database_refuses_two_current_licences(organization):
    licence = services.issue_licence(organization, reason="首次发放电子证照")
    other_document = services.issue_licence(OrganizationFactory(), reason="x").document
    with pytest.raises(IntegrityError), transaction.atomic():
        Licence.objects.create(
            organization=organization,
            version=licence.version + 1,
            status=OrgStatus.NORMAL,
            facts={},
            reason="second",
            document=other_document,
            current=True,
            issued_at=timezone.now(),
        )


def test_s9_an_issued_licence_is_never_rewritten_or_deleted(organization):
    licence = services.issue_licence(organization, reason="首次发放电子证照")
    licence.facts = {**licence.facts, "domicile": "改过的住所"}
    with pytest.raises(AppendOnlyError):
        licence.save()
    licence.refresh_from_db()
    with pytest.raises(AppendOnlyError):
        licence.delete()
    assert Licence.objects.get().facts["domicile"] == "北京市东城区示例路1号"


# --- The organisation's workbench ----------------------------------------------------------------


def test_an_organisation_downloads_its_licences_and_no_one_else_does(organization):
    first = services.issue_licence(organization, reason="首次发放电子证照")
    change(organization, RegistryChange.Item.DOMICILE, "北京市西城区新址路2号")
    second = services.current_licence(organization)
    client = login(admin_of(organization))
    home = client.get(f"/workbench/licences/{organization.uscc}/").content.decode()
    assert second.document.code in home and "已被替换" in home
    url = f"/workbench/licences/{organization.uscc}/{second.pk}/download/"
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == stored_bytes(second)
    old = client.get(f"/workbench/licences/{organization.uscc}/{first.pk}/download/")
    assert b"".join(old.streaming_content) == stored_bytes(first)

    other = OrganizationFactory()
    stranger = login(admin_of(other))
    assert stranger.get(f"/workbench/licences/{organization.uscc}/").status_code == 404
    assert stranger.get(url).status_code == 404
    assert stranger.get(f"/workbench/licences/{other.uscc}/{second.pk}/download/").status_code == 404
    assert Client().get(url).status_code == 302


def test_a_licence_whose_stored_bytes_changed_is_not_served(organization):
    licence = services.issue_licence(organization, reason="首次发放电子证照")
    path = Path(licence.document.file.path)
    altered = bytearray(path.read_bytes())
    altered[len(altered) // 2] ^= 0x01
    path.write_bytes(bytes(altered))
    client = login(admin_of(organization))
    response = client.get(f"/workbench/licences/{organization.uscc}/{licence.pk}/download/")
    assert response.status_code == 409


# --- The bureau's admin ---------------------------------------------------------------------------


def test_the_bureau_issues_a_first_licence_once(officer):
    organization = OrganizationFactory()
    client = login(officer)
    assert client.get(ADMIN_ISSUE).status_code == 200
    response = client.post(ADMIN_ISSUE, {"uscc": organization.uscc.lower(), "reason": "首次发放电子证照"})
    assert response.status_code == 302
    licence = services.current_licence(organization)
    assert licence.issued_by == officer
    # Nothing changed in the registry: the second request issues nothing and says so.
    response = client.post(
        ADMIN_ISSUE, {"uscc": organization.uscc, "reason": "首次发放电子证照"}, follow=True
    )
    assert "无需重新发放" in response.content.decode()
    assert Licence.objects.filter(organization=organization).count() == 1
    index = client.get(ADMIN_INDEX).content.decode()
    assert licence.document.code in index
    assert f"/admin/licences/inspect/{licence.pk}/" in index
    inspect = client.get(f"/admin/licences/inspect/{licence.pk}/")
    assert inspect.status_code == 200
    assert organization.name in inspect.content.decode()
    # Issued licences are history: no edit or delete view answers, even to the section.
    assert client.get(f"/admin/licences/edit/{licence.pk}/").status_code in (302, 403)
    assert client.post(f"/admin/licences/delete/{licence.pk}/").status_code in (302, 403)
    assert Licence.objects.filter(pk=licence.pk).exists()


def test_the_bureau_is_told_when_the_uscc_is_not_registered(officer):
    response = login(officer).post(ADMIN_ISSUE, {"uscc": "51110000MJ0000000X", "reason": "首次发放电子证照"})
    assert response.status_code == 400
    assert "登记信息中没有这个统一社会信用代码" in response.content.decode()
    assert not Licence.objects.exists()


def test_only_registration_staff_issue_licences():
    organization = OrganizationFactory()
    staff = UserFactory(is_staff=True)
    response = login(staff).post(ADMIN_ISSUE, {"uscc": organization.uscc, "reason": "x"})
    assert response.status_code in (302, 403)
    member = login(admin_of(organization))
    assert member.post(ADMIN_ISSUE, {"uscc": organization.uscc, "reason": "x"}).status_code in (302, 403)
    assert not Licence.objects.exists()


def test_the_command_gives_every_organisation_its_first_licence_once():
    organizations = [OrganizationFactory() for _ in range(3)]
    call_command("issue_licences", stdout=io.StringIO())
    call_command("issue_licences", stdout=io.StringIO())
    assert Licence.objects.count() == 3
    assert {licence.organization_id for licence in Licence.objects.all()} == {o.pk for o in organizations}


def test_the_profile_shows_no_licence_section_before_one_is_issued(client, organization):
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "data-licence-current" not in page
    services.issue_licence(organization, reason="首次发放电子证照")
    page = client.get(organization.get_absolute_url()).content.decode()
    assert "data-licence-current" in page


def test_the_licence_prints_the_registration_date_and_funds(organization):
    organization.registered_on = datetime.date(2019, 3, 8)
    organization.registered_funds = 8000000
    organization.save()
    licence = services.issue_licence(Organization.objects.get(pk=organization.pk), reason="首次发放电子证照")
    text = pdf_text(stored_bytes(licence))
    assert "2019-03-08" in text
    assert "8,000,000.00" in text


def test_s9_a_correction_in_the_registry_admin_issues_the_next_licence(officer, organization):
    first = services.issue_licence(organization, reason="首次发放电子证照")
    client = login(officer)
    url = f"/admin/registry/organizations/edit/{organization.pk}/"
    form = client.get(url).context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields)}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data["registered_on"] = "2015-05-05"
    data["public_fundraising"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    current = services.current_licence(organization)
    assert current.version == 2
    assert current.reason == "登记信息更正后重新发放"
    assert current.facts["registered_on"] == "2015-05-05"
    first.document.refresh_from_db()
    assert first.document.superseded_by_id == current.document_id
    # Saving again with only a contact detail changed issues nothing.
    data["contact_person"] = "新联系人"
    assert client.post(url, data).status_code == 302
    assert services.current_licence(organization).pk == current.pk
