import pytest
from django.core.cache import cache


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
