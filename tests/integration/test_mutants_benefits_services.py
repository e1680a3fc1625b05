"""Tests written to kill the surviving mutants of B1's application services (mutmut run of 8
December 2026, the seven moves once decorated included; triage in
docs/mutation-2026-12-08-benefits-services.md).

What is guarded here, through the real services and the shared factories
(``tests.factories.benefits``):

* Every refusal reads word for word and is attached to the form field the family or the
  officer corrects (``ValidationError.message_dict``); an illegal move names the state it
  comes from and the one it was asked to reach.
* The audit log names who moved the application and why: the family submitting or
  withdrawing, the officer asking for documents, approving or rejecting.
* The day a service is given (``today=``) is the day recorded and the day the rules are
  checked on; the decision letter's verification link starts with the address given, or the
  site's.
* Allotting application numbers: a number taken meanwhile is retried with the next one, five
  times at most; a row without an item or a reason in a request for documents.
* Query counts where they are the property: a list of applications reads its orders in the
  same query; the moves read the scheme with the locked row and validate only what changed.

Every date is relative to ``timezone.localdate()``.
"""

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION, IllegalTransition
from marketplace.benefits import letters, services
from marketplace.benefits.eligibility import check, explain
from marketplace.benefits.models import ApplicationDocument, ApplicationStatus, BenefitApplication
from tests.factories.accounts import UserFactory
from tests.factories.benefits import (
    basic_waiver,
    bureau_officer,
    from_order,
    sea_subsidy,
    standalone,
    submitted,
    today,
    upload_all,
)
from tests.factories.orders import Scenario, id_number
from tests.factories.orgs import pdf_bytes, upload
from tests.integration.test_mutants_benefits import days

pytestmark = pytest.mark.django_db

A = ApplicationStatus


@pytest.fixture
def bureau():
    return bureau_officer()


def moves(application):
    """The audit entries of ``application``'s moves, oldest first: (to, who, why)."""
    entries = ModelLogEntry.objects.filter(
        action=TRANSITION_ACTION,
        content_type=ContentType.objects.get_for_model(BenefitApplication),
        object_id=str(application.pk),
    ).order_by("pk")
    return [(e.data["to"], e.user, e.data["reason"]) for e in entries]


def refused(call, *args, **kwargs):
    with pytest.raises(ValidationError) as refusal:
        call(*args, **kwargs)
    return refusal.value


# --- Who may act, word for word --------------------------------------------------------------------


def test_b1_only_the_applicant_may_change_the_application_and_is_told_so():
    application = standalone(sea_subsidy())
    with pytest.raises(PermissionDenied) as denied:
        services.update_application(application, user=UserFactory())
    assert str(denied.value) == "只有申请人本人可以办理这一步。"


def test_b1_starting_is_refused_with_the_whole_reason():
    with pytest.raises(PermissionDenied) as unverified:
        standalone(sea_subsidy(), applicant=UserFactory(mobile_verified_at=None))
    assert str(unverified.value) == "请先用短信验证码验证手机号码，再申请惠民殡葬。"
    scenario = Scenario()
    with pytest.raises(PermissionDenied) as not_mine:
        services.start_application(basic_waiver(), applicant=UserFactory(), order=scenario.order)
    assert str(not_mine.value) == "只能为自己的订单申请。"


def test_b1_an_application_from_an_order_takes_the_orders_burial_type():
    scenario = Scenario(burial_choice="sea")
    assert services.facts_from_order(scenario.order)["burial_type"] == "sea"
    assert from_order(basic_waiver(), scenario).burial_type == "sea"


# --- Allotting the application number ---------------------------------------------------------------


def test_b1_a_number_taken_meanwhile_is_retried_with_the_next(monkeypatch):
    scheme = sea_subsidy()
    first = standalone(scheme)
    numbers = iter([first.number, f"HM{today():%Y%m%d}0099"])
    monkeypatch.setattr(services, "_new_number", lambda day: next(numbers))
    second = standalone(scheme, deceased_id=id_number("11010519400101333"))
    assert second.pk and second.number == f"HM{today():%Y%m%d}0099"
    assert BenefitApplication.objects.get(pk=second.pk).number == second.number


def test_b1_numbering_gives_up_after_five_numbers_taken(monkeypatch):
    scheme = sea_subsidy()
    taken = standalone(scheme).number
    tried = []
    monkeypatch.setattr(services, "_new_number", lambda day: tried.append(day) or taken)
    with pytest.raises(IntegrityError) as failed:
        standalone(scheme, deceased_id=id_number("11010519400101333"))
    assert str(failed.value) == "could not allot an application number"
    assert tried == [today()] * 5
    assert BenefitApplication.objects.count() == 1


# --- Changing a draft and its documents ---------------------------------------------------------------


def test_b1_a_submitted_application_cannot_be_changed_and_says_so():
    application = submitted(standalone(sea_subsidy()))
    refusal = refused(services.update_application, application, user=application.applicant)
    assert refusal.messages == ["申请已提交，审核期间不能修改。"]
    refusal = refused(
        services.upload_document,
        application,
        "死亡证明",
        upload("a.pdf", pdf_bytes("一")),
        user=application.applicant,
    )
    assert refusal.messages == ["申请已提交，不能再更换材料；如被要求补充材料，可重新上传。"]


def test_b1_a_document_the_scheme_does_not_ask_for_is_refused_on_the_item_field():
    application = standalone(sea_subsidy())
    refusal = refused(
        services.upload_document,
        application,
        "护照",
        upload("a.pdf", pdf_bytes("一")),
        user=application.applicant,
    )
    assert refusal.message_dict == {"item": ["请选择所需材料中的一项。"]}


def test_b1_a_long_file_name_is_kept_cut_to_its_column():
    application = standalone(sea_subsidy())
    name = "death-certificate-" + "a" * 230 + ".pdf"
    document = services.upload_document(
        application, "死亡证明", upload(name, pdf_bytes("一")), user=application.applicant
    )
    assert ApplicationDocument.objects.get(pk=document.pk).original_name == name[:200]


def test_b1_an_update_validates_the_applicants_fields_only(django_assert_max_num_queries):
    application = standalone(sea_subsidy())
    application.payee_bank = "中国银行北京分行"
    # Lock (with its scheme), save: the number, never changed here, is not checked again.
    with django_assert_max_num_queries(16):
        services.update_application(application, user=application.applicant)
    assert BenefitApplication.objects.get(pk=application.pk).payee_bank == "中国银行北京分行"


def test_b1_a_replaced_document_is_the_only_one_retired(django_assert_max_num_queries):
    application = standalone(sea_subsidy())
    for text in ("一", "二"):
        services.upload_document(
            application, "死亡证明", upload(f"{text}.pdf", pdf_bytes(text)), user=application.applicant
        )
    # Only the current document is retired; the one retired before is not touched again, and
    # the uploader, the signed-in user, is not looked up again.
    with django_assert_max_num_queries(UPLOAD_QUERIES):
        third = services.upload_document(
            application, "死亡证明", upload("三.pdf", pdf_bytes("三")), user=application.applicant
        )
    current = ApplicationDocument.objects.filter(application=application, item="死亡证明", current=True)
    assert list(current) == [third]


UPLOAD_QUERIES = 8


# --- Submitting -----------------------------------------------------------------------------------


def test_b1_submission_is_checked_on_the_day_given_and_logged_as_the_familys():
    application = upload_all(standalone(sea_subsidy(), date_of_death=today() - days(200)))
    day = today() - days(190)  # within the 180 days then, not now
    application = services.submit(application, user=application.applicant, today=day)
    assert (application.status, application.submitted_on) == (A.SUBMITTED, day)
    assert moves(application) == [(A.SUBMITTED, application.applicant, "")]


def test_b1_a_second_application_for_the_same_death_submitted_meanwhile_is_refused(monkeypatch):
    scheme = sea_subsidy()
    submitted(standalone(scheme))
    second = upload_all(standalone(scheme))
    # Both checked the "once per death" rule before either was saved: the database decides.
    monkeypatch.setattr(services, "explain", lambda checks: [])
    refusal = refused(services.submit, second, user=second.applicant)
    assert refusal.messages == ["该逝者已有同一政策的申请在办理或已批准。"]
    assert BenefitApplication.objects.get(pk=second.pk).status == A.DRAFT


# --- Asking for documents ---------------------------------------------------------------------------


def test_b1_documents_cannot_be_asked_for_a_draft_and_the_refusal_names_both_states(bureau):
    application = standalone(sea_subsidy())
    with pytest.raises(IllegalTransition) as illegal:
        services.request_documents(application, [{"item": "死亡证明", "reason": "缺页"}], user=bureau)
    assert (illegal.value.source, illegal.value.target) == (A.DRAFT, A.MORE_DOCUMENTS)


def test_b1_a_request_for_documents_is_logged_as_the_officers_with_each_item_and_reason(bureau):
    application = submitted(standalone(sea_subsidy()))
    day = today() - days(3)
    application = services.request_documents(
        application,
        [
            {"reason": "没有写材料名的一行不算"},
            {"item": " 海葬证明 ", "reason": " 照片模糊 "},
            {"item": "死亡证明", "reason": "缺页"},
        ],
        user=bureau,
        today=day,
    )
    stored = BenefitApplication.objects.get(pk=application.pk)
    assert stored.documents_requested_on == day
    assert stored.requested_documents == [
        {"item": "海葬证明", "reason": "照片模糊"},
        {"item": "死亡证明", "reason": "缺页"},
    ]
    assert moves(application)[-1] == (A.MORE_DOCUMENTS, bureau, "海葬证明：照片模糊；死亡证明：缺页")


def test_b1_each_document_asked_for_needs_its_reason_on_the_requested_documents_field(bureau):
    application = submitted(standalone(sea_subsidy()))
    whole = {"requested_documents": ["请一次性列明需补充的每项材料及其原因。"]}
    assert (
        refused(services.request_documents, application, [{"item": "死亡证明"}], user=bureau).message_dict
        == whole
    )
    assert refused(services.request_documents, application, [], user=bureau).message_dict == whole
    assert BenefitApplication.objects.get(pk=application.pk).status == A.SUBMITTED


def test_b1_documents_the_scheme_does_not_ask_for_are_named_on_the_requested_documents_field(bureau):
    application = submitted(standalone(sea_subsidy()))
    wanted = [{"item": "护照", "reason": "核对身份"}, {"item": "户口本", "reason": "核对户籍"}]
    refusal = refused(services.request_documents, application, wanted, user=bureau)
    assert refusal.message_dict == {"requested_documents": ["“护照、户口本”不在本政策的所需材料中。"]}


def test_b1_criteria_stored_without_a_document_list_ask_for_none(bureau):
    application = submitted(standalone(sea_subsidy()))
    criteria = dict(application.criteria)
    del criteria["required_documents"]
    BenefitApplication.objects.filter(pk=application.pk).update(criteria=criteria)
    refusal = refused(
        services.request_documents, application, [{"item": "死亡证明", "reason": "缺页"}], user=bureau
    )
    assert refusal.message_dict == {"requested_documents": ["“死亡证明”不在本政策的所需材料中。"]}


# --- Deciding -----------------------------------------------------------------------------------------


def test_b1_only_a_submitted_application_can_be_approved_or_rejected_and_the_refusal_names_both_states(
    bureau,
):
    application = standalone(sea_subsidy())
    with pytest.raises(IllegalTransition) as approving:
        services.approve(application, user=bureau)
    assert (approving.value.source, approving.value.target) == (A.DRAFT, A.APPROVED)
    with pytest.raises(IllegalTransition) as rejecting:
        services.reject(application, user=bureau, reason="材料不实")
    assert (rejecting.value.source, rejecting.value.target) == (A.DRAFT, A.REJECTED)


def test_b1_an_approval_refused_by_a_criterion_says_which(bureau):
    application = submitted(standalone(sea_subsidy()))
    BenefitApplication.objects.filter(pk=application.pk).update(payee_account="")
    application.refresh_from_db()
    refusal = refused(services.approve, application, user=bureau)
    expected = explain(check(application))
    assert expected and refusal.messages == expected
    assert any("收款" in message for message in refusal.messages)


def test_b1_a_rejection_without_reasons_is_refused_on_the_reason_field(bureau):
    application = submitted(standalone(sea_subsidy()))
    for reason in ("", None, "  "):
        refusal = refused(services.reject, application, user=bureau, reason=reason)
        assert refusal.message_dict == {"decision_reason": ["请写明不予批准的理由。"]}
    assert BenefitApplication.objects.get(pk=application.pk).status == A.SUBMITTED


def test_b1_an_approval_is_dated_the_day_given_and_logged_as_the_officers(bureau):
    application = submitted(standalone(sea_subsidy()))
    day = today() + days(2)
    application = services.approve(application, user=bureau, today=day, reason="符合条件")
    assert BenefitApplication.objects.get(pk=application.pk).decided_on == day
    assert moves(application)[-1] == (A.APPROVED, bureau, "符合条件")


def test_b1_a_rejection_is_logged_as_the_officers_with_its_reasons(bureau):
    application = services.reject(submitted(standalone(sea_subsidy())), user=bureau, reason=" 材料不实 ")
    assert moves(application)[-1] == (A.REJECTED, bureau, "材料不实")


@pytest.fixture
def letter_links(monkeypatch):
    """The verification link printed on each decision letter sealed."""
    links = []
    render = letters.render

    def spy(application, code, url):
        links.append(url)
        return render(application, code, url)

    monkeypatch.setattr(letters, "render", spy)
    return links


@pytest.mark.parametrize("decide", ["approve", "reject"])
def test_b1_the_decision_letter_links_to_the_address_given_or_the_sites(decide, bureau, letter_links):
    def decision(**kwargs):
        application = submitted(standalone(sea_subsidy(code=f"s-{len(letter_links)}")))
        if decide == "approve":
            return services.approve(application, user=bureau, **kwargs)
        return services.reject(application, user=bureau, reason="材料不实", **kwargs)

    given = decision(base_url="https://b1.example.test/")
    site = decision()
    assert letter_links == [
        f"https://b1.example.test/verify/{given.decision_letter.code}/",
        f"{settings.WAGTAILADMIN_BASE_URL.rstrip('/')}/verify/{site.decision_letter.code}/",
    ]


# --- Withdrawing ----------------------------------------------------------------------------------------


def test_b1_a_withdrawal_is_logged_as_the_familys_with_its_reason_and_stops_the_clock():
    application = submitted(standalone(sea_subsidy()))
    assert application.decision_due is not None
    application = services.withdraw(application, user=application.applicant, reason="在别处已办理")
    assert BenefitApplication.objects.get(pk=application.pk).decision_due is None
    assert moves(application)[-1] == (A.WITHDRAWN, application.applicant, "在别处已办理")
    draft = standalone(sea_subsidy(code="other"))
    services.withdraw(draft, user=draft.applicant)
    assert moves(draft) == [(A.WITHDRAWN, draft.applicant, "")]


# --- Query counts ---------------------------------------------------------------------------------------


def test_b1_the_familys_list_reads_each_applications_scheme_and_order_in_one_query(
    django_assert_num_queries,
):
    scenario = Scenario()
    from_order(basic_waiver(), scenario)
    with django_assert_num_queries(1):
        rows = [(a.scheme.name, a.order.reference) for a in services.applications_for(scenario.family)]
    assert rows == [("困难群众基本殡葬服务费用减免", scenario.order.reference)]


def test_b1_a_move_reads_the_scheme_with_the_locked_application(django_assert_max_num_queries):
    application = standalone(sea_subsidy())
    with django_assert_max_num_queries(WITHDRAW_QUERIES):
        services.withdraw(application, user=application.applicant)


WITHDRAW_QUERIES = 15
