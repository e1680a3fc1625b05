"""Issue 18, point 9: contracts and pages speak to families, not developers.

- The sealed contract said both "服务开始前可随时取消，不收取任何费用" (the provider's own
  words) and "服务日前1日…退还80%…当天50%" (the platform's schedule). The clause is now the
  refund schedule written into the contract, and nothing else: it is what the refund pays.
- Rule codes (F4, F6, F7, F8, F9 …) appeared on public pages and in contracts; they stay in the
  admin, the workbench and the docs only.
- The signing page showed a raw SHA-256 first; it sits behind "技术信息".
"""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from marketplace.catalogue.models import ServiceItem
from marketplace.orders import paying, services
from marketplace.orders.terms import cancellation_clause, refund_schedule_text, schedule_in_force
from tests.factories.orders import Scenario, funeral_home, make_quote

pytestmark = pytest.mark.django_db

# A rule code as the pages used to print it: "（F4）", "，F9）", "（F2、F4、F9）".
RULE_CODE = re.compile(r"[（(、，,]\s*F\d{1,2}\s*[）)、，,]")
PROVIDER_WORDS = "服务开始前可随时取消，不收取任何费用。"


def pdf_text(data):
    return "".join("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split())


def main_text(response):
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


@pytest.fixture
def scenario():
    return Scenario(provider=funeral_home(cancellation_terms=PROVIDER_WORDS))


def test_f8_the_contract_cancellation_clause_is_the_refund_schedule_alone(client, scenario):
    scenario.advance("contract_issued")
    contract = scenario.order.contract
    client.force_login(scenario.family)
    response = client.get(reverse("orders:contract_draft", args=[scenario.order.reference]))
    text = pdf_text(b"".join(response.streaming_content) if response.streaming else response.content)

    schedule = "".join(refund_schedule_text(contract.refund_schedule).split())
    assert schedule and schedule in text
    assert "".join(cancellation_clause(contract.refund_schedule).split()) in text
    # The provider's contradicting words are not in the contract.
    assert "随时取消" not in text
    assert not RULE_CODE.search(text), RULE_CODE.search(text).group()


def test_f8_the_order_form_states_the_schedule_that_the_contract_will_carry(client, scenario):
    quote = make_quote(scenario.family, scenario.provider)  # a quote with no order yet
    client.force_login(scenario.family)
    response = client.get(reverse("orders:new") + f"?quote={quote.reference}")
    assert response.status_code == 200
    page = main_text(response)
    assert cancellation_clause(schedule_in_force()) in page
    assert not RULE_CODE.search(page), RULE_CODE.search(page).group()


def test_f8_the_cancel_pages_state_the_clause_in_force_and_what_comes_back(client, scenario):
    scenario.advance("countersigned")
    order = scenario.refresh()
    client.force_login(scenario.family)
    page = main_text(client.get(reverse("orders:cancel", args=[order.reference])))
    assert cancellation_clause(order.contract.refund_schedule) in page
    assert "现在取消" not in page  # nothing paid yet, so nothing to give back
    assert not RULE_CODE.search(page)

    # Paid: the provider's cancel page says what the family gets back, by the schedule.
    order = scenario.advance("paid")
    client.force_login(scenario.staff)
    page = main_text(client.get(reverse("orders_workbench:cancel", args=[order.reference])))
    assert cancellation_clause(order.contract.refund_schedule) in page
    due = paying.refund_due_on_cancel(order)
    # Two days before the factory's service day: 80% by the default schedule.
    assert 0 < due < services.paid_total(order)
    assert f"现在取消，将退还已付款项中的 ¥{due:,.2f}。" in page


def test_the_family_order_page_shows_no_rule_codes_and_keeps_the_hash_behind_technical_information(
    client, scenario
):
    scenario.advance("contract_issued")
    client.force_login(scenario.family)
    detail = main_text(client.get(scenario.order.get_absolute_url()))
    assert not RULE_CODE.search(detail), RULE_CODE.search(detail).group()

    sign = main_text(client.get(reverse("orders:contract_sign", args=[scenario.order.reference])))
    digest = scenario.order.contract.draft_sha256
    assert digest in sign
    details = sign[sign.index('<details class="tech-info">') :]
    assert details.index("技术信息") < details.index(digest) < details.index("</details>")
    # Nothing before the technical details shows the digest.
    assert digest not in sign[: sign.index('<details class="tech-info">')].replace(
        f'value="{digest}"',
        "",  # the hidden field the signature form posts back
    )


def test_public_catalogue_pages_show_no_rule_codes(client, scenario):
    provider = scenario.provider
    item = ServiceItem.objects.filter(provider=provider).order_by("pk").first()
    for url in (
        provider.get_absolute_url(),
        reverse("catalogue:packages"),
        reverse("catalogue:item_history", args=[item.pk]),
        reverse("catalogue:quote") + f"?provider={provider.slug}",
    ):
        page = main_text(client.get(url))
        assert not RULE_CODE.search(page), (url, RULE_CODE.search(page).group())
