"""The embedded search backend: ``SearchEntry`` rows, found through each database's own
full-text index and checked exactly.

A record matches when its title or body contains the whole query, or when every jieba word of
the query occurs in its title or body; a query in Latin letters and digits (pinyin such as
``yanglao`` or ``tz``, a USCC, a receipt number, English) matches the records holding a token
that starts with each of its words. The full-text index (``search.text.index_tokens``; a GIN
index on PostgreSQL, FTS5 on SQLite, see migration ``0002``) narrows the candidates so that
a search doesn't read every entry; ``icontains`` then decides exactly among them, so what a
Chinese query finds is what it found before the index. A query of single Chinese characters
asks nothing of the index and reads every entry.

Title matches rank before body matches (an exact title first, then a title starting with the
query, containing it, containing all its words), then newer records first. Three queries
answer a search whatever the data size: the counts per type, the page's count and the page
itself.
"""

import re

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import translation

from .. import registry
from ..models import SearchEntry
from ..text import index_tokens, normalize_query, query_tokens, snippet, terms
from . import Hit, ListPaginator, SearchBackend, SearchResults, TypeCount

FIELDS = ("title", "body", "url", "date", "district", "extra", "languages", "updated", "tokens")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def entry_row(document_type, pk, entry, stamp):
    return SearchEntry(
        doc_type=document_type.key,
        object_key=document_type.object_key(pk),
        title=entry.title[:300],
        body=entry.body,
        url=entry.url[:500],
        date=entry.date,
        district=(entry.district or "")[:40],
        extra=(entry.extra or "")[:300],
        languages=SearchEntry.encode_languages(entry.languages),
        updated=stamp,
        tokens=index_tokens(entry.title, entry.extra, entry.body),
    )


def _all_words(words, *fields):
    condition = Q()
    for word in words:
        either = Q()
        for name in fields:
            either |= Q(**{f"{name}__icontains": word})
        condition &= either
    return condition


_FTS_TABLE = {}


def _sqlite_fts_table():
    """Whether this SQLite database has the FTS5 table of migration 0002 (a SQLite built
    without FTS5 has none, and the backend then reads every entry); asked once per database."""
    name = connection.settings_dict["NAME"]
    if name not in _FTS_TABLE:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'search_searchentry_fts'"
            )
            _FTS_TABLE[name] = cursor.fetchone() is not None
    return _FTS_TABLE[name]


def full_text(queryset, exact, prefixes):
    """``queryset`` narrowed to the entries whose tokens hold every ``exact`` token and, for each
    of ``prefixes``, a token starting with it, through the database's full-text index."""
    if not exact and not prefixes:
        return queryset
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # Tokens are [a-z0-9]+ (search.text), so they are safe in a raw tsquery.
        raw = " & ".join([*exact, *(f"{word}:*" for word in prefixes)])
        return queryset.annotate(
            full_text=SearchVector("tokens", config="simple")  # the GIN index's expression
        ).filter(full_text=SearchQuery(raw, search_type="raw", config="simple"))
    if connection.vendor == "sqlite" and _sqlite_fts_table():
        match = " AND ".join([*(f'"{t}"' for t in exact), *(f'"{word}"*' for word in prefixes)])
        return queryset.filter(
            pk__in=RawSQL(
                "SELECT rowid FROM search_searchentry_fts WHERE search_searchentry_fts MATCH %s", [match]
            )
        )
    return queryset.filter(*(Q(tokens__contains=t) for t in [*exact, *prefixes]))


def matching(queryset, query, words):
    """Entries matching the whole query or all of its words, annotated with a ``rank``."""
    exact, prefixes = query_tokens(query)
    queryset = full_text(queryset, exact, prefixes)
    if prefixes and not exact and not any(_CJK.search(word) for word in words):
        # Latin letters and digits only: the index's word-prefix match is the answer (pinyin
        # has no substring in the text to check).
        title_rank = [
            When(title__iexact=query, then=Value(0)),
            When(title__istartswith=query, then=Value(1)),
            When(title__icontains=query, then=Value(2)),
        ]
        return queryset.annotate(rank=Case(*title_rank, default=Value(4), output_field=IntegerField()))
    condition = Q(title__icontains=query) | Q(body__icontains=query)
    title_rank = [
        When(title__iexact=query, then=Value(0)),
        When(title__istartswith=query, then=Value(1)),
        When(title__icontains=query, then=Value(2)),
    ]
    if len(words) > 1:
        condition |= _all_words(words, "title", "body")
        title_rank.append(When(_all_words(words, "title"), then=Value(3)))
    return queryset.filter(condition).annotate(
        rank=Case(*title_rank, default=Value(4), output_field=IntegerField())
    )


def for_language(queryset, language):
    return queryset.filter(Q(languages="") | Q(languages__contains=f" {language} "))


class DatabaseBackend(SearchBackend):
    def upsert(self, document_type, rows, stamp):
        objects = [entry_row(document_type, pk, entry, stamp) for pk, entry in rows]
        for start in range(0, len(objects), 500):
            SearchEntry.objects.bulk_create(
                objects[start : start + 500],
                update_conflicts=True,
                unique_fields=["doc_type", "object_key"],
                update_fields=list(FIELDS),
            )

    def remove(self, document_type, pks):
        keys = [document_type.object_key(pk) for pk in pks]
        if keys:
            SearchEntry.objects.filter(doc_type=document_type.key, object_key__in=keys).delete()

    def prune(self, document_type, before):
        SearchEntry.objects.filter(doc_type=document_type.key, updated__lt=before).delete()

    def prune_unregistered(self):
        SearchEntry.objects.exclude(doc_type__in=[t.key for t in registry.document_types()]).delete()

    def search(self, query, *, doc_type=None, page=1, per_page=None, language=None):
        query = normalize_query(query)
        per_page = per_page or settings.SEARCH_PAGE_SIZE
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        types = {t.key: t for t in registry.document_types()}
        if doc_type not in types:
            doc_type = None
        if not query:
            return SearchResults(query=query, words=[], doc_type=doc_type, page_obj=None)
        words = terms(query)
        base = matching(for_language(SearchEntry.objects.filter(doc_type__in=types), language), query, words)
        by_type = dict(base.order_by().values_list("doc_type").annotate(n=Count("pk")))
        counts = [TypeCount(key, str(t.label), by_type[key]) for key, t in types.items() if by_type.get(key)]
        total = by_type.get(doc_type, 0) if doc_type else sum(by_type.values())
        paginator = ListPaginator([], total, per_page)
        number = paginator.get_page(page).number
        offset = (number - 1) * per_page
        rows = base.filter(doc_type=doc_type) if doc_type else base
        # Within a rank, the registry's type order: a provider or organisation named by the
        # query comes before the many donations to a project that shares the word.
        type_order = Case(
            *(When(doc_type=key, then=Value(t.order)) for key, t in types.items()),
            default=Value(1000),
            output_field=IntegerField(),
        )
        rows = rows.order_by("rank", type_order, F("date").desc(nulls_last=True), "title", "pk")
        rows = rows.only("doc_type", "title", "body", "url", "date", "district", "extra")
        hits = [
            Hit(
                doc_type=row.doc_type,
                label=str(types[row.doc_type].label),
                title=row.title,
                url=row.url,
                snippet=snippet(row.body, query, words),
                date=row.date,
                district=row.district,
                extra=row.extra,
            )
            for row in rows[offset : offset + per_page]
        ]
        return SearchResults(
            query=query,
            words=words,
            doc_type=doc_type,
            page_obj=ListPaginator(hits, total, per_page).page(number),
            counts=counts,
        )
