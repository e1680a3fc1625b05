"""B1: the bureau's side of 惠民殡葬 in the Wagtail admin. An officer of the funeral section
works the queue (open applications by working-day deadline), reads each application with its
criteria as they stand now and its documents (served only while their hash matches), and
approves, rejects or asks for more documents through the admin pages; the family is told by
SMS and gets a sealed, verifiable decision letter. Officers of other sections and families
can't reach any of it. The bureau's schemes are edited with their rules checked, and never
deleted; the finance office lists the payment instructions, account numbers masked."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.models import ModelLogEntry

from accounts import sms
from accounts.groups import SOCIAL_ORG_SECTION
from core import sealing
from core.admin_queues import queues_for
from marketplace.benefits import services
from marketplace.benefits.models import ApplicationStatus, BenefitApplication, BenefitScheme, SchemeKind
from marketplace.catalogue.models import ServiceCategory
from tests.factories.accounts import PASSWORD, UserFactory
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

pytestmark = pytest.mark.django_db

A = ApplicationStatus
QUEUE = "/admin/funeral/benefits/applications/"
SCHEMES = "/admin/funeral/benefits/schemes/"
INSTRUCTIONS = "/admin/funeral/benefits/payment-instructions/"
ACCOUNT = "6222020200112233445"


def review_url(application):
    return f"{QUEUE}edit/{application.pk}/"


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def rows(response):
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def officer():
    return bureau_officer()


@pytest.fixture
def officer_client(officer):
    return login(officer)


@pytest.fixture
def scheme():
    return sea_subsidy()


def submitted_on(scheme, day, n):
    """A sea-burial subsidy application for a different deceased, submitted on ``day``."""
    application = standalone(
        scheme,
        deceased_id=id_number(f"110105193801{n:05d}"),
        deceased_name=f"逝者{n}",
        date_of_death=today() - datetime.timedelta(days=30),
    )
    upload_all(application, png=True)
    return services.submit(application, user=application.applicant, today=day)


# --- The queue ------------------------------------------------------------------------------------


def test_b1_queue_lists_submitted_applications_by_deadline(officer_client, scheme):
    # A week apart, so the deadlines differ whatever the weekday and the holidays.
    later = submitted_on(scheme, today(), 1)
    sooner = submitted_on(scheme, today() - datetime.timedelta(days=14), 2)
    middle = submitted_on(scheme, today() - datetime.timedelta(days=7), 3)
    waiting = submitted_on(scheme, today() - datetime.timedelta(days=2), 4)
    services.request_documents(waiting, [{"item": "海葬证明", "reason": "看不清"}], user=bureau_officer())
    draft = standalone(scheme, deceased_id=id_number("11010519380100099"), deceased_name="未提交的草稿")
    html = officer_client.get(QUEUE).content.decode()
    positions = [html.index(a.number) for a in (sooner, middle, later)]
    assert positions == sorted(positions)
    assert "剩余" in html and "个工作日" in html
    assert waiting.number not in html  # the family owes the next step
    assert draft.number not in html  # the family's own until submitted
    everything = officer_client.get(QUEUE, {"view": "all"}).content.decode()
    assert waiting.number in everything and draft.number not in everything


def test_b1_the_dashboard_shows_the_queue_to_the_funeral_section(officer, officer_client, scheme):
    submitted_on(scheme, today(), 1)
    assert "benefit_applications" in {q.key for q in queues_for(officer)}
    html = officer_client.get("/admin/").content.decode()
    assert "惠民殡葬申请审核" in html and QUEUE in html
    other = UserFactory(is_staff=True)
    other.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    assert "benefit_applications" not in {q.key for q in queues_for(other)}


def test_b1_an_early_warning_links_to_the_review_page(officer, scheme):
    application = submitted_on(scheme, today(), 1)
    assert AdminURLFinder(officer).get_edit_url(application) == review_url(application)


def test_b1_queue_export_has_the_row_and_neutralises_formulas(officer_client, scheme):
    application = submitted_on(scheme, today(), 1)
    BenefitApplication.objects.filter(pk=application.pk).update(deceased_name="=HYPERLINK(1)")
    table = rows(officer_client.get(QUEUE, {"export": "csv"}))
    assert table[0][:3] == ["申请编号", "政策", "政策类型"]
    [row] = table[1:]
    assert row[0] == application.number
    assert row[table[0].index("逝者姓名")] == "'=HYPERLINK(1)"
    assert row[table[0].index("银行账号（脱敏）")] == "6222***********3445"
    assert ACCOUNT not in "".join(row)
    assert row[table[0].index("剩余期限")].startswith("剩余")
    xlsx = officer_client.get(QUEUE, {"export": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]


@pytest.mark.parametrize("count", [10, 30])
def test_b1_queue_listing_query_count_stays_flat(officer, scheme, count, django_assert_max_num_queries):
    for n in range(count):
        submitted_on(scheme, today() - datetime.timedelta(days=n % 7), n)
    client = login(officer)
    client.get(QUEUE)  # warm the session and the content types
    with django_assert_max_num_queries(13):
        response = client.get(QUEUE)
    assert response.status_code == 200
    assert response.content.decode().count('data-countdown="') == min(count, 20)  # a page of 20


# --- The review page and its decisions -------------------------------------------------------------


def test_b1_review_page_shows_facts_criteria_documents_and_history(officer_client, scheme):
    application = submitted(standalone(scheme))
    html = officer_client.get(review_url(application)).content.decode()
    assert application.number in html and "李秀英" in html
    assert ACCOUNT in html  # the officer may decide: the full account to check it
    assert 'data-check="burial" data-passed="1"' in html and 'data-check="documents" data-passed="1"' in html
    for document in application.documents.all():
        assert reverse("benefit_applications:document", args=[document.pk]) in html
    assert "状态从“草稿”变为“已提交，审核中”" in html  # the transition history
    assert 'data-form="approve"' in html and 'data-form="reject"' in html
    assert 'data-form="request_documents"' in html
    assert "支付补贴 ¥4,000.00" in html  # what approving does, before it is done


def test_b1_officer_approves_a_subsidy_the_letter_verifies_and_the_family_is_told(
    officer, officer_client, scheme, django_capture_on_commit_callbacks
):
    application = submitted(standalone(scheme))
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            review_url(application), {"action": "approve", "approve-reason": "材料齐全，符合海葬补贴条件。"}
        )
    assert response.status_code == 302 and response["Location"] == review_url(application)
    application.refresh_from_db()
    assert application.status == A.APPROVED and application.decided_by == officer
    assert application.decision_reason == "材料齐全，符合海葬补贴条件。"
    assert application.instruction_number.startswith("ZF") and application.amount == Decimal("4000.00")
    letter = application.decision_letter
    with letter.file.open("rb") as handle:
        assert sealing.verify_pdf(handle.read()).ok
    assert "已批准" in sms.outbox[-1].text and sms.outbox[-1].mobile == application.applicant.mobile
    page = officer_client.get(review_url(application)).content.decode()
    assert letter.code in page and reverse("verify:detail", args=[letter.code]) in page
    assert application.instruction_number in page
    assert 'data-form="approve"' not in page  # decided: nothing left to do
    public = Client().get(reverse("verify:detail", args=[letter.code])).content.decode()
    assert "已批准" in public and application.instruction_number in public
    letter_response = officer_client.get(reverse("benefit_applications:letter", args=[application.pk]))
    assert letter_response["Content-Type"] == "application/pdf"


def test_b1_officer_approves_a_waiver_and_the_change_order_is_shown(officer_client):
    scenario = Scenario()
    scenario.advance("countersigned")
    application = submitted(from_order(basic_waiver(), scenario))
    response = officer_client.post(review_url(application), {"action": "approve"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.APPROVED and application.waiver_change is not None
    page = officer_client.get(review_url(application)).content.decode()
    assert application.waiver_change.display_number in page
    assert application.decision_letter.code in page
    assert reverse("orders_admin:inspect", args=[scenario.order.pk]) in page


def test_b1_officer_rejects_with_reasons_and_an_empty_reason_is_refused(
    officer_client, scheme, django_capture_on_commit_callbacks
):
    application = submitted(standalone(scheme))
    response = officer_client.post(
        review_url(application), {"action": "reject", "reject-decision_reason": "  "}
    )
    assert response.status_code == 400
    assert "请填写不予批准的理由" in response.content.decode()
    application.refresh_from_db()
    assert application.status == A.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            review_url(application),
            {"action": "reject", "reject-decision_reason": "海葬证明与死亡证明姓名不一致"},
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.REJECTED and application.decision_reason == "海葬证明与死亡证明姓名不一致"
    with application.decision_letter.file.open("rb") as handle:
        assert sealing.verify_pdf(handle.read()).ok
    assert "未获批准" in sms.outbox[-1].text


def test_b1_officer_requests_documents_each_with_its_reason(
    officer_client, scheme, django_capture_on_commit_callbacks
):
    application = submitted(standalone(scheme))
    # "海葬证明" is item 1 of the scheme's documents; ticked without a reason, nothing moves and
    # what was typed stays on the form.
    response = officer_client.post(
        review_url(application),
        {
            "action": "request_documents",
            "request_documents-item_1": "on",
            "request_documents-reason_0": "请提供加盖公章的原件照片",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "请写明需要补充这项材料的原因" in html and "请勾选这项材料" in html
    assert "请提供加盖公章的原件照片" in html
    application.refresh_from_db()
    assert application.status == A.SUBMITTED
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            review_url(application),
            {
                "action": "request_documents",
                "request_documents-item_0": "on",
                "request_documents-reason_0": "请提供加盖公章的原件照片",
                "request_documents-item_1": "on",
                "request_documents-reason_1": "照片模糊，无法辨认",
            },
        )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.MORE_DOCUMENTS and application.decision_due is None
    assert application.requested_documents == [
        {"item": "死亡证明", "reason": "请提供加盖公章的原件照片"},
        {"item": "海葬证明", "reason": "照片模糊，无法辨认"},
    ]
    assert "需补充材料：死亡证明、海葬证明" in sms.outbox[-1].text
    page = officer_client.get(review_url(application)).content.decode()
    assert "照片模糊，无法辨认" in page
    # Waiting for the family: only a rejection is the bureau's to make now.
    assert 'data-form="reject"' in page and 'data-form="approve"' not in page
    response = officer_client.post(review_url(application), {"action": "approve"})
    assert response.status_code == 409
    application.refresh_from_db()
    assert application.status == A.MORE_DOCUMENTS


def test_b1_a_service_refusal_is_shown_on_the_form_and_nothing_moves(officer_client, scheme):
    application = submitted(standalone(scheme))
    BenefitApplication.objects.filter(pk=application.pk).update(payee_account="")
    response = officer_client.post(
        review_url(application), {"action": "approve", "approve-reason": "同意（测试保留的文字）"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "收款账户" in html and "请填写收款人姓名、开户银行和银行账号" in html
    assert "同意（测试保留的文字）" in html
    application.refresh_from_db()
    assert application.status == A.SUBMITTED and application.decision_letter is None


def test_b1_a_tampered_document_answers_409(officer_client, scheme):
    application = submitted(standalone(scheme))
    document = application.documents.first()
    url = reverse("benefit_applications:document", args=[document.pk])
    intact = officer_client.get(url)
    assert intact.status_code == 200 and intact["Content-Type"] == "application/pdf"
    with document.file.open("wb") as handle:
        handle.write(b"%PDF-1.4 altered")
    assert officer_client.get(url).status_code == 409


# --- Who may ---------------------------------------------------------------------------------------


def every_url(application, document):
    return [
        QUEUE,
        f"{QUEUE}?export=csv",
        review_url(application),
        reverse("benefit_applications:document", args=[document.pk]),
        reverse("benefit_applications:letter", args=[application.pk]),
        SCHEMES,
        f"{SCHEMES}new/",
        f"{SCHEMES}edit/{application.scheme_id}/",
        INSTRUCTIONS,
        f"{INSTRUCTIONS}?export=csv",
    ]


def test_b1_other_sections_and_families_reach_nothing(scheme):
    application = services.reject(submitted(standalone(scheme)), user=bureau_officer(), reason="测试")
    document = application.documents.first()
    other = UserFactory(is_staff=True)
    other.groups.add(Group.objects.get(name=SOCIAL_ORG_SECTION))
    family = application.applicant
    for user, expected in ((other, (302, 403)), (family, (302,))):
        client = login(user)
        for url in every_url(application, document):
            response = client.get(url)
            assert response.status_code in expected, (user, url, response.status_code)
            if response.status_code == 302:
                assert "/admin/login/" in response["Location"] or response["Location"] == "/admin/"
    fresh = submitted_on(scheme, today(), 7)
    for user in (other, family):
        response = login(user).post(review_url(fresh), {"action": "approve"})
        assert response.status_code in (302, 403)
    fresh.refresh_from_db()
    assert fresh.status == A.SUBMITTED


# --- Schemes ---------------------------------------------------------------------------------------


def scheme_data(**overrides):
    data = {
        "code": "tree-burial-subsidy",
        "name": "树葬补贴",
        "name_en": "",
        "kind": SchemeKind.SUBSIDY,
        "summary": "选择树葬的给予补贴。",
        "legal_basis": "京民殡发〔2017〕103号",
        "districts": ["chaoyang", "haidian"],
        "burial_types": ["natural"],
        "family_statuses": [],
        "claim_window_days": "90",
        "amount": "3000.00",
        "required_documents": "死亡证明\n\n  树葬证明  \n",
        "effective_from": today().isoformat(),
        "effective_until": "",
        "sort_order": "0",
    }
    data.update(overrides)
    return data


def test_b1_a_scheme_is_created_with_its_lists(officer_client):
    response = officer_client.post(f"{SCHEMES}new/", scheme_data())
    assert response.status_code == 302
    scheme = BenefitScheme.objects.get(code="tree-burial-subsidy")
    assert scheme.districts == ["chaoyang", "haidian"] and scheme.burial_types == ["natural"]
    assert scheme.required_documents == ["死亡证明", "树葬证明"] and scheme.amount == Decimal("3000.00")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"amount": ""}, "amount", "现金补贴类政策须填写补贴金额"),
        ({"amount": "0"}, "amount", "补贴金额须大于 0 元"),
        ({"kind": SchemeKind.WAIVER, "amount": ""}, "waived_categories", "须至少选择一个免除的服务类别"),
        ({"effective_until": "2000-01-01"}, "effective_until", "失效日期不能早于生效日期"),
        ({"required_documents": "死亡证明\n死亡证明"}, "required_documents", "材料重复：死亡证明"),
    ],
)
def test_b1_a_scheme_form_refuses_what_the_rules_forbid(officer_client, overrides, field, message):
    response = officer_client.post(f"{SCHEMES}new/", scheme_data(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BenefitScheme.objects.filter(code="tree-burial-subsidy").exists()


def test_b1_a_waiver_scheme_names_basic_or_extended_categories(officer_client):
    basic = ServiceCategory.objects.get(code="basic")
    form_html = officer_client.get(f"{SCHEMES}new/").content.decode()
    assert f"{basic.code} · {basic.name}" in form_html
    goods = ServiceCategory.objects.filter(kind=ServiceCategory.Kind.GOODS).first()
    if goods is not None:
        assert f"{goods.code} · {goods.name}" not in form_html
    data = scheme_data(kind=SchemeKind.WAIVER, amount="", waived_categories=[str(basic.pk)], code="waiver-x")
    assert officer_client.post(f"{SCHEMES}new/", data).status_code == 302
    assert list(BenefitScheme.objects.get(code="waiver-x").waived_categories.all()) == [basic]


def test_b1_a_scheme_edit_is_logged_in_labels_and_it_is_never_deleted(officer_client, scheme):
    data = scheme_data(
        code=scheme.code,
        name=scheme.name,
        districts=["dongcheng"],
        burial_types=["sea"],
        effective_from=scheme.effective_from.isoformat(),
    )
    response = officer_client.post(f"{SCHEMES}edit/{scheme.pk}/", data)
    assert response.status_code == 302
    entry = ModelLogEntry.objects.for_instance(scheme).filter(action="wagtail.edit").get()
    assert "户籍所在区：— → 东城区" in entry.message
    submitted(standalone(BenefitScheme.objects.get(pk=scheme.pk), hukou_district="dongcheng"))
    superuser = UserFactory(is_staff=True, is_superuser=True)
    response = login(superuser).post(f"{SCHEMES}delete/{scheme.pk}/")
    assert response.status_code in (302, 403)
    assert BenefitScheme.objects.filter(pk=scheme.pk).exists()
    assert f"{SCHEMES}delete/" not in login(superuser).get(f"{SCHEMES}edit/{scheme.pk}/").content.decode()


# --- Payment instructions ----------------------------------------------------------------------------


def test_b1_payment_instructions_list_approved_payments_with_the_account_masked(
    officer, officer_client, scheme
):
    approved = services.approve(submitted(standalone(scheme)), user=officer)
    pending = submitted_on(scheme, today(), 5)
    html = officer_client.get(INSTRUCTIONS).content.decode()
    assert approved.instruction_number in html and "6222***********3445" in html
    assert ACCOUNT not in html and pending.number not in html
    assert "4,000.00" in html
    table = rows(officer_client.get(INSTRUCTIONS, {"export": "csv"}))
    assert table[0][:3] == ["支付指令编号", "支付指令时间", "收款人姓名"]
    [row] = table[1:]
    assert row[0] == approved.instruction_number and row[table[0].index("申请编号")] == approved.number
    assert row[table[0].index("银行账号（脱敏）")] == "6222***********3445"
    assert row[table[0].index("金额（元）")] == "4000.00"
    assert ACCOUNT not in "".join(row)
    # The finance office filters by the day the instruction was given.
    tomorrow = (today() + datetime.timedelta(days=1)).isoformat()
    assert rows(officer_client.get(INSTRUCTIONS, {"export": "csv", "instructed_from": tomorrow}))[1:] == []
    same_day = {"instructed_from": today().isoformat(), "instructed_to": today().isoformat()}
    assert approved.instruction_number in officer_client.get(INSTRUCTIONS, same_day).content.decode()
    # Read-only: nothing to add.
    assert login(officer).get(f"{INSTRUCTIONS}new/").status_code in (302, 403)
