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


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits and other cached state never leak from one test into another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def home_page(db):
    from tests.factories.cms import make_home_page

    return make_home_page()
