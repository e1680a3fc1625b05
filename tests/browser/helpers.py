"""What the browser journeys share: signing in as a demo user and axe (WCAG 2.1 AA) checks."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD

# A phone screen (issue 18): the size every phone-size journey uses.
PHONE = {"width": 390, "height": 844}

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}


def sign_in(page, base, mobile, password=DEMO_PASSWORD):
    """Sign in through the real form and wait until the header offers 退出."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()


def assert_accessible(page):
    """The current page has no WCAG 2.1 AA violations."""
    results = Axe().run(page, options=WCAG_AA)
    assert not results.violations_count, results.generate_report()


def assert_pages_accessible(page, base, paths, before_each=None):
    """Every path has no WCAG 2.1 AA violations; the report names each failing path."""
    axe = Axe()
    failures = {}
    for path in paths:
        page.goto(base + path)
        results = axe.run(page, options=WCAG_AA)
        if results.violations_count:
            failures[path] = results.generate_report()
    assert not failures, "\n\n".join(f"{path}\n{report}" for path, report in failures.items())


def phone_page(new_page, **context):
    """A page in a fresh context, sized like a phone."""
    page = new_page(**context)
    page.set_viewport_size(PHONE)
    return page


def assert_no_horizontal_overflow(page):
    """Nothing on the page is wider than the screen (a box that scrolls inside is allowed)."""
    widths = page.evaluate("() => ({page: document.documentElement.scrollWidth, screen: window.innerWidth})")
    assert widths["page"] <= widths["screen"], widths
