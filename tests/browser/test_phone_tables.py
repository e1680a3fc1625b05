"""Issue 18, point 14, on a phone (390×844): a wide table scrolls sideways inside its box, and
a keyboard user can reach that box to scroll it. axe's ``scrollable-region-focusable`` failed
on such boxes at phone size; a box that fits the screen gets no extra tab stop.

Also the two small things of the same point: the home page's title names the site once, and
``/favicon.ico`` answers with the icon."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)


def wide_table_pages():
    """Public pages of the demo whose tables are wider than a phone."""
    from marketplace.catalogue.models import Provider
    from orgs.charity.models import CharityProject

    slugs = list(Provider.objects.order_by("pk").values_list("slug", flat=True)[:3])
    project = CharityProject.objects.order_by("pk").first()
    return [
        f"/funeral/providers/{slugs[0]}/",
        "/funeral/compare/?" + "&".join(f"p={slug}" for slug in slugs),
        f"/charity/projects/{project.pk}/",
    ]


def scroll_boxes(page):
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.table-wrap')).map(wrap => ({
            scrolls: wrap.scrollWidth > wrap.clientWidth + 1,
            tabindex: wrap.getAttribute('tabindex'),
            role: wrap.getAttribute('role'),
            name: wrap.getAttribute('aria-label') || '',
        }))"""
    )


def test_a_table_wider_than_the_phone_is_a_named_focusable_region_and_axe_passes(demo_site, new_page):
    page = new_page()
    page.set_viewport_size(PHONE)
    seen_scrolling = 0
    for path in wide_table_pages():
        page.goto(demo_site.url + path)
        boxes = scroll_boxes(page)
        assert boxes, path
        for box in boxes:
            if box["scrolls"]:
                seen_scrolling += 1
                assert box["tabindex"] == "0" and box["role"] == "region" and box["name"].strip(), (path, box)
            else:
                assert box["tabindex"] is None, (path, box)
        assert_accessible(page)
    # The pages above do have tables wider than a phone: the check is not vacuous.
    assert seen_scrolling >= 2

    # The keyboard reaches the box and scrolls it.
    page.goto(demo_site.url + wide_table_pages()[0])
    region = page.locator(".table-wrap[role=region]").first
    region.focus()
    expect(region).to_be_focused()
    before = region.evaluate("box => box.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("box => box.scrollLeft") > before


def test_on_a_wide_screen_the_same_tables_add_no_tab_stop(demo_site, new_page):
    page = new_page()  # 1280 px wide
    page.goto(demo_site.url + wide_table_pages()[0])
    boxes = scroll_boxes(page)
    assert boxes and all(box["tabindex"] is None for box in boxes if not box["scrolls"])


def test_the_home_title_names_the_site_once_and_favicon_ico_answers(demo_site, page):
    page.goto(demo_site.url + "/")
    assert page.title() == "北京市民政公共服务平台"
    page.goto(demo_site.url + "/en/")
    assert page.title() == "Beijing Civil Affairs Public Services"
    page.goto(demo_site.url + "/funeral/")
    assert (
        page.title().endswith(" · 北京市民政公共服务平台")
        and page.title().count("北京市民政公共服务平台") == 1
    )
    response = page.request.get(demo_site.url + "/favicon.ico")
    assert response.ok
    assert response.body()[:4] == b"\x00\x00\x01\x00"  # the ICO header
