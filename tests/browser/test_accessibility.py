"""WCAG 2.1 AA checks with axe-core on the public pages, in normal and large-text mode."""

import pytest

from tests.browser.helpers import assert_pages_accessible

pytestmark = pytest.mark.django_db(transaction=True)


PAGES = [
    "/",
    "/en/",
    "/guides/",
    "/guides/cremation-certificate/",
    "/en/guides/",
    "/news/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/login/sms/",
    "/verify/",
    "/open-data/",
]


def demo_paths():
    """Pages whose URLs come from the demo data."""
    from orgs.registry.models import Organization

    organisation = Organization.objects.filter(name__contains="养老").order_by("pk").first()
    return ["/orgs/", "/orgs/?q=养老", f"/orgs/{organisation.uscc}/", f"/en/orgs/{organisation.uscc}/"]


def test_public_pages_have_no_wcag_aa_violations(demo_site, page):
    assert_pages_accessible(page, demo_site.url, PAGES + demo_paths())
    # The large-text mode changes sizes and wrapping; check the busiest page again in it.
    page.goto(demo_site.url + "/")
    page.get_by_role("button", name="大字模式").click()
    assert_pages_accessible(page, demo_site.url, ["/guides/cremation-certificate/"])


def test_sign_up_errors_are_announced_and_linked_to_their_fields(demo_site, page):
    page.goto(demo_site.url + "/accounts/signup/")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="发送验证码").click()
    mobile = page.get_by_label("手机号码")
    described_by = mobile.get_attribute("aria-describedby") or ""
    error_ids = [i for i in described_by.split() if "error" in i]
    assert error_ids, "the field's error is not linked with aria-describedby"
    assert "请输入有效的中国大陆手机号码" in page.locator(f"#{error_ids[0]}").inner_text()
    assert mobile.get_attribute("aria-invalid") == "true"
    assert mobile.input_value() == "12345"
