"""B1: the family's 惠民殡葬 pages (/benefits/). The whole errand through the client: apply
standalone or from one's own order, see each criterion checked live with its reason, upload the
documents (checked by content), submit and follow the deadline, withdraw, and download the
sealed decision letter. Another family's application, order or letter answers 404; an account
whose mobile number is not proven by SMS can't apply; flat query counts; English pages."""

import datetime
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from accounts import sms
from marketplace.benefits import hooks, services
from marketplace.benefits.models import ApplicationDocument, ApplicationStatus, BenefitApplication
from marketplace.orders import identity
from marketplace.orders import services as order_services
from marketplace.orders.models import OrderStatus
from tests.factories.accounts import UserFactory
from tests.factories.benefits import (
    SEA_DOCUMENTS,
    basic_waiver,
    bureau_officer,
    from_order,
    sea_subsidy,
    standalone,
    submitted,
    today,
    upload_all,
)
from tests.factories.orders import Scenario, family_user, id_number
from tests.factories.orgs import PNG_BYTES, pdf_bytes, upload

pytestmark = pytest.mark.django_db

A = ApplicationStatus
DECEASED_ID = id_number("11010519380101222")


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def html(response):
    return response.content.decode()


def standalone_answers(**overrides):
    answers = {
        "deceased_name": "李秀英",
        "deceased_id": DECEASED_ID,
        "date_of_death": (today() - datetime.timedelta(days=10)).isoformat(),
        "hukou_district": "chaoyang",
        "burial_type": "sea",
        "family_status": "none",
        "relation": "儿子",
        "payee_name": "李强",
        "payee_bank": "中国工商银行北京朝阳支行",
        "payee_account": "6222 0202 0011 2233 445",
    }
    answers.update(overrides)
    return answers


def check_of(page, key):
    """The ``<li>`` of one criterion in a page or fragment."""
    match = re.search(rf'<li [^>]*data-check="{key}"[^>]*>.*?</li>', page, re.S)
    assert match, f"no check {key}"
    return match.group(0)


def passed(item):
    return 'data-passed="1"' in item


# --- The whole journey ---------------------------------------------------------------------------------


def test_b1_a_family_applies_for_the_sea_subsidy_uploads_submits_and_sees_the_deadline():
    scheme = sea_subsidy()
    user = family_user()
    client = signed_in(user)

    index = html(client.get("/benefits/"))
    assert scheme.name in index and "京民殡发〔2017〕103号" in index
    assert "4,000.00" in index and "须在死亡后 180 天内申请" in index and "海葬证明" in index
    apply_url = reverse("benefits:apply", args=[scheme.code])
    assert f'href="{apply_url}"' in index

    form = html(client.get(apply_url))
    assert 'data-precheck-url="/benefits/apply/sea-burial-subsidy/checks/"' in form
    assert 'aria-live="polite" data-precheck-region' in form and "core/live-checks.js" in form
    # Radio groups are fieldsets with a legend; every other input has its label.
    assert re.search(
        r'<fieldset class="field radio-group" id="id_burial_type"[^>]*>\s*<legend>安葬方式', form
    )
    for name in ("deceased_name", "deceased_id", "date_of_death", "hukou_district", "payee_account"):
        assert f'<label for="id_{name}">' in form

    response = client.post(apply_url, standalone_answers())
    application = BenefitApplication.objects.get(applicant=user)
    assert response.status_code == 302 and response["Location"] == application.get_absolute_url()
    assert application.status == A.DRAFT and application.deceased_id_masked == identity.mask(DECEASED_ID)
    assert application.payee_account == "6222020200112233445"

    detail = html(client.get(application.get_absolute_url()))
    assert DECEASED_ID not in detail and application.deceased_id_masked in detail
    assert "6222020200112233445" not in detail and "6222***********3445" in detail
    assert detail.count('data-uploaded="0"') == 2
    assert not passed(check_of(detail, "documents")) and passed(check_of(detail, "burial"))

    for item in SEA_DOCUMENTS:
        response = client.post(
            reverse("benefits:upload", args=[application.number]),
            {"item": item, "file": upload(f"{item}.pdf", pdf_bytes(item))},
        )
        assert response.status_code == 302
    detail = html(client.get(application.get_absolute_url()))
    assert detail.count('data-uploaded="1"') == 2 and "死亡证明.pdf" in detail
    assert passed(check_of(detail, "documents"))

    response = client.post(reverse("benefits:submit", args=[application.number]))
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == A.SUBMITTED and application.decision_due
    due = application.decision_due.isoformat()
    detail = html(client.get(application.get_absolute_url(), follow=True))
    assert f'data-decision-due="{due}"' in detail and f"民政部门应在 {due} 前作出决定" in detail
    assert 'data-days-left="' in detail and "个工作日" in detail
    assert 'data-step="submitted" data-state="done"' in detail
    assert 'data-step="review" data-state="current"' in detail
    # Submitted: no upload form and no submit button any more; withdrawing is still possible.
    assert f'action="{reverse("benefits:upload", args=[application.number])}"' not in detail
    assert f'action="{reverse("benefits:submit", args=[application.number])}"' not in detail
    assert reverse("benefits:withdraw", args=[application.number]) in detail

    index = html(client.get("/benefits/"))
    assert application.number in index and "已提交，审核中" in index and due in index


def test_b1_the_identity_number_is_never_echoed_and_a_corrected_form_keeps_it():
    scheme = sea_subsidy()
    user = family_user()
    client = signed_in(user)
    url = reverse("benefits:apply", args=[scheme.code])
    response = client.post(url, standalone_answers(hukou_district="", payee_account="12ab"))
    page = html(response)
    assert response.status_code == 400
    assert DECEASED_ID not in page and identity.mask(DECEASED_ID) in page
    assert "请选择逝者户籍所在区" in page and "银行账号只能是数字" in page
    assert 'value="李秀英"' in page  # everything else typed is kept
    assert not BenefitApplication.objects.exists()
    # The number was kept on the server: the corrected form needs no second typing.
    response = client.post(url, standalone_answers(deceased_id=""))
    assert response.status_code == 302
    assert BenefitApplication.objects.get().deceased_id_masked.endswith(DECEASED_ID[-4:])
    # A bad number is refused next to its field.
    response = client.post(url, standalone_answers(deceased_id="110105193801012229"))
    assert response.status_code == 400 and "身份证号码校验位不正确" in html(response)


def test_b1_applying_from_ones_own_order_keeps_the_deceaseds_facts_from_the_order():
    scenario = Scenario()
    order = scenario.order
    waiver = basic_waiver()
    client = signed_in(scenario.family)

    index = html(client.get(f"/benefits/?order={order.reference}"))
    assert f'data-selected-order="{order.reference}"' in index
    assert f"/benefits/apply/{waiver.code}/?order={order.reference}" in index

    url = f"{reverse('benefits:apply', args=[waiver.code])}?order={order.reference}"
    page = html(client.get(url))
    assert 'name="deceased_name"' not in page and 'name="date_of_death"' not in page
    assert 'name="deceased_id"' not in page and 'name="payee_account"' not in page
    assert order.deceased_name in page and order.date_of_death.isoformat() in page
    assert f'<input type="hidden" name="order" value="{order.reference}">' in page
    # The waiver's order check passes live: the order holds basic services it waives.
    assert passed(check_of(page, "order"))

    response = client.post(
        url,
        {
            "deceased_name": "别人",
            "date_of_death": "2020-01-01",
            "hukou_district": "haidian",
            "burial_type": "ordinary",
            "family_status": "subsistence",
            "relation": "女儿",
        },
    )
    application = BenefitApplication.objects.get()
    assert response.status_code == 302
    assert application.order == order and application.deceased_name == order.deceased_name
    assert application.date_of_death == order.date_of_death
    assert application.deceased_id_hmac == order.deceased_id_hmac and application.relation == "女儿"
    detail = html(client.get(application.get_absolute_url()))
    assert f'href="{order.get_absolute_url()}"' in detail and "取自订单" in detail
    # Editing a draft from an order can't change the order's facts either.
    edit = html(client.get(reverse("benefits:edit", args=[application.number])))
    assert 'name="deceased_name"' not in edit and 'name="hukou_district"' in edit


def test_b1_a_waiver_without_an_order_explains_that_it_goes_through_an_order():
    waiver = basic_waiver()
    client = signed_in(family_user())
    page = html(client.get(reverse("benefits:apply", args=[waiver.code])))
    assert "data-waiver-needs-order" in page
    order_check = check_of(page, "order")
    assert not passed(order_check) and "费用减免须通过本平台的殡葬服务订单办理" in order_check


def test_b1_the_order_page_offers_to_apply_for_its_owner_while_the_order_is_open(
    rf, django_assert_num_queries
):
    scenario = Scenario()
    request = rf.get("/")
    request.user = scenario.family
    with django_assert_num_queries(0):
        label, url = hooks.order_action(request, scenario.order)
    assert label == "申请惠民殡葬" and url == f"/benefits/?order={scenario.order.reference}#schemes-h"
    # Registered in AppConfig.ready(): the family's order page shows it.
    order_page = html(signed_in(scenario.family).get(scenario.order.get_absolute_url()))
    assert f'href="/benefits/?order={scenario.order.reference}#schemes-h"' in order_page
    request.user = family_user(mobile="13900000001")
    assert hooks.order_action(request, scenario.order) is None
    order_services.cancel_order(scenario.refresh(), scenario.family, reason="改在别处办理")
    request.user = scenario.family
    assert scenario.refresh().status == OrderStatus.CANCELLED
    assert hooks.order_action(request, scenario.order) is None


# --- Live eligibility -------------------------------------------------------------------------------------


def test_b1_the_live_checks_fragment_shows_each_criterion_passing_and_failing_with_its_reason():
    scheme = sea_subsidy()
    client = signed_in(family_user())
    url = reverse("benefits:checks", args=[scheme.code])

    good = html(client.post(url, standalone_answers()))
    assert "<html" not in good and '<ul class="checks" data-checks>' in good
    for key in ("in_force", "window", "district", "burial", "payee", "once"):
        assert passed(check_of(good, key)), key
    assert "安葬方式为海葬，符合（海葬）" in check_of(good, "burial")
    documents = check_of(good, "documents")
    assert 'data-pending="1"' in documents and "待上传" in documents and "死亡证明" in documents

    bad = html(
        client.post(
            url,
            standalone_answers(
                burial_type="ordinary",
                date_of_death=(today() - datetime.timedelta(days=200)).isoformat(),
                payee_account="",
            ),
        )
    )
    burial, window, payee = check_of(bad, "burial"), check_of(bad, "window"), check_of(bad, "payee")
    assert not passed(burial) and "政策仅适用于海葬" in burial and "✗" in burial
    assert not passed(window) and "已超过期限" in window
    assert not passed(payee) and "请填写收款人姓名、开户银行和银行账号" in payee
    assert passed(check_of(bad, "district")) and "✓" in check_of(bad, "district")

    # Nothing typed yet: the criteria wait for their answers instead of failing.
    blank = html(client.post(url, {}))
    for key in ("in_force", "district", "burial", "payee", "once"):
        assert 'data-pending="1"' in check_of(blank, key) and "待填写" in check_of(blank, key), key

    # The same deceased already holds the scheme: the "once" check fails as the family types.
    submitted(standalone(scheme, applicant=UserFactory()))
    again = html(client.post(url, standalone_answers()))
    assert not passed(check_of(again, "once")) and "该逝者已有同一政策的申请" in check_of(again, "once")

    # Nothing was saved by checking.
    assert BenefitApplication.objects.count() == 1
    # The checks of a saved draft being edited use its number.
    draft = standalone(scheme, applicant=UserFactory(), deceased_id=id_number("11010519500101333"))
    other = signed_in(draft.applicant)
    fragment = html(other.post(url, {**standalone_answers(burial_type="natural"), "number": draft.number}))
    assert not passed(check_of(fragment, "burial")) and 'data-pending="1"' not in fragment


# --- Documents, submission, withdrawal --------------------------------------------------------------------


def test_b1_a_wrong_file_type_is_refused_with_a_translated_message_and_nothing_is_lost():
    scheme = sea_subsidy()
    application = standalone(scheme, applicant=family_user())
    client = signed_in(application.applicant)
    url = reverse("benefits:upload", args=[application.number])
    assert (
        client.post(url, {"item": "死亡证明", "file": upload("死亡证明.png", PNG_BYTES)}).status_code == 302
    )

    response = client.post(
        url, {"item": "死亡证明", "file": upload("死亡证明.pdf", b"<html>not a pdf</html>")}
    )
    page = html(response)
    assert response.status_code == 400
    assert "该文件扩展名为 .pdf，但内容不是有效的 PDF 文件。" in page
    assert 'id="error-summary"' in page and 'href="#doc0_file"' in page
    assert 'aria-describedby="doc0_file_helptext doc0_file_error"' in page
    current = ApplicationDocument.objects.get(application=application, current=True)
    assert current.original_name == "死亡证明.png"
    assert ApplicationDocument.objects.filter(application=application).count() == 1
    application.refresh_from_db()
    assert application.status == A.DRAFT and application.hukou_district == "chaoyang"

    english = client.post(
        "/en" + url, {"item": "死亡证明", "file": upload("死亡证明.pdf", b"<html>not a pdf</html>")}
    )
    assert english.status_code == 400
    assert "The file ends in .pdf but its content is not a valid PDF." in html(english)


def test_b1_an_uploaded_document_replaced_is_noted_and_the_owner_downloads_it():
    application = standalone(sea_subsidy(), applicant=family_user())
    client = signed_in(application.applicant)
    url = reverse("benefits:upload", args=[application.number])
    client.post(url, {"item": "海葬证明", "file": upload("海葬证明-旧.pdf", pdf_bytes("旧"))})
    client.post(url, {"item": "海葬证明", "file": upload("海葬证明-新.pdf", pdf_bytes("新"))})
    page = html(client.get(application.get_absolute_url()))
    assert "海葬证明-新.pdf" in page and 'data-replaced="1"' in page and "海葬证明-旧.pdf" in page
    current = ApplicationDocument.objects.get(application=application, item="海葬证明", current=True)
    response = client.get(reverse("benefits:document", args=[application.number, current.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_b1_a_failed_submission_lists_every_reason_and_keeps_everything():
    application = standalone(sea_subsidy(), applicant=family_user(), burial_type="ordinary")
    client = signed_in(application.applicant)
    response = client.post(reverse("benefits:submit", args=[application.number]))
    page = html(response)
    assert response.status_code == 400 and 'id="error-summary"' in page
    summary = page[page.index('id="error-summary"') : page.index("</ul>", page.index('id="error-summary"'))]
    assert "安葬方式" in summary and "政策仅适用于海葬" in summary and 'href="#check-burial"' in summary
    assert "尚未上传：死亡证明、海葬证明" in summary and 'href="#documents-h"' in summary
    application.refresh_from_db()
    assert application.status == A.DRAFT and application.burial_type == "ordinary"


def test_b1_a_request_for_documents_is_shown_with_each_reason_and_resubmission_works():
    application = submitted(standalone(sea_subsidy(), applicant=family_user()))
    services.request_documents(
        application, [{"item": "海葬证明", "reason": "证明上的日期看不清"}], user=bureau_officer()
    )
    client = signed_in(application.applicant)
    page = html(client.get(application.get_absolute_url()))
    assert 'data-step="more_documents" data-state="current"' in page
    assert "证明上的日期看不清" in page and "data-requested" in page and "重新提交" in page
    assert page.count("待重新上传") == 1  # the item asked for, uploaded before the request
    client.post(
        reverse("benefits:upload", args=[application.number]),
        {"item": "海葬证明", "file": upload("海葬证明.pdf", pdf_bytes("清晰"))},
    )
    assert "待重新上传" not in html(client.get(application.get_absolute_url()))
    assert client.post(reverse("benefits:submit", args=[application.number])).status_code == 302
    application.refresh_from_db()
    assert application.status == A.SUBMITTED
    page = html(client.get(application.get_absolute_url()))
    assert 'data-step="more_documents" data-state="done"' in page and "重新提交" in page


def test_b1_withdrawing_asks_for_confirmation_first():
    application = submitted(standalone(sea_subsidy(), applicant=family_user()))
    client = signed_in(application.applicant)
    url = reverse("benefits:withdraw", args=[application.number])
    page = html(client.get(url))
    assert "确认撤回" in page and "csrfmiddlewaretoken" in page
    application.refresh_from_db()
    assert application.status == A.SUBMITTED  # a GET changes nothing
    assert client.post(url, {"reason": "已在户籍地申请"}).status_code == 302
    application.refresh_from_db()
    assert application.status == A.WITHDRAWN
    page = html(client.get(application.get_absolute_url()))
    assert url not in page and 'data-step="decision" data-state="done"' in page


# --- Decisions and the letter -------------------------------------------------------------------------------


def test_b1_an_approved_subsidy_shows_the_amount_instruction_and_masked_account():
    application = services.approve(
        submitted(standalone(sea_subsidy(), applicant=family_user())), user=bureau_officer()
    )
    page = html(signed_in(application.applicant).get(application.get_absolute_url()))
    assert 'data-outcome="subsidy"' in page and "4,000.00" in page
    assert application.instruction_number in page
    assert "6222***********3445" in page and "6222020200112233445" not in page
    assert f'href="/verify/{application.decision_letter.code}/"' in page


def test_b1_an_approved_waiver_says_which_change_order_to_sign_on_the_order_page():
    scenario = Scenario()
    scenario.advance("countersigned")
    application = services.approve(submitted(from_order(basic_waiver(), scenario)), user=bureau_officer())
    change = application.waiver_change
    page = html(signed_in(scenario.family).get(application.get_absolute_url()))
    assert 'data-waiver-state="to_sign"' in page and change.display_number in page
    assert f'href="{scenario.order.get_absolute_url()}"' in page


def test_b1_the_letter_downloads_for_its_owner_and_altered_bytes_answer_409():
    application = services.approve(
        submitted(standalone(sea_subsidy(), applicant=family_user())), user=bureau_officer()
    )
    document = application.decision_letter
    client = signed_in(application.applicant)
    url = reverse("benefits:letter", args=[application.number])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with document.file.open("rb") as handle:
        assert b"".join(response.streaming_content) == handle.read()

    path = Path(document.file.path)
    altered = bytearray(path.read_bytes())
    altered[len(altered) // 2] ^= 0x01
    path.write_bytes(bytes(altered))
    response = client.get(url)
    assert response.status_code == 409 and response["Content-Type"].startswith("text/html")


def test_b1_a_draft_has_no_letter():
    application = standalone(sea_subsidy(), applicant=family_user())
    client = signed_in(application.applicant)
    assert client.get(reverse("benefits:letter", args=[application.number])).status_code == 404


# --- Permissions ----------------------------------------------------------------------------------------------


def test_b1_another_family_gets_404_everywhere_and_changes_nothing():
    scheme = sea_subsidy()
    scenario = Scenario()
    application = services.approve(
        submitted(standalone(scheme, applicant=scenario.family)), user=bureau_officer()
    )
    draft = upload_all(
        standalone(scheme, applicant=scenario.family, deceased_id=id_number("11010519500101333"))
    )
    document = draft.documents.first()
    stranger = signed_in(family_user(mobile="13900000002"))
    gets = [
        reverse("benefits:detail", args=[application.number]),
        reverse("benefits:detail", args=[draft.number]),
        reverse("benefits:edit", args=[draft.number]),
        reverse("benefits:withdraw", args=[draft.number]),
        reverse("benefits:letter", args=[application.number]),
        reverse("benefits:document", args=[draft.number, document.pk]),
        f"{reverse('benefits:apply', args=[scheme.code])}?order={scenario.order.reference}",
        f"/benefits/?order={scenario.order.reference}",
    ]
    for url in gets:
        assert stranger.get(url).status_code == 404, url
    posts = [
        (
            reverse("benefits:upload", args=[draft.number]),
            {"item": "死亡证明", "file": upload("x.png", PNG_BYTES)},
        ),
        (reverse("benefits:submit", args=[draft.number]), {}),
        (reverse("benefits:withdraw", args=[draft.number]), {"reason": "探测"}),
        (reverse("benefits:edit", args=[draft.number]), standalone_answers()),
        (reverse("benefits:checks", args=[scheme.code]), {**standalone_answers(), "number": draft.number}),
        (reverse("benefits:checks", args=[scheme.code]), {"order": scenario.order.reference}),
        (
            f"{reverse('benefits:apply', args=[scheme.code])}?order={scenario.order.reference}",
            standalone_answers(),
        ),
    ]
    for url, data in posts:
        assert stranger.post(url, data).status_code == 404, url
    draft.refresh_from_db()
    assert draft.status == A.DRAFT and draft.documents.count() == len(SEA_DOCUMENTS)
    assert BenefitApplication.objects.count() == 2
    # Signed out: to the sign-in page.
    response = Client().get(reverse("benefits:detail", args=[draft.number]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_b1_an_account_whose_mobile_is_not_verified_sees_why_and_cannot_apply():
    scheme = sea_subsidy()
    user = family_user(mobile_verified_at=None)
    client = signed_in(user)
    index = html(client.get("/benefits/"))
    assert "data-needs-verification" in index and "/accounts/login/sms/?next=" in index
    assert reverse("benefits:apply", args=[scheme.code]) not in index
    url = reverse("benefits:apply", args=[scheme.code])
    page = client.get(url)
    assert page.status_code == 403 and "用短信验证码验证手机号码" in html(page)
    assert client.post(url, standalone_answers()).status_code == 403
    assert (
        client.post(reverse("benefits:checks", args=[scheme.code]), standalone_answers()).status_code == 404
    )
    assert not BenefitApplication.objects.exists()


# --- Language ---------------------------------------------------------------------------------------------------


def test_b1_the_pages_follow_the_language_english_under_en():
    application = submitted(standalone(sea_subsidy(), applicant=family_user()))
    client = signed_in(application.applicant)
    index = html(client.get("/en/benefits/"))
    assert '<html lang="en"' in index
    assert "Sea burial subsidy" in index and "骨灰海撒补贴" not in index
    detail = html(client.get(f"/en{application.get_absolute_url()}"))
    assert "Sea burial subsidy" in detail and "骨灰海撒补贴" not in detail
    # The district comes from the catalogue's translated choices; the page's own words are
    # gettext's (these ones are already in the shared catalogues).
    assert "Chaoyang" in detail
    for english in ("Application number", "Next step", "Progress", "Date of death", "Required documents"):
        assert english in detail, english
    assert "My applications" in index and "Application number" in index
    # Chinese by default.
    assert "骨灰海撒补贴" in html(client.get("/benefits/"))


# --- Query counts --------------------------------------------------------------------------------------------------


def _many_applications(user, scheme, n, start=0):
    made = []
    for i in range(n):
        application = standalone(
            scheme,
            applicant=user,
            deceased_id=id_number(f"110105195001{start + i + 1:02d}444"),
            deceased_name=f"逝者{start + i}",
        )
        if i % 2 == 0:
            application = submitted(application)
        made.append(application)
    return made


# The site's header and footer are cached after a first request (and again after pages change):
# each measure is taken on a warm page, so the bound is the benefits page's own queries.
INDEX_QUERIES = 11
DETAIL_QUERIES = 12


def test_b1_my_applications_page_has_flat_queries(django_assert_max_num_queries):
    user = family_user()
    scheme = sea_subsidy()
    basic_waiver()
    client = signed_in(user)
    _many_applications(user, scheme, 2)
    client.get("/benefits/")
    with django_assert_max_num_queries(INDEX_QUERIES):
        assert client.get("/benefits/").status_code == 200
    _many_applications(user, scheme, 8, start=2)
    Scenario(family=user)
    Scenario(family=user)
    client.get("/benefits/")
    with django_assert_max_num_queries(INDEX_QUERIES):
        page = html(client.get("/benefits/"))
    assert page.count("data-application=") == 10 and page.count("data-days-left=") == 5


def test_b1_the_application_page_has_flat_queries_with_every_document(django_assert_max_num_queries):
    application = standalone(sea_subsidy(), applicant=family_user())
    client = signed_in(application.applicant)
    client.get(application.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_QUERIES):
        assert client.get(application.get_absolute_url()).status_code == 200
    for _round in range(3):
        upload_all(application)
    upload_all(application, png=True)
    client.get(application.get_absolute_url())
    with django_assert_max_num_queries(DETAIL_QUERIES):
        page = html(client.get(application.get_absolute_url()))
    assert page.count('data-uploaded="1"') == len(SEA_DOCUMENTS) and 'data-replaced="3"' in page
