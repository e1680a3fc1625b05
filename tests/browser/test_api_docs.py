"""The API documentation page in a real browser: every asset from the platform itself (no CDN,
no other host), the site's CSP holds, and Swagger UI actually renders the operations, which
can be tried against the live API."""

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories.catalogue import make_priced_funeral_home

pytestmark = pytest.mark.django_db(transaction=True)


def test_docs_page_renders_the_operations_with_no_external_requests(live_server, page):
    make_priced_funeral_home(name="甲殡仪馆", slug="jia")
    own = urlsplit(live_server.url).netloc
    requests, errors = [], []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(live_server.url + "/api/v1/docs/")
    # The licence and citation notice, then the operations Swagger UI built from the schema.
    expect(page.get_by_role("heading", name="开放数据接口 v1")).to_be_visible()
    expect(page.locator("#api-notice")).to_contain_text("CC BY 4.0")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/providers/{slug}/")).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/price-versions/").first).to_be_visible()
    assert page.locator(".opblock-get").count() >= 8

    # Try one operation from the page: it calls the live API and shows the answer.
    path = page.locator(".opblock-summary-path", has_text="/api/v1/providers/{slug}/")
    operation = page.locator(".opblock-get", has=path)
    operation.locator(".opblock-summary").click()
    operation.locator("input[placeholder='slug']").fill("jia")
    operation.get_by_role("button", name="Execute").click()
    live = operation.locator(".live-responses-table")
    expect(live.locator(".response-col_status").last).to_contain_text("200")
    expect(live.locator(".microlight").first).to_contain_text("甲殡仪馆")

    external = [
        url for url in requests if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != own
    ]
    assert external == []
    assert any("/static/drf_spectacular_sidecar/swagger-ui-dist/" in url for url in requests)
    assert not [error for error in errors if "Content Security Policy" in error], errors
