"""WCAG 2.1 AA checks with axe-core on the public pages, in normal and large-text mode."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.django_db(transaction=True)

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}

PAGES = [
    "/",
    "/en/",
    "/guides/",
    "/guides/cremation-certificate/",
    "/en/guides/",
    "/news/",
    "/accounts/login/",
    "/accounts/signup/",
    "/verify/",
    "/open-data/",
]


def demo_paths():
    """Pages whose URLs come from the demo data."""
    from orgs.registry.models import Organization

    organisation = Organization.objects.filter(name__contains="养老").order_by("pk").first()
    return ["/orgs/", "/orgs/?q=养老", f"/orgs/{organisation.uscc}/", f"/en/orgs/{organisation.uscc}/"]


def test_public_pages_have_no_wcag_aa_violations(demo_site, page):
    axe = Axe()
    failures = {}
    for path in PAGES + demo_paths():
        page.goto(demo_site.url + path)
        results = axe.run(page, options=WCAG_AA)
        if results.violations_count:
            failures[path] = results.generate_report()
    # The large-text mode changes sizes and wrapping; check the busiest page again in it.
    page.goto(demo_site.url + "/")
    page.get_by_role("button", name="大字模式").click()
    page.goto(demo_site.url + "/guides/cremation-certificate/")
    results = axe.run(page, options=WCAG_AA)
    if results.violations_count:
        failures["/guides/cremation-certificate/ (large text)"] = results.generate_report()
    assert not failures, "\n\n".join(f"{path}\n{report}" for path, report in failures.items())


def test_sign_up_errors_are_announced_and_linked_to_their_fields(demo_site, page):
    page.goto(demo_site.url + "/accounts/signup/")
    page.get_by_label("手机号码").fill("12345")
    page.get_by_role("button", name="注册").click()
    mobile = page.get_by_label("手机号码")
    described_by = mobile.get_attribute("aria-describedby") or ""
    error_ids = [i for i in described_by.split() if "error" in i]
    assert error_ids, "the field's error is not linked with aria-describedby"
    assert "请输入有效的中国大陆手机号码" in page.locator(f"#{error_ids[0]}").inner_text()
    assert mobile.get_attribute("aria-invalid") == "true"
    assert mobile.input_value() == "12345"
