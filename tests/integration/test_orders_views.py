"""Orders over HTTP: submitting, permissions, signing with one-time codes, the sealed PDF and
its public verification, change orders, certificates and list query counts."""

import io
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time
from pypdf import PdfReader

from accounts import sms
from accounts.groups import FUNERAL_SECTION
from accounts.otp import OtpError
from core import sealing
from marketplace.orders import services
from marketplace.orders.defaults import DEFAULT_TEMPLATE_BODY
from marketplace.orders.models import ContractTemplate, Order, Signature
from marketplace.orders.terms import cancellation_clause
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import make_item
from tests.factories.orders import (
    FAMILY_NAME,
    STAFF_NAME,
    Scenario,
    family_user,
    funeral_home,
    id_number,
    items,
    make_quote,
    sent_code,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def form_data(quote, **overrides):
    today = timezone.localdate()
    data = {
        "quote": quote.reference,
        "deceased_name": "王建国",
        "deceased_gender": "male",
        "deceased_age": "86",
        "date_of_death": (today - timedelta(days=1)).isoformat(),
        "deceased_id": id_number(),
        "contact_name": FAMILY_NAME,
        "contact_relation": "女儿",
        "requested_date": (today + timedelta(days=2)).isoformat(),
        "requested_time": "09:30",
    }
    for line in quote.lines.all():
        data[f"price_{line.item_id}"] = str(line.unit_price)
    data.update(overrides)
    return data


def confirm_order(client, quote):
    """The check-your-answers step: read the check page's one-time token and confirm."""
    response = client.get(f"/orders/new/check/?quote={quote.reference}")
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post("/orders/new/check/", {"quote": quote.reference, "token": token})


def pdf_bytes(response):
    return b"".join(response.streaming_content)


def pdf_text(data):
    """The text of every page, without whitespace (table cells wrap long names)."""
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


# --- Submitting ---------------------------------------------------------------------------------------


def test_a_family_submits_a_saved_quote_as_an_order(client):
    provider = funeral_home()
    family = family_user()
    quote = make_quote(family, provider)
    client.force_login(family)
    page = client.get(f"/orders/new/?quote={quote.reference}").content.decode()
    assert "骨灰盒" in page and provider.deposit_terms in page and provider.cancellation_terms in page
    response = client.post("/orders/new/", form_data(quote))
    assert response.status_code == 302 and not Order.objects.exists()  # the check page comes first
    response = confirm_order(client, quote)
    order = Order.objects.get(quote=quote)
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.user == family and order.status == "submitted" and order.total == quote.total
    html = client.get(order.get_absolute_url()).content.decode()
    assert order.deceased_id_masked in html and id_number() not in html
    assert "待机构确认" in html
    # The same quote cannot become a second order while the first is open.
    response = client.get(f"/orders/new/?quote={quote.reference}")
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    client.post("/orders/new/", form_data(quote))
    assert Order.objects.filter(quote=quote).count() == 1


def test_the_order_pages_speak_english(client):
    scenario = Scenario()
    scenario.advance("contract_issued")
    client.force_login(scenario.family)
    html = client.get(f"/en/orders/{scenario.order.reference}/").content.decode()
    assert (
        "Read and sign the contract" in html and "Itemised statement: quote → contract → final bill" in html
    )
    assert (
        "Contract awaiting the family&#x27;s signature" in html
        or "Contract awaiting the family's signature" in html
    )


def test_bad_input_gets_a_clear_error_and_loses_nothing(client):
    provider = funeral_home()
    family = family_user()
    quote = make_quote(family, provider)
    client.force_login(family)
    response = client.post(
        "/orders/new/", form_data(quote, deceased_id="110108194003151230", deceased_name="李四")
    )
    html = response.content.decode()
    assert response.status_code == 400 and "校验位不正确" in html
    assert 'value="李四"' in html and not Order.objects.exists()


def test_f4_a_price_other_than_the_posted_one_is_refused_in_a_direct_post(client):
    provider = funeral_home()
    family = family_user()
    quote = make_quote(family, provider)
    urn = items(provider)["骨灰盒"]
    client.force_login(family)
    response = client.post("/orders/new/", form_data(quote, **{f"price_{urn.pk}": "1.00"}))
    assert response.status_code == 400 and "F4" in response.content.decode()
    other = make_item(funeral_home(), "wreath", name="别家花圈", price="100.00")
    response = client.post("/orders/new/", form_data(quote, **{f"price_{other.pk}": "100.00"}))
    assert response.status_code == 400 and "F4" in response.content.decode()
    assert not Order.objects.exists()


def test_changed_prices_must_be_accepted_before_submitting(client):
    from marketplace.catalogue.services import publish_price

    provider = funeral_home()
    family = family_user()
    quote = make_quote(family, provider)
    urn = items(provider)["骨灰盒"]
    publish_price(urn, price=Decimal("640.00"), effective_from=timezone.localdate(), reason="调价")
    client.force_login(family)
    page = client.get(f"/orders/new/?quote={quote.reference}").content.decode()
    assert "¥600.00 → ¥640.00" in page
    data = form_data(quote, **{f"price_{urn.pk}": "640.00"})
    response = client.post("/orders/new/", data)
    assert response.status_code == 400 and not Order.objects.exists()
    response = client.post("/orders/new/", {**data, "accept_price_changes": "on"})
    assert response.status_code == 302 and not Order.objects.exists()
    assert "已确认按现行公示价格下单" in client.get(response["Location"]).content.decode()
    confirm_order(client, quote)
    assert Order.objects.get().lines.get(item=urn).unit_price == Decimal("640.00")


def test_another_familys_quote_answers_404(client):
    quote = make_quote(family_user(), funeral_home())
    client.force_login(family_user())
    assert client.get(f"/orders/new/?quote={quote.reference}").status_code == 404
    assert client.post("/orders/new/", form_data(quote)).status_code == 404


# --- Permissions ---------------------------------------------------------------------------------------------


def test_family_a_gets_404_on_family_bs_order(client):
    scenario = Scenario()
    scenario.advance("completed")
    ref = scenario.order.reference
    certificate = scenario.order.certificates.get().number
    client.force_login(family_user())
    for url in (
        f"/orders/{ref}/",
        f"/orders/{ref}/cancel/",
        f"/orders/{ref}/contract/draft.pdf",
        f"/orders/{ref}/contract/sealed.pdf",
        f"/orders/{ref}/contract/sign/",
        f"/orders/{ref}/certificates/{certificate}.pdf",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/orders/{ref}/cancel/", {"reason": "x"}).status_code == 404
    assert scenario.refresh().status == "completed"


def test_a_provider_sees_only_its_own_orders(client, django_assert_max_num_queries):
    mine = Scenario()
    theirs = Scenario()
    client.force_login(mine.staff)
    html = client.get("/workbench/funeral/orders/").content.decode()
    assert mine.order.reference in html and theirs.order.reference not in html
    assert client.get(f"/workbench/funeral/orders/{theirs.order.reference}/").status_code == 404
    response = client.post(
        f"/workbench/funeral/orders/{theirs.order.reference}/confirm/",
        {"service_date": timezone.localdate().isoformat(), "service_time": "10:00", "hall": "一号厅"},
    )
    assert response.status_code == 404 and theirs.refresh().status == "submitted"


def test_a_family_cannot_use_the_provider_pages_of_its_own_order(client):
    scenario = Scenario()
    client.force_login(scenario.family)
    assert client.get(f"/workbench/funeral/orders/{scenario.order.reference}/").status_code == 404
    assert (
        client.post(
            f"/workbench/funeral/orders/{scenario.order.reference}/cancel/", {"reason": "x"}
        ).status_code
        == 404
    )


def test_anonymous_visitors_are_sent_to_sign_in(client):
    scenario = Scenario()
    response = client.get(f"/orders/{scenario.order.reference}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- The whole flow over HTTP, with one-time codes ---------------------------------------------------------


def sign_over_http(client, url, name, *, code=None, consent="on", sha=None, send=True):
    if send:
        client.post(url, {"action": "send_code"})
    page = client.get(url).content.decode()
    shown = sha or re.search(r'name="shown_sha256" value="([0-9a-f]{64})"', page).group(1)
    data = {"action": "sign", "shown_sha256": shown, "full_name": name, "code": code or sent_code()}
    if consent:
        data["consent"] = consent
    return client.post(url, data, HTTP_USER_AGENT="Mozilla/5.0 测试", REMOTE_ADDR="198.51.100.7")


def issue_over_http(client, scenario):
    ref = scenario.order.reference
    client.force_login(scenario.staff)
    client.post(
        f"/workbench/funeral/orders/{ref}/confirm/",
        {
            "service_date": scenario.order.requested_date.isoformat(),
            "service_time": "10:00",
            "hall": "二号告别厅",
        },
    )
    template = services.ensure_default_template()
    response = client.post(f"/workbench/funeral/orders/{ref}/contract/issue/", {"template": template.pk})
    assert response.status_code == 302
    return scenario.refresh()


def test_contract_signed_by_both_sealed_and_verifiable(client):
    scenario = Scenario()
    ref = scenario.order.reference
    order = issue_over_http(client, scenario)
    assert order.status == "contract_issued"

    client.force_login(scenario.family)
    draft = pdf_bytes(client.get(f"/orders/{ref}/contract/draft.pdf"))
    assert sealing.sha256(draft) == order.contract.draft_sha256
    text = pdf_text(draft)
    assert FAMILY_NAME in text and scenario.provider.name in text and "王建国" in text
    for line in order.lines.filter(stage="contract"):
        assert line.name in text and f"{line.amount:,.2f}" in text
    assert scenario.provider.deposit_terms in text
    # F8 (issue 18 point 9): the cancellation clause is the contract's refund schedule alone.
    assert "".join(cancellation_clause(order.contract.refund_schedule).split()) in text
    assert scenario.provider.cancellation_terms not in text

    response = sign_over_http(client, f"/orders/{ref}/contract/sign/", FAMILY_NAME)
    assert response.status_code == 302
    signature = Signature.objects.get(contract=order.contract, role="family")
    assert signature.ip_address == "198.51.100.7" and signature.user_agent == "Mozilla/5.0 测试"
    assert signature.document_sha256 == sealing.sha256(draft) and signature.full_name == FAMILY_NAME
    assert scenario.refresh().status == "family_signed"

    client.force_login(scenario.staff)
    response = sign_over_http(client, f"/workbench/funeral/orders/{ref}/contract/sign/", STAFF_NAME)
    assert response.status_code == 302
    order = scenario.refresh()
    assert order.status == "countersigned"
    contract = order.contract
    assert contract.status == "sealed"

    client.force_login(scenario.family)
    sealed = pdf_bytes(client.get(f"/orders/{ref}/contract/sealed.pdf"))
    assert sealing.sha256(sealed) == contract.sealed_sha256
    check = sealing.verify_pdf(sealed)
    assert check.ok
    text = pdf_text(sealed)
    code = contract.sealed_document.code
    assert code in text and FAMILY_NAME in text and STAFF_NAME in text and scenario.provider.name in text
    for line in order.lines.filter(stage="contract"):
        assert line.name in text

    public = client.get(f"/verify/{code}/").content.decode()
    assert "王*" in public and FAMILY_NAME not in public and scenario.provider.name in public
    upload = SimpleUploadedFile("contract.pdf", sealed, content_type="application/pdf")
    assert "文件真实" in client.post(f"/verify/{code}/", {"file": upload}).content.decode()
    tampered = bytearray(sealed)
    tampered[len(tampered) // 3] ^= 0x01
    upload = SimpleUploadedFile("contract.pdf", bytes(tampered), content_type="application/pdf")
    html = client.post(f"/verify/{code}/", {"file": upload}).content.decode()
    assert "不一致" in html and "文件真实" not in html


def test_signing_refuses_a_wrong_name_missing_consent_and_a_changed_document(client):
    scenario = Scenario()
    scenario.advance("contract_issued")
    url = f"/orders/{scenario.order.reference}/contract/sign/"
    client.force_login(scenario.family)
    response = sign_over_http(client, url, "王小丽")
    assert response.status_code == 400 and "姓名与登记的姓名不一致" in response.content.decode()
    response = sign_over_http(client, url, FAMILY_NAME, consent=None, send=False)
    assert response.status_code == 400 and "勾选" in response.content.decode()
    response = sign_over_http(client, url, FAMILY_NAME, sha="a" * 64, send=False)
    assert response.status_code == 400 and "重新打开文书核对" in response.content.decode()
    assert scenario.refresh().status == "contract_issued"
    assert not Signature.objects.exists()


def test_one_time_code_wrong_then_too_many_attempts(client):
    scenario = Scenario()
    scenario.advance("contract_issued")
    url = f"/orders/{scenario.order.reference}/contract/sign/"
    client.force_login(scenario.family)
    client.post(url, {"action": "send_code"})
    right = sent_code()
    wrong = "000000" if right != "000000" else "111111"
    with override_settings(OTP_MAX_ATTEMPTS=3):
        response = sign_over_http(client, url, FAMILY_NAME, code=wrong, send=False)
        assert response.status_code == 400 and "验证码不正确，还可尝试 2 次" in response.content.decode()
        sign_over_http(client, url, FAMILY_NAME, code=wrong, send=False)
        response = sign_over_http(client, url, FAMILY_NAME, code=wrong, send=False)
        assert "错误次数过多" in response.content.decode()
        response = sign_over_http(client, url, FAMILY_NAME, code=right, send=False)
        assert response.status_code == 400 and "错误次数过多" in response.content.decode()
    assert scenario.refresh().status == "contract_issued"


def test_one_time_code_expired(client):
    scenario = Scenario()
    scenario.advance("contract_issued")
    url = f"/orders/{scenario.order.reference}/contract/sign/"
    client.force_login(scenario.family)
    with freeze_time(timezone.now()) as frozen:
        client.post(url, {"action": "send_code"})
        code = sent_code()
        frozen.tick(timedelta(minutes=6))
        response = sign_over_http(client, url, FAMILY_NAME, code=code, send=False)
    assert response.status_code == 400 and "验证码已过期" in response.content.decode()
    assert scenario.refresh().status == "contract_issued"


def test_a_code_sent_for_one_contract_does_not_sign_another(client):
    first, second = Scenario(), Scenario()
    first.advance("contract_issued")
    second.advance("contract_issued")
    services.send_signing_code(first.order.contract, first.family, "family")
    code = sent_code()
    with pytest.raises(OtpError) as error:
        services.sign(
            second.order.contract,
            second.family,
            "family",
            full_name=FAMILY_NAME,
            consent=True,
            code=code,
            shown_sha256=second.order.contract.draft_sha256,
        )
    assert error.value.code == "missing"


def test_only_published_templates_can_be_chosen(client):
    scenario = Scenario()
    scenario.advance("confirmed")
    draft = ContractTemplate(
        title="草稿模板", body=DEFAULT_TEMPLATE_BODY, dispute_resolution="协商", live=False
    )
    draft.save()
    client.force_login(scenario.staff)
    url = f"/workbench/funeral/orders/{scenario.order.reference}/contract/issue/"
    assert "草稿模板" not in client.get(url).content.decode()
    response = client.post(url, {"template": draft.pk})
    assert response.status_code == 400 and "已发布" in response.content.decode()
    assert scenario.refresh().status == "confirmed"


# --- Change orders over HTTP ---------------------------------------------------------------------------------


def change_data(scenario, **extra):
    data = {"reason": "家属要求增加骨灰盒"}
    for item in items(scenario.provider).values():
        version = item.versions.order_by("-effective_from", "-id").first()
        if version is not None:
            data[f"add_{item.pk}"] = "0"
            data[f"price_{item.pk}"] = str(version.price)
    data.update(extra)
    return data


def test_f4_change_order_form_refuses_unposted_fees_and_other_prices(client):
    scenario = Scenario()
    scenario.advance("paid")
    url = f"/workbench/funeral/orders/{scenario.order.reference}/changes/new/"
    urn = items(scenario.provider)["骨灰盒"]
    unposted = make_item(scenario.provider, "wreath", name="未公示加急费", price=None)
    client.force_login(scenario.staff)
    page = client.get(url).content.decode()
    assert "骨灰盒" in page and "未公示加急费" not in page
    response = client.post(url, change_data(scenario, **{f"add_{unposted.pk}": "1"}))
    assert response.status_code == 400 and "F4" in response.content.decode()
    response = client.post(url, change_data(scenario, **{f"add_{urn.pk}": "1", f"price_{urn.pk}": "900.00"}))
    assert response.status_code == 400 and "F4" in response.content.decode()
    assert not scenario.order.change_orders.exists()
    response = client.post(url, change_data(scenario, **{f"add_{urn.pk}": "1"}))
    assert response.status_code == 302, re.findall(
        r'<p(?: class="error")?>([^<]*)</p>', response.content.decode()
    )
    change = scenario.order.change_orders.get()
    assert change.delta == Decimal("600.00") and change.status == "proposed"


def test_change_order_signed_by_both_changes_the_final_bill(client):
    scenario = Scenario()
    scenario.advance("paid")
    before = scenario.order.total
    urn = items(scenario.provider)["骨灰盒"]
    change = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="加骨灰盒"
    )
    ref = scenario.order.reference
    client.force_login(scenario.family)
    assert "阅读并签署变更单" in client.get(f"/orders/{ref}/").content.decode()
    assert (
        sign_over_http(client, f"/orders/{ref}/changes/{change.number}/sign/", FAMILY_NAME).status_code == 302
    )
    client.force_login(scenario.staff)
    assert (
        sign_over_http(
            client, f"/workbench/funeral/orders/{ref}/changes/{change.number}/sign/", STAFF_NAME
        ).status_code
        == 302
    )
    change.refresh_from_db()
    assert change.status == "signed" and sealing.verify_pdf(change.sealed_document.file.read()).ok
    order = scenario.refresh()
    assert order.total == before + Decimal("600.00") and services.balance_due(order) == Decimal("600.00")
    client.force_login(scenario.family)
    html = client.get(f"/orders/{ref}/").content.decode()
    assert "经签署的变更" in html and change.sealed_document.code in html
    text = pdf_text(pdf_bytes(client.get(f"/orders/{ref}/changes/{change.number}/sealed.pdf")))
    assert "骨灰盒" in text and FAMILY_NAME in text and STAFF_NAME in text


def test_the_family_can_decline_a_change(client):
    scenario = Scenario()
    scenario.advance("paid")
    urn = items(scenario.provider)["骨灰盒"]
    change = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="加骨灰盒"
    )
    client.force_login(scenario.family)
    client.post(f"/orders/{scenario.order.reference}/changes/{change.number}/decline/")
    change.refresh_from_db()
    assert change.status == "declined"


# --- Completion and certificates -----------------------------------------------------------------------------


def test_completion_issues_a_verifiable_cremation_certificate(client):
    scenario = Scenario()
    scenario.advance("in_service")
    ref = scenario.order.reference
    client.force_login(scenario.staff)
    url = f"/workbench/funeral/orders/{ref}/complete/"
    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"event_date": future, "place": "1 号炉"})
    assert response.status_code == 400 and scenario.refresh().status == "in_service"
    response = client.post(
        url, {"event_date": timezone.localdate().isoformat(), "place": "测试殡仪馆 1 号炉"}
    )
    assert response.status_code == 302
    certificate = scenario.refresh().certificates.get()
    client.force_login(scenario.family)
    html = client.get(f"/orders/{ref}/").content.decode()
    assert "火化证明" in html and certificate.document.code in html
    data = pdf_bytes(client.get(f"/orders/{ref}/certificates/{certificate.number}.pdf"))
    assert sealing.verify_pdf(data).ok
    text = pdf_text(data)
    assert "王建国" in text and "测试殡仪馆1号炉" in text and certificate.document.code in text
    public = client.get(f"/verify/{certificate.document.code}/").content.decode()
    assert "王*国" in public and "王建国" not in public and "火化证明" in public


# --- Fonts and the seal, checked by poppler ---------------------------------------------------------------------


def test_a_sealed_contract_passes_pdfsig_and_embeds_every_font(tmp_path):
    scenario = Scenario()
    scenario.advance("countersigned")
    path = tmp_path / "contract.pdf"
    path.write_bytes(scenario.order.contract.sealed_document.file.read())
    assert shutil.which("pdffonts") and shutil.which("pdfsig"), (
        "poppler-utils is required (make test installs it)"
    )
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        assert re.split(r"\s+", line.strip())[-5] == "yes", line  # the "emb" column
    assert not any("Helvetica" in line for line in fonts)
    sig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in sig and "Total document signed" in sig


# --- Lists stay flat ----------------------------------------------------------------------------------------------


def test_order_lists_keep_a_flat_number_of_queries(client, django_assert_max_num_queries):
    provider = funeral_home()
    family = family_user()
    staff = staff_user(provider)
    Scenario(provider=provider, family=family, staff=staff)
    client.force_login(family)
    client.get("/orders/")  # warm the site and settings caches shared by every page
    with django_assert_max_num_queries(14):
        assert client.get("/orders/").status_code == 200
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        assert client.get("/workbench/funeral/orders/").status_code == 200
    for _ in range(6):
        Scenario(provider=provider, family=family, staff=staff)
    client.force_login(family)
    client.get("/orders/")  # warm the site and settings caches shared by every page
    with django_assert_max_num_queries(14):
        html = client.get("/orders/").content.decode()
    assert html.count("/orders/") >= 7
    client.force_login(staff)
    with django_assert_max_num_queries(14):
        assert client.get("/workbench/funeral/orders/").status_code == 200


# --- The bureau's template snippet -----------------------------------------------------------------------------------


def test_the_bureau_cannot_save_a_template_with_an_unknown_placeholder(client):
    officer = UserFactory(is_staff=True)
    officer.groups.add(Group.objects.get_or_create(name=FUNERAL_SECTION)[0])
    from django.contrib.auth.models import Permission

    from accounts.groups import registered_grants

    for name in registered_grants()[FUNERAL_SECTION]:
        app_label, codename = name.split(".")
        officer.user_permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        )
    client.force_login(officer)
    response = client.post(
        "/admin/snippets/orders/contracttemplate/add/",
        {
            "title": "新模板",
            "body": DEFAULT_TEMPLATE_BODY + "\n\n{{ hidden_fee }}",
            "dispute_resolution": "协商解决",
        },
    )
    assert response.status_code == 200
    assert "hidden_fee" in response.content.decode()
    assert not ContractTemplate.objects.filter(title="新模板").exists()
    response = client.post(
        "/admin/snippets/orders/contracttemplate/add/",
        {
            "title": "新模板",
            "body": DEFAULT_TEMPLATE_BODY,
            "dispute_resolution": "协商解决",
            "action-publish": "publish",
        },
    )
    assert response.status_code == 302
    template = ContractTemplate.objects.get(title="新模板")
    assert template.live and template.live_revision is not None


def test_the_default_template_opens_in_the_admin(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    template = services.ensure_default_template()
    html = client.get(f"/admin/snippets/orders/contracttemplate/edit/{template.pk}/").content.decode()
    assert "items_table" in html and "cancellation_terms" in html


def test_the_provider_filters_its_orders_by_status_and_name(client):
    provider = funeral_home()
    staff = staff_user(provider)
    first = Scenario(provider=provider, staff=staff)
    second = Scenario(provider=provider, staff=staff)
    second.advance("confirmed")
    client.force_login(staff)
    html = client.get("/workbench/funeral/orders/", {"status": "confirmed"}).content.decode()
    assert second.order.reference in html and first.order.reference not in html
    html = client.get("/workbench/funeral/orders/", {"q": first.order.reference.lower()}).content.decode()
    assert first.order.reference in html and second.order.reference not in html


def test_a_contract_issued_from_the_english_pages_is_written_in_chinese(client):
    scenario = Scenario()
    scenario.advance("confirmed")
    client.force_login(scenario.staff)
    template = services.ensure_default_template()
    response = client.post(
        f"/en/workbench/funeral/orders/{scenario.order.reference}/contract/issue/", {"template": template.pk}
    )
    assert response.status_code == 302
    client.force_login(scenario.family)
    text = pdf_text(pdf_bytes(client.get(f"/orders/{scenario.order.reference}/contract/draft.pdf")))
    assert "签署记录" in text and "应付合计" in text and "Signatures" not in text


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_signature_behind_the_proxy_records_the_signer_not_the_proxy(client):
    """The signature record is evidence: behind nginx it keeps the family's address (from the
    trusted proxy's X-Forwarded-For), never the proxy's, and a spoofed left-hand entry is ignored."""
    scenario = Scenario()
    ref = scenario.order.reference
    order = issue_over_http(client, scenario)
    client.force_login(scenario.family)
    client.post(f"/orders/{ref}/contract/sign/", {"action": "send_code"})
    page = client.get(f"/orders/{ref}/contract/sign/").content.decode()
    shown = re.search(r'name="shown_sha256" value="([0-9a-f]{64})"', page).group(1)
    response = client.post(
        f"/orders/{ref}/contract/sign/",
        {
            "action": "sign",
            "shown_sha256": shown,
            "full_name": FAMILY_NAME,
            "code": sent_code(),
            "consent": "on",
        },
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="203.0.113.99, 198.51.100.23",
    )
    assert response.status_code == 302
    assert Signature.objects.get(contract=order.contract, role="family").ip_address == "198.51.100.23"
