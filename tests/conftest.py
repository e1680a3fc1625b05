import importlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _default_language():
    """A request under /en/ leaves English active in the thread; start every test in Chinese."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True, scope="session")
def _platform_keys():
    """The platform's keys exist before any test, as after `manage.py init_platform_keys` in a
    deployment, so no test depends on another having sealed a PDF first. The test settings put
    them in the run's throwaway directory; a test about key making uses its own directory."""
    from core.keys import initializers

    for _name, initializer in sorted(initializers().items()):
        initializer()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and other cached state never leak from one test into another."""
    cache.clear()
    yield
    cache.clear()


def _sleep_without_clock_nanosleep(seconds):
    """``time.sleep`` through ``select``'s relative timeout (see ``pytest_configure``)."""
    import select

    select.select([], [], [], max(0.0, seconds))


def pytest_configure(config):
    # `make test-future` runs the suite under libfaketime with the monotonic clock left real
    # (DONT_FAKE_MONOTONIC=1). libfaketime 0.9.10 then answers EINVAL to the absolute-deadline
    # clock_nanosleep that CPython's time.sleep uses; a relative select() timeout is unaffected.
    if "libfaketime" in os.environ.get("LD_PRELOAD", ""):
        time.sleep = _sleep_without_clock_nanosleep

    # Hypothesis keeps its example database and caches in `.hypothesis/`; a test run writes
    # only to temporary directories, so point it at one before any test is collected.
    from hypothesis import configuration

    home = Path(tempfile.mkdtemp(prefix="platform-test-hypothesis-"))
    configuration.set_hypothesis_home_dir(home)
    config.add_cleanup(lambda: shutil.rmtree(home, ignore_errors=True))


# --- Reference data ---------------------------------------------------------------------------
# Data migrations seed rows that the code relies on: the working-day calendar, Wagtail's
# locale, root page and default site, the catalogue's categories and standard package, and
# the bureau's default contract template. A transactional test (live server, `transaction=True`)
# flushes the database afterwards and those rows are gone, so a test must not rely on what
# migrations left behind: each of these fixtures get-or-creates its rows, and every database
# test gets them (``_reference_data``), whatever ran before it and in whatever order.


def ensure_holiday_calendar():
    """The State Council holiday and make-up working-day schedule (reports migration 0002)."""
    from django.apps import apps

    from orgs.reports.models import CalendarDay

    if not CalendarDay.objects.exists():
        importlib.import_module("orgs.reports.migrations.0002_seed_calendar").seed(apps, None)
    return CalendarDay.objects.all()


def ensure_wagtail_root():
    """Wagtail's locales, root page and default site (wagtailcore's initial data)."""
    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import Locale, Page, Site

    for language, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=language)
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            title="Root",
            slug="root",
            content_type=ContentType.objects.get_for_model(Page),
            locale=Locale.get_default(),
        )
    if not Site.objects.filter(is_default_site=True).exists():
        Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    return root


def ensure_catalogue_categories():
    """The service category tree and the F6 standard package (catalogue migration 0002)."""
    from tests.factories.catalogue import categories

    return categories()


def ensure_default_contract_template():
    """The bureau's published default contract template (orders migration 0002)."""
    from marketplace.orders.services import ensure_default_template

    ensure_wagtail_root()
    return ensure_default_template()


def ensure_bureau_groups():
    """The bureau's groups with their permissions (accounts migration 0002 and post_migrate)."""
    from django.contrib.auth.models import Group
    from wagtail.models import GroupPagePermission

    from accounts.groups import registered_grants
    from accounts.signals import apply_group_permissions

    missing_groups = set(registered_grants()) - set(Group.objects.values_list("name", flat=True))
    # After a flush post_migrate recreates the groups, but with no root page to grant on.
    if missing_groups or not GroupPagePermission.objects.filter(page__depth=1).exists():
        ensure_wagtail_root()
        apply_group_permissions()
    return Group.objects.all()


def ensure_checklist_steps():
    """The default 身后一件事 steps (benefit_checklist migration 0002), after a flush."""
    from django.apps import apps

    from marketplace.benefits.checklist.models import ChecklistStep

    if not ChecklistStep.objects.exists():
        importlib.import_module("marketplace.benefits.checklist.migrations.0002_default_steps").seed(
            apps, None
        )


@pytest.fixture
def holiday_calendar(db):
    return ensure_holiday_calendar()


@pytest.fixture
def wagtail_root(db):
    return ensure_wagtail_root()


@pytest.fixture
def catalogue_categories(db):
    return ensure_catalogue_categories()


@pytest.fixture
def default_contract_template(db):
    return ensure_default_contract_template()


@pytest.fixture
def bureau_groups(db):
    return ensure_bureau_groups()


REFERENCE_DATA = (
    ensure_holiday_calendar,
    ensure_wagtail_root,
    ensure_catalogue_categories,
    ensure_default_contract_template,
    ensure_bureau_groups,
    ensure_checklist_steps,
)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Every database test starts with the reference data above, in any order of tests."""
    from django.test import TransactionTestCase

    if isinstance(request.instance, TransactionTestCase):
        # A Django TestCase class: pytest-django has opened its database access already.
        for ensure in REFERENCE_DATA:
            ensure()
        return
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db", "django_db_reset_sequences"} & set(
        request.fixturenames
    )
    if uses_db:
        request.getfixturevalue("db")
        for ensure in REFERENCE_DATA:
            ensure()


@pytest.fixture
def home_page(db):
    from tests.factories.cms import make_home_page

    return make_home_page()
