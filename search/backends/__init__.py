"""One facade over the search engines: ``get_backend()`` returns the configured backend.

``settings.SEARCH_BACKEND`` is ``"database"`` (the embedded default: a table of entries queried
with ``icontains``, on SQLite and PostgreSQL) or ``"elasticsearch"`` (elasticsearch-dsl against
``settings.SEARCH_ELASTICSEARCH_URL`` with a Chinese analyser), or a dotted path to a class.
Both store the same fields and answer ``search()`` with the same ``SearchResults``.
"""

import datetime
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils.module_loading import import_string

BACKENDS = {
    "database": "search.backends.database.DatabaseBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchBackend",
}


@dataclass
class Hit:
    doc_type: str
    label: str
    title: str
    url: str
    snippet: str  # safe HTML: escaped text with <mark> around matches
    date: datetime.date | None = None
    district: str = ""
    extra: str = ""


@dataclass
class TypeCount:
    key: str
    label: str
    count: int
    # The count stopped at a cap (``settings.SEARCH_COUNT_CAP``): there are more than ``count``.
    capped: bool = False


@dataclass
class SearchResults:
    query: str
    words: list
    doc_type: str | None
    page_obj: Page | None
    counts: list[TypeCount] = field(default_factory=list)

    @property
    def hits(self):
        return list(self.page_obj.object_list) if self.page_obj else []

    @property
    def total(self):
        """Matches over every type (the type filter doesn't change it); a lower bound when
        ``capped``."""
        return sum(c.count for c in self.counts)

    @property
    def capped(self):
        """Whether some type has more matches than were counted."""
        return any(c.capped for c in self.counts)


class SearchBackend(ABC):
    """Stores entries of public records and answers queries.

    Every write ends with :meth:`changed`, which makes the cached search pages unreachable
    (``core.pagecache``, section ``search``)."""

    # Whether a write is searchable when it returns. If not, the search page is never served
    # from the page cache: a page rendered between the write and the engine's refresh would
    # be stored under the new version and stay stale.
    writes_visible_at_once = True

    def changed(self):
        from core.pagecache import bump

        bump("search")

    def setup(self):  # noqa: B027 - optional hook, a no-op unless the engine needs one
        """Create whatever the backend needs before indexing (an Elasticsearch index)."""

    @abstractmethod
    def upsert(self, document_type, rows, stamp):
        """Store ``rows`` (pairs of primary key and ``Entry``) of ``document_type``."""

    @abstractmethod
    def remove(self, document_type, pks):
        """Drop the entries of these primary keys of ``document_type``, if any."""

    @abstractmethod
    def prune(self, document_type, before):
        """Drop the entries of ``document_type`` not stored since ``before`` (after a rebuild)."""

    @abstractmethod
    def search(self, query, *, doc_type=None, page=1, per_page=None, language=None):
        """A ``SearchResults`` for ``query`` in ``language``, optionally limited to one type."""


class ListPaginator(Paginator):
    """A paginator over results a backend has already fetched for one page."""

    def __init__(self, hits, count, per_page):
        self._hits, self._count = hits, count
        super().__init__([], per_page)

    @property
    def count(self):
        return self._count

    def page(self, number):
        number = self.validate_number(number)
        return Page(self._hits, number, self)


_cache = {}


def get_backend(name=None):
    name = name or getattr(settings, "SEARCH_BACKEND", "database")
    path = BACKENDS.get(name, name)
    if path not in _cache:
        _cache[path] = import_string(path)()
    return _cache[path]


def reset_backends():
    """Forget configured backend instances (tests that change settings)."""
    _cache.clear()
