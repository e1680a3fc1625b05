"""Issue 18, point 1: nothing is wider than a phone (390×844).

- The quote's statement shows the amount to pay, large, above the lines, and each line stacks
  on a phone: the 应付 column and the 应付合计 figure sat off the right edge (442–559 px wide).
- A walk over the site, from the URL map's sections and the links each page offers, as a
  visitor in Chinese, in English and in large-text mode, and signed in as a family, a
  provider's staff and an organisation's admin: no page is wider than the screen. Each kind of
  page (one URL pattern of the resolver) is opened once per mode; a table wider than the
  screen scrolls inside its own box (``.table-wrap``), which is allowed.
"""

import re
from collections import deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from accounts.demo import DEMO_FAMILY_MOBILE
from marketplace.catalogue.demo import DEMO_PROVIDER_ADMIN_MOBILE
from orgs.registry.demo import DEMO_ORG_ADMIN_MOBILE
from tests.browser.helpers import PHONE, phone_page, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


# The sections of the URL map (ARCHITECTURE.md) the walk starts from.
PUBLIC_SEEDS = (
    "/",
    "/guides/",
    "/news/",
    "/funeral/",
    "/funeral/compare/",
    "/funeral/packages/",
    "/funeral/quote/",
    "/funeral/complaints/",
    "/orgs/",
    "/credit/",
    "/charity/",
    "/charity/lookup/",
    "/open-data/",
    "/verify/",
    "/search/?q=养老",
    "/complaints/new/",
    "/accounts/login/",
    "/accounts/signup/",
)
SIGNED_IN_SEEDS = ("/accounts/", "/workbench/", "/orders/", "/funeral/quote/")

# Not pages: files, feeds, the API, the admin (Wagtail's own), and links that change state.
SKIP = re.compile(
    r"^/(en/)?(admin|api|static|media|documents|i18n|preferences)/"
    r"|\.(pdf|csv|json|xml|xlsx|txt|atom|ico|png|svg|pem|cer|zip)$"
    r"|/logout/?$"
)


def _page_kind(path):
    """The URL pattern a path resolves to (its view and kwarg names); CMS pages by their path."""
    language = "en" if path.startswith("/en/") else "zh-hans"
    with translation.override(language):
        try:
            match = resolve(path)
        except Resolver404:
            return None
    if match.url_name == "wagtail_serve":
        return ("page", language, path)
    return (match.view_name, language, tuple(sorted(match.kwargs)))


def _same_site_links(page, base):
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or not parts.path:
            continue
        if SKIP.search(parts.path):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def walk(page, base, seeds, *, limit=160):
    """Open each kind of page reachable from ``seeds`` once; return (visited, too wide)."""
    queue = deque(seeds)
    seen_kinds = set()
    visited, too_wide = [], []
    while queue and len(visited) < limit:
        path = queue.popleft()
        kind = _page_kind(urlsplit(path).path)
        if kind is None or kind in seen_kinds:
            continue
        seen_kinds.add(kind)
        try:
            response = page.goto(base + path)
        except PlaywrightError as error:  # a link to a file the browser downloads
            if "Download is starting" in str(error):
                continue
            raise
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited.append(path)
        widths = page.evaluate(
            "() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})"
        )
        if widths["page"] > widths["screen"]:
            too_wide.append((path, widths["page"]))
        queue.extend(_same_site_links(page, base))
    return visited, too_wide


def test_the_statement_leads_with_the_total_and_its_lines_fit_a_phone(demo_site, new_page):
    from marketplace.catalogue.models import Provider

    provider = Provider.objects.filter(type="funeral_home").order_by("pk").first()
    page = phone_page(new_page)
    page.goto(f"{demo_site.url}/funeral/quote/?provider={provider.slug}")
    boxes = page.locator("input[type=checkbox][name=item]")
    for index in range(min(5, boxes.count())):
        boxes.nth(index).check()
    page.get_by_role("button", name="生成费用明细").first.click()
    expect(page).to_have_url(re.compile(r"/funeral/quote/statement/$"))

    headline = page.locator(".statement-headline")
    expect(headline).to_contain_text("应付合计")
    total = page.locator("tfoot .statement-total td").inner_text()
    expect(headline.locator(".statement-figure")).to_have_text(total)
    # The amount to pay is on the first screen, above the lines.
    box = headline.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    assert box["y"] < page.locator(".statement-table tbody").bounding_box()["y"]
    # Every line's 应付 figure and the total row's figure are inside the screen's width.
    for cell in page.locator(".statement-table td:last-child").all():
        cell_box = cell.bounding_box()
        assert cell_box["x"] + cell_box["width"] <= PHONE["width"], cell.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_no_public_page_is_wider_than_a_phone_in_either_language_or_in_large_text(demo_site, new_page):
    base = demo_site.url
    results = {}
    for mode, seeds, context in (
        ("zh", PUBLIC_SEEDS, {}),
        ("en", tuple("/en" + seed for seed in PUBLIC_SEEDS), {}),
        ("large-text", PUBLIC_SEEDS, {}),
    ):
        page = phone_page(new_page, **context)
        if mode == "large-text":
            page.context.add_cookies([{"name": "platform_large_text", "value": "1", "url": base}])
        results[mode] = walk(page, base, seeds)
    for mode, (visited, _too_wide) in results.items():
        # The walk really covers the site: most kinds of public page, not a handful.
        assert len(visited) >= 40, (mode, visited)
    failures = {mode: too_wide for mode, (_visited, too_wide) in results.items() if too_wide}
    assert not failures, failures


@pytest.mark.parametrize(
    "mobile",
    [DEMO_FAMILY_MOBILE, DEMO_PROVIDER_ADMIN_MOBILE, DEMO_ORG_ADMIN_MOBILE],
    ids=["family", "provider", "org"],
)
def test_no_signed_in_page_is_wider_than_a_phone(demo_site, new_page, mobile):
    page = phone_page(new_page)
    sign_in(page, demo_site.url, mobile)
    visited, too_wide = walk(page, demo_site.url, SIGNED_IN_SEEDS, limit=80)
    assert len(visited) >= 8, visited
    assert not too_wide, too_wide
