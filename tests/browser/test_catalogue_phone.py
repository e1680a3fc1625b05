"""Issue 18, point 4: the catalogue on a phone (390×844). Six dropdowns filled the first screen
and the results started below the fold. Now the filters fold behind 筛选, which says how many
are in use, the providers start on the first screen, and a bar "已选 N 家 · 比较" stays in view
once providers are ticked. On a wide screen the filters stay open."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import PHONE, assert_accessible, phone_page

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_filters_fold_and_the_providers_start_on_the_first_screen(demo_site, new_page):
    page = phone_page(new_page)
    page.goto(demo_site.url + "/funeral/")
    expect(page.get_by_label("所在区")).to_be_hidden()
    first = page.locator(".provider-row").first
    assert first.bounding_box()["y"] < PHONE["height"]
    page.locator(".filter-panel > summary").click()
    expect(page.get_by_label("所在区")).to_be_visible()
    page.get_by_label("所在区").select_option(label="石景山区")
    page.locator(".filter-panel").get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"district="))
    expect(page.locator(".filter-panel > summary")).to_contain_text("已选 1 项")
    assert_accessible(page)


def test_ticked_providers_show_a_compare_bar_that_leads_to_the_comparison(demo_site, new_page):
    page = phone_page(new_page)
    page.goto(demo_site.url + "/funeral/")
    bar = page.locator("[data-compare-bar]")
    expect(bar).to_be_hidden()
    boxes = page.locator("input[name=p]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    expect(bar).to_be_visible()
    expect(bar).to_contain_text("已选 2 家")
    expect(bar).to_be_in_viewport()
    slugs = [boxes.nth(0).get_attribute("value"), boxes.nth(1).get_attribute("value")]
    bar.get_by_role("button", name="比较").click()
    expect(page).to_have_url(re.compile(r"/funeral/compare/\?"))
    assert all(f"p={slug}" in page.url for slug in slugs)


def test_on_a_wide_screen_the_filters_stay_open(demo_site, page):
    page.goto(demo_site.url + "/funeral/")
    expect(page.get_by_label("所在区")).to_be_visible()
