"""Playwright against the distribution's Chromium (`playwright install` can't download here).

Browser tests use pytest-django's ``live_server`` with a transactional database,
so each test builds the demo site it needs with ``load_demo_data``.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by
# the tests themselves are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it with apt-get")
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, request):
    """A factory of pages in fresh contexts (separate cookies), closed after the test.
    A failing test leaves a screenshot in test-artifacts/."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, **kwargs)
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for page_index, page in enumerate(context.pages):
                page.screenshot(
                    path=str(ARTIFACTS / f"{request.node.name}-{index}-{page_index}.png"), full_page=True
                )
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def phone(new_page):
    """A page sized like a phone (390×844)."""
    from tests.browser.helpers import phone_page

    return phone_page(new_page)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def demo_snapshot():
    from tests.browser.demo_snapshot import DemoSnapshot

    return DemoSnapshot()


@pytest.fixture
def demo_site(transactional_db, live_server, demo_snapshot):
    """The full demo site, served by live_server.

    Transactional tests flush the database between tests, so each test starts from an
    empty database. The first test of a process builds the site with load_demo_data (which
    works on an empty database for that reason); on PostgreSQL later tests get the same
    rows back from a snapshot (tests/browser/demo_snapshot.py). (serialized_rollback can't
    be used: Playwright's greenlets give the test thread a fresh database connection
    object that lacks the serialized contents.)"""
    demo_snapshot.build()
    return live_server
