"""Issue 18, point 11: a real large-text mode (适老化), checked on a phone (390×844).

The MIIT 互联网网站适老化通用设计规范 asks for body text of at least 18 pt (24 px), tap
targets of at least 48×48 px, and a page that fits the screen. Before this mode only grew the
text by 25% (20 px), controls kept their small size, and the header, navigation and demo
banner took 475 of the 844 px of a phone's first screen.

Which targets are measured (``TARGETS``): every visible button, ``a.button``, tool link, the
disclosure button (``summary``), text field, select and text area, and every link of a
navigation bar or of a list of links that stands alone as a control. A link inside a sentence
of running text is not a control of its own: WCAG 2.5.8 exempts such inline targets, and
their size follows the (large) text. A checkbox or radio button is measured by its hit area,
its ``label`` (the box itself plus its text), which must be 48 px high and the whole label is
clickable.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, assert_pages_accessible, phone_page

pytestmark = pytest.mark.django_db(transaction=True)

MIN_TARGET = 48  # px, the guideline's tap-target size
MIN_BODY_TEXT = 24  # px, 18 pt
HEADER_SHARE = 0.40  # of the first phone screen

TARGETS = ", ".join(
    (
        "button",
        "a.button",
        "summary",
        ".tool-link",
        "input:not([type=hidden]):not([type=checkbox]):not([type=radio])",
        "select",
        "textarea",
        "nav a",
        ".link-list a",
        ".filter-tabs a",
        ".pagination a",
    )
)

# Where a family or an older visitor goes first, one page of each kind.
STATIC_PAGES = ("/", "/funeral/", "/orgs/", "/guides/", "/accounts/login/")


def demo_pages():
    from marketplace.catalogue.models import Provider
    from orgs.registry.models import Organization

    provider = Provider.objects.filter(type="funeral_home").order_by("pk").first()
    organisation = Organization.objects.order_by("pk").first()
    return [
        *STATIC_PAGES,
        f"/funeral/providers/{provider.slug}/",
        f"/orgs/{organisation.uscc}/",
        f"/funeral/quote/?provider={provider.slug}",
    ]


def large_text_phone(new_page, base, **context):
    page = phone_page(new_page, **context)
    page.context.add_cookies([{"name": "platform_large_text", "value": "1", "url": base}])
    return page


def small_targets(page):
    """Visible controls smaller than 48×48 px, and checkbox/radio labels under 48 px high."""
    return page.evaluate(
        """([selector, min]) => {
        const visible = (el) => {
          const box = el.getBoundingClientRect();
          const style = getComputedStyle(el);
          return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
            && !el.closest(".visually-hidden");
        };
        const describe = (el, box) =>
          `${el.tagName.toLowerCase()}${el.className ? "." + el.className : ""} ` +
          `"${(el.innerText || el.value || el.name || "").trim().slice(0, 30)}" ` +
          `${Math.round(box.width)}×${Math.round(box.height)}`;
        const small = [];
        for (const el of document.querySelectorAll(selector)) {
          if (!visible(el)) continue;
          const box = el.getBoundingClientRect();
          if (box.height < min - 0.5 || box.width < min - 0.5) small.push(describe(el, box));
        }
        for (const el of document.querySelectorAll("input[type=checkbox], input[type=radio]")) {
          if (!visible(el)) continue;
          const label = el.closest("label") || (el.id && document.querySelector(`label[for="${el.id}"]`));
          const box = (label || el).getBoundingClientRect();
          if (box.height < min - 0.5 || box.width < min - 0.5) small.push("hit area of " + describe(el, box));
        }
        return small;
      }""",
        [TARGETS, MIN_TARGET],
    )


def small_texts(page):
    """Texts in the page's main part set under 24 px (charts scale with their SVG: skipped)."""
    return page.evaluate(
        """(min) => {
        const small = [];
        for (const el of document.querySelectorAll("main *")) {
          if (el.closest("svg")) continue;
          const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
          const size = parseFloat(getComputedStyle(el).fontSize);
          if (text && size < min - 0.1) small.push(`${el.tagName.toLowerCase()}.${el.className} "${text.slice(0, 20)}" ${size}px`);
        }
        return small;
      }""",
        MIN_BODY_TEXT,
    )


def test_the_toggle_makes_body_text_at_least_18pt_and_remembers_it(demo_site, new_page):
    page = phone_page(new_page)
    page.goto(demo_site.url + "/guides/")
    before = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert before < MIN_BODY_TEXT  # normal mode keeps its size
    page.get_by_role("button", name="大字模式").click()
    expect(page.locator("html")).to_have_class("large-text")
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= MIN_BODY_TEXT
    page.reload()
    assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= MIN_BODY_TEXT
    # Every text of a page, not only the root: paragraphs, help, dates, labels and badges.
    page.get_by_role("link", name="火化证明开具").click()
    assert not small_texts(page)
    for path in demo_pages():
        page.goto(demo_site.url + path)
        assert not small_texts(page), path


def test_every_tap_target_is_at_least_48px(demo_site, new_page):
    base = demo_site.url
    page = large_text_phone(new_page, base)
    failures = {}
    for path in demo_pages():
        page.goto(base + path)
        # The menu's contents count too: open it where there is one.
        menu = page.locator(".header-menu > summary")
        if menu.is_visible():
            menu.click()
        small = small_targets(page)
        if small:
            failures[path] = small
    assert not failures, failures


def test_header_nav_and_banner_take_under_40_percent_of_the_first_screen(demo_site, new_page):
    base = demo_site.url
    for language in ("", "/en"):
        page = large_text_phone(new_page, base)
        for path in ("/", "/funeral/", "/orgs/", "/guides/"):
            page.goto(base + language + path)
            expect(page.locator(".demo-banner")).to_be_visible()
            bottom = page.evaluate(
                """() => Math.max(...[".site-header", ".main-nav", ".demo-banner"].map(
                    (s) => document.querySelector(s).getBoundingClientRect().bottom))"""
            )
            assert bottom <= HEADER_SHARE * PHONE["height"], (language + path, bottom)


def test_the_menu_opens_the_search_and_sign_in_without_javascript(demo_site, new_page):
    base = demo_site.url
    page = large_text_phone(new_page, base, java_script_enabled=False)
    page.goto(base + "/guides/")
    search = page.get_by_role("searchbox", name="搜索关键词")
    expect(search).to_be_hidden()
    # The large-text switch stays in sight, outside the menu, so it can be turned off.
    expect(page.get_by_role("button", name="大字模式")).to_be_visible()
    page.locator(".header-menu > summary").click()
    expect(search).to_be_visible()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    search.fill("火化")
    search.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "q=%E7%81%AB%E5%8C%96" in page.url


def test_normal_mode_keeps_the_search_in_the_header(demo_site, new_page):
    page = phone_page(new_page)
    page.goto(demo_site.url + "/")
    expect(page.get_by_role("searchbox", name="搜索关键词")).to_be_visible()
    expect(page.get_by_role("link", name="登录")).to_be_visible()
    expect(page.locator(".header-menu > summary")).to_be_hidden()
    # Turning large text on with JavaScript folds the menu away; turning it off shows it again.
    page.get_by_role("button", name="大字模式").click()
    expect(page.get_by_role("searchbox", name="搜索关键词")).to_be_hidden()
    page.get_by_role("button", name="大字模式").click()
    expect(page.get_by_role("searchbox", name="搜索关键词")).to_be_visible()


def test_no_page_is_wider_than_a_phone_in_large_text(demo_site, new_page):
    base = demo_site.url
    page = large_text_phone(new_page, base)
    too_wide = {}
    for path in demo_pages():
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert not too_wide, too_wide


def test_large_text_pages_pass_axe_at_phone_size(demo_site, new_page):
    base = demo_site.url
    page = large_text_phone(new_page, base)
    assert_pages_accessible(page, base, demo_pages())
