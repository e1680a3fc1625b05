"""The embedded search backend: ``SearchEntry`` rows, found through each database's own
full-text index.

A record matches when it holds every word of the query: each Chinese word (jieba) as a
substring of its title, extra line or body, each Latin word (pinyin such as ``yanglao`` or
``tz``, a USCC, a receipt number, English) as the start of one of its tokens. The index
(``search.text.index_tokens``: bigrams of the Chinese text at consecutive positions, pinyin,
Latin words) answers that alone: a Chinese word is a phrase of its bigrams (``<->`` in a
PostgreSQL tsquery, a quoted phrase in SQLite's FTS5 table; both indexes are migration 0002's). Only a one-character Chinese word, which has no bigram, is checked in
the title and body with ``icontains``; a query of single characters reads every entry.

Title matches rank before body matches (an exact title first, then a title starting with the
query, containing it, containing all its words), then the registry's type order, then newer
records first. Two queries answer a search whatever the data size: the counts per type, each
stopping at ``SEARCH_COUNT_CAP`` + 1, and the page itself.
"""

import re
from collections import Counter
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import translation

from .. import registry
from ..models import SearchEntry
from ..text import index_tokens, normalize_query, query_phrases, snippet, terms
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


def full_text(queryset, phrases, prefixes):
    """``queryset`` narrowed through the database's full-text index to the entries holding each
    of ``phrases`` (bigrams at consecutive positions) and, for each of ``prefixes``, a token
    starting with it; and whether the index decided exactly (``False`` only without one, when
    each token is looked up in the text with ``contains`` and adjacency is not checked)."""
    if not phrases and not prefixes:
        return queryset, True
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        # Tokens are [a-z0-9]+ (search.text), so they are safe in a raw tsquery.
        raw = " & ".join(
            [*(f"({' <-> '.join(bigrams)})" for bigrams in phrases), *(f"{word}:*" for word in prefixes)]
        )
        return (
            # alias(), not annotate(): an annotation is also selected, and PostgreSQL then ran
            # to_tsvector on every matching row before sorting them (seconds for a common word).
            queryset.alias(
                full_text=SearchVector("tokens", config="simple")  # the GIN index's expression
            ).filter(full_text=SearchQuery(raw, search_type="raw", config="simple")),
            True,
        )
    if connection.vendor == "sqlite" and _sqlite_fts_table():
        match = " AND ".join(
            [*(f'"{" ".join(bigrams)}"' for bigrams in phrases), *(f'"{word}"*' for word in prefixes)]
        )
        return (
            queryset.filter(
                pk__in=RawSQL(
                    "SELECT rowid FROM search_searchentry_fts WHERE search_searchentry_fts MATCH %s", [match]
                )
            ),
            True,
        )
    tokens = [token for bigrams in phrases for token in bigrams] + list(prefixes)
    return queryset.filter(*(Q(tokens__contains=token) for token in tokens)), False


def matching(queryset, query, words):
    """Entries matching the query, annotated with a ``rank``.

    A record matches when it holds every word of the query: each Chinese word as a substring of
    its title, extra line or body, each Latin word (pinyin, initials, a code, English) as the
    start of one of its tokens. The full-text index decides this alone when every Chinese word
    has two characters or more; a one-character word is checked in the title and body with
    ``icontains`` (the index still narrows by the other words)."""
    phrases, prefixes, exact = query_phrases(query)
    queryset, decided = full_text(queryset, phrases, prefixes)
    title_rank = [
        When(title__iexact=query, then=Value(0)),
        When(title__istartswith=query, then=Value(1)),
        When(title__icontains=query, then=Value(2)),
    ]
    cjk = any(_CJK.search(word) for word in words)
    if len(words) > 1 and cjk:
        title_rank.append(When(_all_words(words, "title"), then=Value(3)))
    rank = Case(*title_rank, default=Value(4), output_field=IntegerField())
    if (phrases or prefixes) and ((exact and decided) or not cjk):
        # The index answered (a Latin-only query has no substring in the text to check: pinyin).
        return queryset.annotate(rank=rank)
    condition = Q(title__icontains=query) | Q(body__icontains=query)
    if len(words) > 1:
        condition |= _all_words(words, "title", "body")
    return queryset.filter(condition).annotate(rank=rank)


def capped_counts(queryset, cap):
    """``({key: n}, complete)``: the number of entries of each type among the first ``cap + 1``
    matches the index returns. ``complete`` is true when there are no more than ``cap``
    matches, so every count is exact; otherwise each count is a lower bound ("n+"), and a type
    with few matches may be missing from the tabs (its entries are still ranked in the list).
    Counting every match of a common word read them all."""
    sample = list(queryset.order_by().values_list("doc_type", flat=True)[: cap + 1])
    return dict(Counter(sample)), len(sample) <= cap


@contextmanager
def index_plans(indexed):
    """On PostgreSQL, answer through the GIN index, never by a scan that runs ``to_tsvector``
    on every row it reads: a type with no match for a common word made the planner expect an
    early stop and read the whole table (seconds at a million entries). Measured in
    ``benchmarks/results/public.md``. ``work_mem`` is raised for the search
    (``SEARCH_WORK_MEM``) so the bitmap of a common word's matches stays exact: a lossy
    bitmap made PostgreSQL run ``to_tsvector`` again on every row of its lossy pages."""
    if not indexed or connection.vendor != "postgresql":
        yield
        return
    names = ("enable_seqscan", "enable_indexscan", "work_mem")
    values = ("off", "off", settings.SEARCH_WORK_MEM)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s), current_setting(%s), current_setting(%s)", names)
        before = cursor.fetchone()
        cursor.execute(
            "SELECT set_config(%s, %s, true), set_config(%s, %s, true), set_config(%s, %s, true)",
            [part for pair in zip(names, values, strict=True) for part in pair],
        )
        try:
            yield
        finally:  # within a caller's transaction too, only this search is planned so
            cursor.execute(
                "SELECT set_config(%s, %s, true), set_config(%s, %s, true), set_config(%s, %s, true)",
                [part for pair in zip(names, before, strict=True) for part in pair],
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
        self.changed()

    def remove(self, document_type, pks):
        keys = [document_type.object_key(pk) for pk in pks]
        if keys:
            SearchEntry.objects.filter(doc_type=document_type.key, object_key__in=keys).delete()
            self.changed()

    def prune(self, document_type, before):
        if SearchEntry.objects.filter(doc_type=document_type.key, updated__lt=before).delete()[0]:
            self.changed()

    def prune_unregistered(self):
        if SearchEntry.objects.exclude(doc_type__in=[t.key for t in registry.document_types()]).delete()[0]:
            self.changed()

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
        indexed = any(query_phrases(query)[:2])
        with index_plans(indexed):
            return self._search(base, query, words, types, doc_type, page, per_page)

    def _search(self, base, query, words, types, doc_type, page, per_page):
        by_type, complete = capped_counts(base, settings.SEARCH_COUNT_CAP)
        counts = [
            TypeCount(key, str(t.label), by_type[key], capped=not complete)
            for key, t in types.items()
            if by_type.get(key)
        ]
        shown = {count.key: count.count for count in counts}
        total = shown.get(doc_type, 0) if doc_type else sum(shown.values())
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
