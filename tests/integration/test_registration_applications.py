"""S9: online registration (设立、变更、注销登记): the pre-checks, the review's transitions on
statutory working-day deadlines, and what an approval does to the registry, the licence and
credit. Every date is relative to a "today" the test chooses."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.models import EarlyWarning, VerifiableDocument
from core.statemachine import IllegalTransition
from orgs.credit.models import Category, CreditRecord, ListReason, ListType
from orgs.licensing import registration
from orgs.licensing.models import ApplicationStatus, Licence
from orgs.licensing.prechecks import run_prechecks
from orgs.licensing.services import current_licence, issue_licence
from orgs.licensing.warnings import DEADLINE
from orgs.registry import uscc
from orgs.registry.models import (
    CITY_AUTHORITY,
    District,
    MemberRole,
    Membership,
    Organization,
    OrgStatus,
    OrgType,
    RegistryChange,
)
from orgs.reports.models import CalendarDay
from tests.factories.accounts import UserFactory
from tests.factories.credit import make_listing, officer
from tests.factories.licensing import (
    change,
    deregistration,
    establishment,
    org_admin,
    publish_checklists,
    ready,
    upload_all,
    verified_person,
)
from tests.factories.orgs import PNG_BYTES, OrganizationFactory, pdf_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def checklists():
    publish_checklists()


A = ApplicationStatus


def a_monday(weeks_ahead=2):
    """A Monday some weeks from the real today (the calendar rows the test writes are its own)."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=7 * weeks_ahead - today.weekday())


def holidays(*days, workdays=()):
    CalendarDay.objects.filter(date__in=[*days, *workdays]).delete()
    for day in days:
        CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.HOLIDAY, name="测试假日")
    for day in workdays:
        CalendarDay.objects.create(date=day, kind=CalendarDay.Kind.WORKDAY, name="测试调休")


def check(application, key, today=None):
    [found] = [c for c in run_prechecks(application, today=today) if c.key == key]
    return found


@pytest.fixture
def bureau():
    return officer()


def submitted(application, today=None):
    ready(application)
    return registration.submit(application, user=application.applicant, today=today)


def in_review(application, bureau, today=None):
    submitted(application, today)
    return registration.accept(application, user=bureau, today=today)


# --- Pre-checks --------------------------------------------------------------------------------


def test_s9_precheck_name_free_passes_for_a_new_name():
    result = check(establishment(), "name_free")
    assert result.passed
    assert "未被" in result.explanation


def test_s9_precheck_name_taken_by_a_registered_organisation_fails():
    taken = OrganizationFactory(name="北京市朝阳区暖阳社区服务中心")
    result = check(establishment(proposed_name="北京市朝阳区暖阳社区服务中心 "), "name_free")
    assert not result.passed
    assert taken.uscc in result.explanation


def test_s9_precheck_name_taken_ignores_spaces_and_bracket_width():
    OrganizationFactory(name="北京市朝阳区暖阳（和平街）社区服务中心")
    result = check(establishment(proposed_name="北京市朝阳区暖阳(和平街) 社区服务中心"), "name_free")
    assert not result.passed


def test_s9_precheck_name_held_by_another_open_application_fails():
    first = submitted(establishment())
    second = establishment()
    result = check(second, "name_free")
    assert not result.passed
    assert first.number in result.explanation
    registration.withdraw(first, user=first.applicant)
    assert check(second, "name_free").passed


def test_s9_precheck_a_change_of_name_holds_the_name_with_any_spacing(bureau):
    renaming = submitted(
        change(
            OrganizationFactory(org_type=OrgType.SOCIAL_SERVICE),
            name="北京市朝阳区暖阳（和平街）\u3000社区服务中心",
        )
    )
    assert not check(establishment(proposed_name="北京市朝阳区暖阳(和平街)社区服务中心"), "name_free").passed
    renaming = registration.return_for_completion(renaming, ["章程"], user=bureau)
    renaming.change_items = {RegistryChange.Item.NAME: "北京市朝阳区晨光社区服务中心"}
    registration.update_application(renaming, user=renaming.applicant)
    assert check(establishment(proposed_name="北京市朝阳区暖阳(和平街)社区服务中心"), "name_free").passed
    assert not check(establishment(proposed_name="北京市朝阳区晨光 社区服务中心"), "name_free").passed


def test_s9_the_name_check_is_an_index_lookup_on_both_tables():
    """City scale: the check reads one index entry, not every name (the plan names the index)."""
    from django.db import connection

    from orgs.licensing.prechecks import applications_naming, registered_named

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    assert "registry_org_name_key" in registered_named("北京市朝阳区暖阳社区服务中心").explain()
    assert "name_key" in applications_naming("北京市朝阳区暖阳社区服务中心").explain()


def test_s9_precheck_banned_word_in_name_fails():
    result = check(establishment(proposed_name="中华暖阳社区服务中心"), "name_words")
    assert not result.passed
    assert "中华" in result.explanation


def test_s9_precheck_name_must_end_with_its_types_form_word():
    wrong = establishment(
        org_type=OrgType.FOUNDATION, proposed_name="北京市暖阳服务中心", registered_capital=Decimal("2000000")
    )
    assert not check(wrong, "name_words").passed
    assert "基金会" in check(wrong, "name_words").explanation
    right = establishment(
        org_type=OrgType.FOUNDATION,
        proposed_name="北京市暖阳公益基金会",
        registered_capital=Decimal("2000000"),
    )
    assert check(right, "name_words").passed


def test_s9_precheck_a_trailing_qualifier_is_not_the_form_word():
    assert check(establishment(proposed_name="北京市暖阳社区服务中心（筹）"), "name_words").passed
    assert not check(establishment(proposed_name="北京市暖阳社区（服务中心）"), "name_words").passed


def person(name, n):
    return {"name": name, "mobile": f"1381234{n:04d}"}


def test_s9_precheck_founders_below_the_legal_minimum_fail(settings):
    settings.S9_MIN_FOUNDERS = {**settings.S9_MIN_FOUNDERS, "social_group": 3}
    group = {"org_type": OrgType.SOCIAL_GROUP, "proposed_name": "北京市朝阳区暖阳志愿者协会"}
    two = establishment(founders=[person("甲", 1), person("乙", 2)], **group)
    result = check(two, "founders")
    assert not result.passed
    assert "3" in result.explanation and "2" in result.explanation
    three = establishment(founders=[person("甲", 1), person("乙", 2), person("丙", 3)], **group)
    assert check(three, "founders").passed
    nameless = establishment(founders=[person("甲", 1), person(" ", 2), person("丙", 3)], **group)
    assert not check(nameless, "founders").passed


def test_s9_precheck_a_person_founder_without_a_mobile_number_fails():
    result = check(establishment(founders=[person("甲", 1), {"name": "乙"}]), "founders")
    assert not result.passed and "乙" in result.explanation
    unit = OrganizationFactory()
    assert check(
        establishment(founders=[person("甲", 1), {"name": unit.name, "unit_uscc": unit.uscc}]), "founders"
    ).passed


def test_s9_precheck_unit_founder_on_the_serious_list_fails():
    listed = OrganizationFactory(name="北京市失信测试协会")
    make_listing(
        listed,
        listed_on=timezone.localdate() - datetime.timedelta(days=30),
        list_type=ListType.SERIOUS,
        reason=ListReason.SUSPENSION_ORDERED,
    )
    application = establishment(founders=[{"name": "李明"}, {"name": listed.name, "unit_uscc": listed.uscc}])
    result = check(application, "serious_list")
    assert not result.passed
    assert listed.name in result.explanation


def test_s9_precheck_founder_who_represents_a_listed_organisation_fails():
    listed = OrganizationFactory(legal_representative="赵强")
    make_listing(
        listed,
        listed_on=timezone.localdate() - datetime.timedelta(days=30),
        list_type=ListType.SERIOUS,
        reason=ListReason.SUSPENSION_ORDERED,
    )
    application = establishment(founders=[{"name": "李明"}, {"name": "赵强"}])
    result = check(application, "serious_list")
    assert not result.passed
    assert "赵强" in result.explanation and listed.name in result.explanation


def test_s9_precheck_abnormal_list_or_a_removed_listing_does_not_fail():
    abnormal = OrganizationFactory(legal_representative="赵强")
    make_listing(
        abnormal, listed_on=timezone.localdate() - datetime.timedelta(days=30), list_type=ListType.ABNORMAL
    )
    assert check(establishment(founders=[{"name": "赵强"}]), "serious_list").passed


def test_s9_precheck_capital_at_the_minimum_passes_and_below_fails(settings):
    settings.S9_MIN_CAPITAL = {**settings.S9_MIN_CAPITAL, "social_service": Decimal("30000")}
    assert check(establishment(registered_capital=Decimal("30000.00")), "capital").passed
    below = check(establishment(registered_capital=Decimal("29999.99")), "capital")
    assert not below.passed
    assert "30,000.00" in below.explanation
    assert not check(establishment(registered_capital=None), "capital").passed


def test_s9_precheck_a_public_fundraising_foundation_needs_the_higher_minimum(settings):
    settings.S9_MIN_CAPITAL = {
        **settings.S9_MIN_CAPITAL,
        "foundation": Decimal("2000000"),
        "foundation_public": Decimal("4000000"),
    }
    fields = {"org_type": OrgType.FOUNDATION, "proposed_name": "北京市暖阳公益基金会"}
    assert check(establishment(registered_capital=Decimal("2000000"), **fields), "capital").passed
    public = establishment(registered_capital=Decimal("2000000"), public_fundraising=True, **fields)
    assert not check(public, "capital").passed


def test_s9_precheck_domicile_outside_beijings_districts_fails():
    assert check(establishment(), "district").passed
    assert not check(establishment(district="310101"), "district").passed


def test_s9_precheck_failures_block_submission_with_every_reason():
    application = establishment(proposed_name="国际暖阳服务", registered_capital=Decimal("1"))
    with pytest.raises(ValidationError) as error:
        submitted(application)
    text = " ".join(error.value.messages)
    assert "国际" in text and "注册资金" in text
    application.refresh_from_db()
    assert application.status == A.DRAFT


def test_s9_deregistration_needs_a_completed_liquidation():
    organization = OrganizationFactory()
    today = timezone.localdate()
    assert not check(deregistration(organization), "liquidation").passed
    future = deregistration(organization, liquidation_completed_on=today + datetime.timedelta(days=1))
    assert not check(future, "liquidation").passed
    assert check(deregistration(organization, liquidation_completed_on=today), "liquidation").passed


def test_s9_only_a_registered_organisation_can_apply_for_a_change():
    organization = OrganizationFactory(status=OrgStatus.REVOKED)
    application = change(organization, domicile="北京市朝阳区新址1号")
    assert not check(application, "registered").passed
    with pytest.raises(ValidationError):
        submitted(application)


def test_s9_a_change_runs_the_checks_of_the_items_it_changes():
    organization = OrganizationFactory(org_type=OrgType.SOCIAL_GROUP)
    OrganizationFactory(name="北京市已占用名称协会")
    application = change(organization, name="北京市已占用名称协会", registered_funds="100")
    keys = {c.key: c.passed for c in run_prechecks(application)}
    assert keys == {
        "registered": True,
        "name_free": False,
        "name_words": True,
        "capital": False,
        "materials": False,
    }
    only_domicile = change(organization, domicile="北京市朝阳区新址1号")
    assert {c.key for c in run_prechecks(only_domicile)} == {"registered", "materials"}


def test_s9_a_change_that_changes_nothing_is_refused():
    organization = OrganizationFactory()
    with pytest.raises(ValidationError) as error:
        submitted(change(organization, domicile=organization.domicile))
    assert "相同" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        submitted(change(organization))


# --- Materials ---------------------------------------------------------------------------------


def test_s9_a_missing_material_blocks_submission_naming_it():
    application = establishment()
    registration.upload_material(
        application, "章程草案", upload("章程.pdf", pdf_bytes("章程")), user=application.applicant
    )
    result = check(application, "materials")
    assert not result.passed
    assert "成立登记申请书" in result.explanation and "住所使用证明" in result.explanation
    assert "章程草案" not in result.explanation
    with pytest.raises(ValidationError) as error:
        registration.submit(application, user=application.applicant)
    assert "住所使用证明" in " ".join(error.value.messages)
    upload_all(application)
    assert check(application, "materials").passed
    ready(application)
    assert registration.submit(application, user=application.applicant).status == A.SUBMITTED


def test_s9_an_item_the_guide_marks_as_if_applicable_need_not_be_uploaded():
    from cms.models import GuidePage

    guide = GuidePage.objects.get(online_service="reg_establish_social_service")
    guide.materials.append(
        (
            "material",
            {
                "name": "业务主管单位的批准文件",
                "form": "electronic",
                "copies": 1,
                "signature": "seal",
                "notes": "",
                "required": False,
            },
        )
    )
    guide.save_revision().publish()
    application = upload_all(establishment())
    assert check(application, "materials").passed
    assert not application.materials.filter(item="业务主管单位的批准文件").exists()
    # Uploaded anyway, it is kept with the others.
    registration.upload_material(
        application,
        "业务主管单位的批准文件",
        upload("批准.pdf", pdf_bytes("批准")),
        user=application.applicant,
    )
    assert application.materials.filter(item="业务主管单位的批准文件", current=True).exists()


def test_s9_without_a_published_guide_nothing_can_be_submitted():
    from cms.models import GuidePage

    GuidePage.objects.filter(online_service="reg_establish_social_service").update(online_service="")
    result = check(establishment(), "materials")
    assert not result.passed and "办事指南" in result.explanation


def test_s9_a_material_is_checked_by_its_content():
    application = establishment()
    with pytest.raises(ValidationError):
        registration.upload_material(
            application,
            "章程草案",
            upload("章程.pdf", b"<html><script>alert(1)</script>"),
            user=application.applicant,
        )
    with pytest.raises(ValidationError):
        registration.upload_material(
            application, "不在清单中", upload("a.png", PNG_BYTES), user=application.applicant
        )
    material = registration.upload_material(
        application, "章程草案", upload("章程.png", PNG_BYTES), user=application.applicant
    )
    assert len(material.file_sha256) == 64


def test_s9_a_new_upload_replaces_the_old_which_stays_on_file():
    application = establishment()
    first = registration.upload_material(
        application, "章程草案", upload("v1.pdf", pdf_bytes("一")), user=application.applicant
    )
    second = registration.upload_material(
        application, "章程草案", upload("v2.pdf", pdf_bytes("二")), user=application.applicant
    )
    first.refresh_from_db()
    assert not first.current and second.current
    assert application.materials.count() == 2


def test_s9_only_the_applicant_uploads_and_only_before_submission():
    application = establishment()
    with pytest.raises(PermissionDenied):
        registration.upload_material(application, "章程草案", upload("a.png", PNG_BYTES), user=UserFactory())
    submitted(application)
    with pytest.raises(ValidationError):
        registration.upload_material(
            application, "章程草案", upload("a.png", PNG_BYTES), user=application.applicant
        )


# --- Transitions and deadlines -----------------------------------------------------------------


def test_s9_formal_check_deadline_counts_working_days_across_a_holiday(settings):
    settings.S9_FORMAL_CHECK_WORKING_DAYS = 5
    monday = a_monday()
    tuesday, wednesday, thursday = (monday + datetime.timedelta(days=n) for n in (1, 2, 3))
    saturday = monday + datetime.timedelta(days=5)
    holidays(tuesday, wednesday, thursday, workdays=[saturday])
    application = submitted(establishment(), today=monday)
    # Friday 1, Saturday (make-up day) 2, Monday 3, Tuesday 4, Wednesday 5.
    assert application.status == A.SUBMITTED
    assert application.submitted_on == monday
    assert application.formal_check_due == monday + datetime.timedelta(days=9)


def test_s9_decision_deadline_counts_working_days_from_acceptance_across_a_holiday(settings, bureau):
    settings.S9_DECISION_WORKING_DAYS = {"establish": 3, "change": 2, "deregister": 2}
    monday = a_monday()
    holidays(monday + datetime.timedelta(days=1))
    application = in_review(establishment(), bureau, today=monday)
    # Wednesday 1, Thursday 2, Friday 3 (Tuesday is a holiday).
    assert application.status == A.IN_REVIEW
    assert application.accepted_on == monday
    assert application.decision_due == monday + datetime.timedelta(days=4)
    assert application.formal_check_due is None


def test_s9_formal_check_returns_once_naming_every_missing_item(bureau):
    monday = a_monday()
    application = submitted(establishment(), today=monday)
    with pytest.raises(ValidationError):
        registration.return_for_completion(application, [" "], user=bureau, today=monday)
    application = registration.return_for_completion(
        application, ["章程草案", "住所使用证明"], user=bureau, today=monday
    )
    assert application.status == A.RETURNED
    assert application.returned_items == ["章程草案", "住所使用证明"]
    application = registration.submit(
        application, user=application.applicant, today=monday + datetime.timedelta(days=7)
    )
    assert application.status == A.SUBMITTED
    assert application.submitted_on == monday + datetime.timedelta(days=7)
    with pytest.raises(ValidationError) as error:
        registration.return_for_completion(application, ["理事名单"], user=bureau)
    assert "一次" in " ".join(error.value.messages)
    application.refresh_from_db()
    assert application.status == A.SUBMITTED


def test_s9_refusal_needs_reasons_and_a_legal_basis(bureau):
    application = in_review(establishment(), bureau)
    with pytest.raises(ValidationError) as error:
        registration.refuse(application, user=bureau, reason="", legal_basis=" ")
    assert set(error.value.message_dict) == {"decision_reason", "legal_basis"}
    application = registration.refuse(
        application, user=bureau, reason="业务范围与宗旨不符", legal_basis="《社会组织登记管理条例》第十三条"
    )
    assert application.status == A.REFUSED
    assert application.decided_on == timezone.localdate()
    assert Organization.objects.filter(name=application.proposed_name).count() == 0


def test_s9_only_the_applicant_submits_or_withdraws(bureau):
    application = establishment()
    stranger = UserFactory()
    with pytest.raises(PermissionDenied):
        registration.submit(application, user=stranger)
    with pytest.raises(PermissionDenied):
        registration.withdraw(application, user=stranger)
    application = registration.withdraw(application, user=application.applicant)
    assert application.status == A.WITHDRAWN


def test_s9_illegal_moves_name_both_states(bureau):
    application = establishment()
    with pytest.raises(IllegalTransition):
        registration.approve(application, user=bureau)
    with pytest.raises(IllegalTransition):
        registration.accept(application, user=bureau)
    decided = registration.refuse(
        in_review(establishment(proposed_name="北京市朝阳区晨光社区服务中心"), bureau),
        user=bureau,
        reason="不符合条件",
        legal_basis="条例",
    )
    with pytest.raises(IllegalTransition):
        registration.withdraw(decided, user=decided.applicant)


# --- Who may apply -----------------------------------------------------------------------------


def test_s9_an_unverified_account_cannot_apply():
    with pytest.raises(PermissionDenied):
        establishment(applicant=verified_person(mobile_verified_at=None))
    with pytest.raises(PermissionDenied):
        establishment(applicant=UserFactory())  # no real-name verification
    assert establishment(applicant=verified_person()).status == A.DRAFT


def test_s9_only_the_organisations_admin_applies_for_its_change():
    organization = OrganizationFactory()
    other = OrganizationFactory()
    other_admin = org_admin(other)
    filer = verified_person()
    Membership.objects.create(user=filer, organization=organization, role=MemberRole.FILER)
    for user in (other_admin, filer, verified_person()):
        with pytest.raises(PermissionDenied):
            change(organization, applicant=user, domicile="北京市朝阳区新址1号")
        with pytest.raises(PermissionDenied):
            deregistration(organization, applicant=user)


# --- Approval ----------------------------------------------------------------------------------


def test_s9_approved_establishment_registers_the_organisation_with_a_valid_uscc(bureau):
    application = in_review(establishment(), bureau)
    application = registration.approve(application, user=bureau)
    organization = application.organization
    assert application.status == A.APPROVED
    assert organization.name == "北京市朝阳区暖阳社区服务中心"
    assert organization.status == OrgStatus.NORMAL
    assert organization.registration_authority == District.CHAOYANG
    assert organization.registered_on == timezone.localdate()
    # S1: the full code is valid for its type; GB 11714: so is its organisation code.
    assert uscc.is_valid(organization.uscc, "2")
    assert organization.uscc[2:8] == District.CHAOYANG
    assert uscc.is_valid_organisation_code(organization.uscc[8:17])
    assert Membership.objects.filter(
        user=application.applicant, organization=organization, role=MemberRole.ADMIN
    ).exists()
    licence = current_licence(organization)
    assert licence.version == 1 and licence.facts["name"] == organization.name
    assert application.number in licence.reason
    [record] = CreditRecord.objects.filter(organization=organization)
    assert record.category == Category.BASIC and record.document_number == application.number


def test_s9_new_organisations_get_consecutive_organisation_codes(bureau):
    first = registration.approve(in_review(establishment(), bureau), user=bureau).organization
    foundation = establishment(
        org_type=OrgType.FOUNDATION,
        proposed_name="北京市暖阳公益基金会",
        registered_capital=Decimal("2000000"),
    )
    second = registration.approve(in_review(foundation, bureau), user=bureau).organization
    assert int(second.uscc[10:16]) == int(first.uscc[10:16]) + 1
    # A foundation registers with the city bureau, and its code carries the city's division.
    assert second.registration_authority == CITY_AUTHORITY
    assert second.uscc[1] == "3" and second.uscc[2:8] == CITY_AUTHORITY
    assert uscc.is_valid(second.uscc, "3") and uscc.is_valid_organisation_code(second.uscc[8:17])


def test_s9_approval_runs_the_prechecks_again(bureau):
    application = in_review(establishment(), bureau)
    OrganizationFactory(name=application.proposed_name)
    with pytest.raises(ValidationError):
        registration.approve(application, user=bureau)
    application.refresh_from_db()
    assert application.status == A.IN_REVIEW


def test_s9_approved_change_supersedes_the_licence_once(bureau):
    organization = OrganizationFactory(org_type=OrgType.SOCIAL_GROUP, name="北京市朝阳区旧名协会")
    old = issue_licence(organization, reason="首次发放")
    application = in_review(
        change(organization, name="北京市朝阳区新名协会", domicile="北京市朝阳区新址1号"), bureau
    )
    old_domicile = organization.domicile
    application = registration.approve(application, user=bureau)
    # What it changed from stays on the application (the registry now holds the new values).
    assert application.changed_from == {"name": "北京市朝阳区旧名协会", "domicile": old_domicile}
    organization.refresh_from_db()
    assert organization.name == "北京市朝阳区新名协会"
    assert organization.domicile == "北京市朝阳区新址1号"
    assert set(RegistryChange.objects.filter(organization=organization).values_list("item", flat=True)) == {
        "name",
        "domicile",
    }
    # One registration, one new licence; the old one is superseded and points at it.
    assert Licence.objects.filter(organization=organization).count() == 2
    new = current_licence(organization)
    old.document.refresh_from_db()
    assert old.document.status == VerifiableDocument.Status.SUPERSEDED
    assert old.document.superseded_by_id == new.document_id
    assert new.facts["name"] == "北京市朝阳区新名协会" and application.number in new.reason
    assert CreditRecord.objects.filter(organization=organization, category=Category.BASIC).count() == 1


def test_s9_approved_deregistration_keeps_the_history_and_certifies_the_state(bureau):
    organization = OrganizationFactory()
    issue_licence(organization, reason="首次发放")
    application = deregistration(
        organization, liquidation_completed_on=timezone.localdate(), reason="完成清算"
    )
    registration.approve(in_review(application, bureau), user=bureau)
    organization.refresh_from_db()
    assert organization.status == OrgStatus.DEREGISTERED
    change_row = RegistryChange.objects.get(organization=organization, item="status")
    assert change_row.after == "注销"
    assert current_licence(organization).title.endswith("注销登记证明")
    assert Licence.objects.filter(organization=organization).count() == 2


# --- The public and the bureau's clock ----------------------------------------------------------


def test_s9_progress_lookup_shows_only_the_step_and_its_date(bureau):
    application = establishment()
    assert registration.progress(application.number) is None  # a draft is nobody's business
    in_review(application, bureau)
    found = registration.progress(application.number.lower())
    assert found == {
        "number": application.number,
        "kind": "设立登记",
        "status": A.IN_REVIEW,
        "step": "已受理，实质审查中",
        "since": timezone.localdate(),
    }
    assert registration.progress("DJ000") is None


def test_s9_a_deadline_near_or_missed_raises_an_early_warning_that_clears(settings, bureau):
    settings.S9_FORMAL_CHECK_WORKING_DAYS = 5
    settings.S9_WARNING_WORKING_DAYS = 2
    monday = a_monday()
    application = submitted(establishment(), today=monday)
    due = application.formal_check_due  # the next Monday
    EarlyWarning.objects.refresh(today=monday, kinds=[DEADLINE])
    assert not EarlyWarning.objects.open().filter(kind=DEADLINE).exists()
    EarlyWarning.objects.refresh(
        today=due - datetime.timedelta(days=3), kinds=[DEADLINE]
    )  # Friday: 1 day left
    [warning] = EarlyWarning.objects.open().filter(kind=DEADLINE)
    assert application.number in warning.reason and warning.deadline == due
    EarlyWarning.objects.refresh(today=due + datetime.timedelta(days=1), kinds=[DEADLINE])
    [missed] = EarlyWarning.objects.open().filter(kind=DEADLINE)
    assert "已于" in missed.reason
    registration.accept(application, user=bureau, today=due + datetime.timedelta(days=1))
    EarlyWarning.objects.refresh(today=due + datetime.timedelta(days=1), kinds=[DEADLINE])
    assert not EarlyWarning.objects.open().filter(kind=DEADLINE).exists()


def test_s9_days_left_counts_the_bureaus_current_deadline(settings, bureau):
    settings.S9_FORMAL_CHECK_WORKING_DAYS = 5
    monday = a_monday()
    application = submitted(establishment(), today=monday)
    assert registration.days_left(application, today=monday) == 5
    assert (
        registration.days_left(application, today=application.formal_check_due + datetime.timedelta(days=1))
        == -1
    )
    application = registration.withdraw(application, user=application.applicant)
    assert registration.days_left(application) is None


# --- Consents (each person with their own SMS code) ---------------------------------------------


def _code_for(mobile):
    from accounts import sms

    return next(m for m in reversed(sms.outbox) if m.mobile == mobile and "验证码 " in m.text).text.split(
        "验证码 "
    )[1][:6]


def test_s9_consent_needs_the_persons_own_name_agreement_and_code(settings):
    from accounts import otp, sms
    from orgs.licensing import consents

    settings.SMS_BACKEND = "accounts.sms.backends.LocmemSmsBackend"
    sms.outbox.clear()
    application = upload_all(establishment())
    assert not check(application, "consents").passed
    assert (
        consents.invite(application, user=application.applicant) == 3
    )  # the representative and two founders
    assert consents.invite(application, user=application.applicant) == 0  # not again so soon
    consent = application.consents.get(role="founder", name="王芳")
    consents.send_consent_code(consent, ip="203.0.113.9")
    code = _code_for(consent.mobile)
    with pytest.raises(ValidationError) as error:
        consents.sign(consent, full_name="王某", agree=False, code=code)
    assert set(error.value.message_dict) == {"full_name", "agree"}
    with pytest.raises(otp.OtpError):
        consents.sign(consent, full_name="王芳", agree=True, code="000000" if code != "000000" else "111111")
    signed = consents.sign(consent, full_name="王芳", agree=True, code=code, ip="203.0.113.9")
    assert signed.signed_at is not None
    result = check(application, "consents")
    assert not result.passed and "李明" in result.explanation and "王芳" not in result.explanation


def test_s9_changing_the_application_voids_the_consents():
    from orgs.licensing import consents

    application = ready(establishment())
    assert check(application, "consents").passed
    application.domicile = "北京市朝阳区另一处 2 号"
    registration.update_application(application, user=application.applicant)
    application.refresh_from_db()
    assert not check(application, "consents").passed
    old = application.consents.first()
    assert not old.current and consents.open_consent(old.token) is None


def test_s9_a_consent_link_stops_working_once_submitted():
    from django.test import Client

    application = ready(establishment())
    token = application.consents.first().token
    assert Client().get(f"/orgs/registration/consent/{token}/").status_code == 200
    submitted(application)
    assert Client().get(f"/orgs/registration/consent/{token}/").status_code == 404
    assert Client().get("/orgs/registration/consent/not-a-token/").status_code == 404


def test_s9_a_new_legal_representative_consents_to_the_change():
    from orgs.licensing.consents import consenters

    organization = OrganizationFactory()
    application = change(organization, legal_representative="周新")
    application.legal_representative_mobile = "13812349999"
    application.save(update_fields=["legal_representative_mobile"])
    [person] = consenters(application)
    assert (person.name, person.mobile, person.role) == ("周新", "13812349999", "legal_representative")
    assert {c.key for c in run_prechecks(application)} >= {"serious_list", "consents"}
    assert consenters(change(organization, domicile="北京市朝阳区新址1号")) == []
