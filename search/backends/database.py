"""The embedded search backend: ``SearchEntry`` rows, found through each database's own
full-text index.

A record matches when it holds every word of the query: each Chinese word (jieba) as a
substring of its title, extra line or body, each Latin word (pinyin such as ``yanglao`` or
``tz``, a USCC, a receipt number, English) as the start of one of its tokens. The index
(``search.text.index_tokens``: bigrams of the Chinese text at consecutive positions, pinyin,
Latin words) answers that alone: a Chinese word is a phrase of its bigrams (``<->`` in a
PostgreSQL tsquery, a quoted phrase in SQLite's FTS5 table; both indexes are migration 0002's).
Only a one-character Chinese word, which has no bigram, is checked in the title and body with
``icontains``; a query of single characters reads every entry.

Title matches rank before body matches (an exact title first, then a title starting with the
query, containing it, containing all its words), then the registry's type order, then newer
records first. The search stops early whatever the data size (``docs/search.md``): the counts
per type stop at ``SEARCH_COUNT_CAP`` + 1 matches, and the page is taken tier by tier, each
tier either sorted whole (at most the cap's entries) or read along the ranking index until the
page is full (``tier_rows``). PostgreSQL and SQLite both take that path, each through its own
indexes (migrations 0004 and 0005); a SQLite built without FTS5 sorts every candidate.
"""

import re
from collections import Counter

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils import translation

from .. import registry
from ..models import SearchEntry, SearchMatch
from ..text import index_tokens, normalize_query, query_phrases, snippet, terms, title_tokens
from . import Hit, ListPaginator, SearchBackend, SearchResults, TypeCount, sqlite_fts
from .postgres_plans import estimated_rows, index_entries, index_plans, ordered_plans, planning, sample_plans

FIELDS = (
    "title",
    "body",
    "url",
    "date",
    "district",
    "extra",
    "languages",
    "updated",
    "tokens",
    "title_tokens",
    "type_order",
)
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
        title_tokens=title_tokens(entry.title),
        type_order=document_type.order,
    )


def _all_words(words, *fields):
    condition = Q()
    for word in words:
        either = Q()
        for name in fields:
            either |= Q(**{f"{name}__icontains": word})
        condition &= either
    return condition


def _raw_tsquery(phrases, prefixes):
    # Tokens are [a-z0-9]+ (search.text), so they are safe in a raw tsquery.
    return " & ".join(
        [*(f"({' <-> '.join(bigrams)})" for bigrams in phrases), *(f"{word}:*" for word in prefixes)]
    )


_STORED_MATCH = {  # migration 0004's stored tsvector columns, and migration 0006's copy
    "tokens_tsv": "search_searchentry.tokens_tsv @@ to_tsquery('simple'::regconfig, %s)",
    "title_tsv": "search_searchentry.title_tsv @@ to_tsquery('simple'::regconfig, %s)",
    "match_tsv": "search_searchmatch.tokens_tsv @@ to_tsquery('simple'::regconfig, %s)",
}


def _stored_match(column, phrases, prefixes):
    """PostgreSQL: a stored tsvector column (``tokens_tsv``, ``title_tsv``, or ``match_tsv``:
    the narrow table's ``tokens_tsv``) holds the query. The SQL is one of three fixed strings;
    the query's tokens go in as a parameter."""
    return RawSQL(  # noqa: S611 - one of three fixed strings above, the tokens a parameter
        _STORED_MATCH[column],
        [_raw_tsquery(phrases, prefixes)],
        output_field=BooleanField(),
    )


def full_text(queryset, phrases, prefixes, ordered=False):
    """``queryset`` narrowed through the database's full-text index to the entries holding each
    of ``phrases`` (bigrams at consecutive positions) and, for each of ``prefixes``, a token
    starting with it; and whether the index decided exactly (``False`` only without one, when
    each token is looked up in the text with ``contains`` and adjacency is not checked).
    ``ordered``: the rows are to be read along the ranking index (SQLite words it differently)."""
    if not phrases and not prefixes:
        return queryset, True
    if connection.vendor == "postgresql":
        # The stored tsvector of migration 0004 (its GIN index answers the bitmap; a row read
        # along the ranking index is checked without running to_tsvector). It is never selected.
        return queryset.filter(_stored_match("tokens_tsv", phrases, prefixes)), True
    if connection.vendor == "sqlite" and sqlite_fts.TOKENS in sqlite_fts.fts_tables():
        return sqlite_fts.narrow(queryset, sqlite_fts.TOKENS, phrases, prefixes, ordered), True
    tokens = [token for bigrams in phrases for token in bigrams] + list(prefixes)
    return queryset.filter(*(Q(tokens__contains=token) for token in tokens)), False


def title_full_text(queryset, phrases, prefixes, ordered=False):
    """``queryset`` narrowed through the title's own index (PostgreSQL's ``title_tsv``, SQLite's
    FTS5 table over ``title_tokens``) to the entries whose title holds the query's words: what
    every title tier of the ranking needs (a title that contains the query contains its bigrams
    and starts one of its Latin words with each Latin word). Without that index, and for a
    query of single characters, ``queryset`` as it is."""
    if not (phrases or prefixes):
        return queryset
    if connection.vendor == "postgresql":
        return queryset.filter(_stored_match("title_tsv", phrases, prefixes))
    if connection.vendor == "sqlite" and sqlite_fts.TITLE in sqlite_fts.fts_tables():
        return sqlite_fts.narrow(queryset, sqlite_fts.TITLE, phrases, prefixes, ordered)
    return queryset


def title_holds(phrases, prefixes):
    """A condition: the title's own index holds the query's words, as every title tier requires
    (``title_full_text``); ``None`` where no index narrows the titles."""
    if connection.vendor == "postgresql":
        return Q(_stored_match("title_tsv", phrases, prefixes))
    if connection.vendor == "sqlite" and sqlite_fts.TITLE in sqlite_fts.fts_tables():
        return sqlite_fts.holds(sqlite_fts.TITLE, phrases, prefixes)
    return None


def matching(queryset, query, words, ordered=False):
    """Entries matching the query.

    A record matches when it holds every word of the query: each Chinese word as a substring of
    its title, extra line or body, each Latin word (pinyin, initials, a code, English) as the
    start of one of its tokens. The full-text index decides this alone when every Chinese word
    has two characters or more; a one-character word is checked in the title and body with
    ``icontains`` (the index still narrows by the other words)."""
    phrases, prefixes, exact = query_phrases(query)
    queryset, decided = full_text(queryset, phrases, prefixes, ordered)
    if index_decides(phrases, prefixes, exact and decided, words):
        # The index answered (a Latin-only query has no substring in the text to check: pinyin).
        return queryset
    condition = Q(title__icontains=query) | Q(body__icontains=query)
    if len(words) > 1:
        condition |= _all_words(words, "title", "body")
    return queryset.filter(condition)


def index_decides(phrases, prefixes, exact, words):
    """Whether the full-text index's answer is the match, with nothing left to check in the
    text: the query has tokens, and either every Chinese word is exactly a phrase of bigrams
    (``exact``, with an index that checks adjacency) or there is no Chinese word (a Latin-only
    query has no substring to check: pinyin)."""
    return bool(phrases or prefixes) and (exact or not any(_CJK.search(word) for word in words))


def narrow_matches(keys, language, query, words):
    """PostgreSQL: the matches of ``query`` among the entries of the types ``keys`` shown in
    ``language``, as the narrow table of migration 0006 holds them (``SearchMatch``: the same
    ids, about half the width), when the full-text index decides the match alone (``matching``
    returns the index's answer unchecked); otherwise, and on other databases, ``None``."""
    if connection.vendor != "postgresql":
        return None
    phrases, prefixes, exact = query_phrases(query)
    if not index_decides(phrases, prefixes, exact, words):
        return None
    rows = for_language(SearchMatch.objects.filter(doc_type__in=keys), language)
    return rows.filter(_stored_match("match_tsv", phrases, prefixes))


def rank_tiers(query, words):
    """The ranking's tiers, best first, as conditions on the title: an exact title, a title
    starting with the query, containing it, containing all its words (a query of several
    Chinese words), then every other match (the body). Each tier's entries follow the ranking
    index's order: the registry's type order, newer records first, then the title."""
    exact = Q(title__iexact=query)
    prefix = Q(title__istartswith=query)
    contains = Q(title__icontains=query)
    tiers = [exact, prefix & ~exact, contains & ~prefix]
    if len(words) > 1 and any(_CJK.search(word) for word in words):
        all_words = _all_words(words, "title")
        tiers.append(all_words & ~contains)
        return tiers, ~contains & ~all_words
    return tiers, ~contains


# A title tier the planner expects to hold many times the cap's entries (``_contains_tier``).
DENSE = object()
RANKING = ("type_order", F("date").desc(nulls_last=True), "title", "pk")
SHOWN = ("doc_type", "title", "body", "url", "date", "district", "extra")


def sorted_rows(pks, start, count):
    """Rows ``[start, start + count)`` of the entries ``pks`` (a tier's, at most the cap's) in the
    ranking's order: primary key lookups, then a sort of a few hundred rows."""
    if start >= len(pks):
        return []
    chosen = SearchEntry.objects.filter(pk__in=pks).order_by(*RANKING).only(*SHOWN)
    return list(chosen[start : start + count])


def tier_rows(rows, start, count, cap, ordered=None):
    """Rows ``[start, start + count)`` of one tier in the ranking's order, and the tier's size
    (``None`` when it has more than ``cap`` entries).

    The tier's first ``cap`` + 1 entries are read in no order (``sample``). A tier with at most
    ``cap`` entries is then sorted whole (``sorted_rows``). A larger one is read along the
    ranking index instead (``ordered``: the same rows worded for that, where the database needs
    it), checking each row against the query and stopping after the page's rows: such a tier's
    matches are dense, so the walk is short, where sorting would have read every match of a
    common word."""
    pks = sample(rows, cap + 1)
    if len(pks) <= cap:
        return sorted_rows(pks, start, count), len(pks)
    return walk(rows if ordered is None else ordered, start, count), None


def walk_start(kinds, phrases, prefixes):
    """PostgreSQL, a query the full-text index decides alone: the registry order at which a walk
    along the ranking index through the types ``kinds`` (in the ranking's order) may start, past
    the leading types that hold no match at all; ``None`` where no type is skipped.

    Each leading type not declared ``numerous`` is asked whether it holds the query, through the
    small GIN index of migration 0007 (an empty answer reads no row: about 0.2 ms); the first
    that does, or the first ``numerous`` type, is where the walk starts. A common word that the
    first types never hold (``yanglao`` and the providers) no longer reads every row of those
    types to find none. The types skipped hold no entry that matches, in any language, so the
    walk's rows are the same."""
    for number, kind in enumerate(kinds):
        if kind.numerous or _holds(kind.key, phrases, prefixes):
            return kind.order if number else None
    return kinds[-1].order + 1 if kinds else None


def _holds(key, phrases, prefixes):
    """Whether any entry of the type ``key`` holds the query (the narrow table's own index)."""
    return (
        SearchMatch.objects.filter(doc_type=key)
        .filter(_stored_match("match_tsv", phrases, prefixes))
        .exists()
    )


def walk(rows, start, count):
    """Rows ``[start, start + count)`` of a tier with more than the cap's entries, read along the
    ranking index."""
    with ordered_plans():
        return list(rows.order_by(*RANKING).only(*SHOWN)[start : start + count])


def sample(rows, limit, *fields, estimate=None, share=None, walkable=True, narrow=None):  # noqa: PLR0913
    """Up to ``limit`` entries of ``rows`` in no order: their primary keys, or ``fields``.

    On PostgreSQL, the planner's estimate of the matches decides how: when at least
    ``SEARCH_WALK_SHARE`` of the index matches, the table is read until ``limit`` are found (a
    few thousand rows); otherwise the full-text index's bitmap of the matches is built (for a
    common word, a bitmap of a hundred thousand entries cost more than reading a table's
    first few thousand rows). ``estimate``: the rows whose estimate decides, when the planner's
    guess for a ``LIKE`` in ``rows`` would mislead it, or ``share``, that estimate already
    taken; ``walkable=False`` for a tier its own btree index answers (an exact or prefix
    title), which is never worth a walk; ``narrow``: the same matches in the narrow table
    (``narrow_matches``), read instead of ``rows`` when the table is read (half the pages)."""
    values = rows.order_by().values_list(*(fields or ("pk",)), flat=not fields)
    if not walkable:
        return list(values[:limit])
    with sample_plans(rows if estimate is None else estimate, share) as walking:
        if walking and narrow is not None:
            values = narrow.order_by().values_list(*(fields or ("pk",)), flat=not fields)
        return list(values[:limit])


def of_types(queryset, keys):
    """``queryset`` narrowed to the entries of the document types ``keys``.

    On SQLite the type is compared through an expression (``doc_type || ''``) that no index
    serves: in a database whose statistics were never gathered (no ``ANALYZE`` since the index
    grew), SQLite's planner chose the ``doc_type`` indexes over the title's and the ranking's,
    and read and sorted every entry of the types (300-600 ms at 200,000 entries, where the
    title and ranking indexes answer in milliseconds). Which entries match is unchanged."""
    if connection.vendor == "sqlite":
        return queryset.alias(_type_key=Concat("doc_type", Value(""))).filter(_type_key__in=keys)
    return queryset.filter(doc_type__in=keys)


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
        scoped = for_language(of_types(SearchEntry.objects.all(), list(types)), language)
        base = matching(scoped, query, words)
        narrow = narrow_matches(list(types), language, query, words)
        indexed = any(query_phrases(query)[:2])
        with index_plans(indexed):
            return self._search(scoped, base, narrow, query, words, types, doc_type, page, per_page)

    @staticmethod
    def _sorted(rows, base, tiers, rest, cap):
        """A database without the indexes the tiers read (a SQLite built without FTS5, another
        vendor): the candidates sorted by rank, then the ranking index's order, in one query;
        a sample of the matches for the counts."""
        rank = Case(*(When(tier, then=Value(n)) for n, tier in enumerate(tiers)), default=Value(len(tiers)))
        ranked = rows.annotate(rank=rank).order_by("rank", *RANKING).only(*SHOWN)
        return sample(base, cap + 1, "pk", "doc_type"), lambda start, count: list(
            ranked[start : start + count]
        )

    @staticmethod
    def _title_tiers(scoped, rows, query, tiers):
        """Each title tier's rows twice: as sampled and sorted, and as read along the ranking
        index when it holds more than the cap's entries.

        PostgreSQL: the matches narrowed by the title's own vector (one form serves both).
        SQLite: the tiers start from the entries in scope, not from the matches: a title that
        starts with or contains the query holds every Chinese word of it, so the token index
        adds nothing but the cost of collecting a common word's every match. The exact and
        prefix tiers are found through the title's ``NOCASE`` index; the others are sampled
        through the title's FTS5 table. A Latin word (pinyin, a code) must also start one of
        the title's tokens, which the title's FTS5 table checks."""
        phrases, prefixes, _exact = query_phrases(query)
        if connection.vendor == "postgresql":
            found = [title_full_text(rows.filter(tier), phrases, prefixes) for tier in tiers]
            return found, found
        walks = [
            title_full_text(scoped.filter(tier), phrases, prefixes, ordered=True)
            if prefixes
            else scoped.filter(tier)
            for tier in tiers
        ]
        found = [
            walks[n] if n < 2 else title_full_text(scoped.filter(tier), phrases, prefixes)
            for n, tier in enumerate(tiers)
        ]
        return found, walks

    @staticmethod
    def _contains_tier(tier, found, phrases, prefixes, words, types, doc_type):
        """The "title contains" tier's entries (up to cap + 1), or ``DENSE`` when the planner
        expects it to hold at least ``SEARCH_DENSE_FACTOR`` times the cap: such a tier is read
        along the ranking index without first being sampled (one read of the table fewer for a
        common word; a wrong estimate costs time, never a wrong page: ``page_of``).

        A one-word query's tier is nearly every title holding the word: the planner's guess for
        the ``LIKE`` would hide how dense it is, so the title's own vector decides, alone (with
        the body's as well, the planner multiplies the two shares as if independent, though a
        title's words are always the body's too), less the exact and prefix tiers' entries
        (``found``, answered by their btree and never walked). Also returned: that estimate as a
        share of the index (``None`` where there is none)."""
        cap = settings.SEARCH_COUNT_CAP
        if len(words) != 1 or not planning():
            return sample(tier, cap + 1), None
        kinds = [doc_type] if doc_type else list(types)
        in_title = title_full_text(SearchEntry.objects.filter(doc_type__in=kinds), phrases, prefixes)
        estimate = estimated_rows(in_title)
        if estimate is None:
            return sample(tier, cap + 1, estimate=in_title), None
        share = estimate / index_entries()
        if all(len(pks) <= cap for pks in found):
            left = max(0.0, estimate - sum(len(pks) for pks in found))
            if left >= settings.SEARCH_DENSE_FACTOR * cap:
                return DENSE, share
        return sample(tier, cap + 1, share=share), share

    def _tiered(self, scoped, rows, ordered, base, narrow, query, words, types, doc_type, tiers, rest, cap):  # noqa: PLR0913
        """The search that stops early, tier by tier (``docs/search.md``). ``rows``: the matches
        (of the type tab, if one is open); ``ordered``: the same, worded for a walk along the
        ranking index; ``scoped``: every entry the search may show; ``base``: every match, and
        ``narrow`` the same in the narrow table (or ``None``), for the counts."""
        phrases, prefixes, _exact = query_phrases(query)
        held = title_holds(phrases, prefixes) if prefixes else None
        if held is not None:
            # A Latin word matches the start of a token, so a title holding it only inside a
            # word ("yl" in "Taylor") is in no title tier: the entry is one of the body tier's
            # (it matched through its other tokens), not lost between the two.
            rest = rest | ~held
        # The title tiers first: their own indexes find their few entries cheaply.
        tiers, walks = self._title_tiers(scoped, rows, query, tiers)
        # The exact and prefix tiers are answered by their btree and never walked.
        title_pks = [sample(tier, cap + 1, walkable=False) for tier in tiers[:2]]
        contains, title_share = self._contains_tier(
            tiers[2], title_pks, phrases, prefixes, words, types, doc_type
        )
        title_pks.append(contains)
        title_pks += [sample(tier, cap + 1) for tier in tiers[3:]]
        # One sample of all the matches answers both the counts (its first cap + 1) and,
        # without a type tab, whether the body tier has more than cap entries: it has when
        # the matches outnumber the title tiers' entries by more than cap.
        whole = all(pks is not DENSE and len(pks) <= cap for pks in title_pks) and not doc_type
        titled = sum(len(pks) for pks in title_pks) if whole else 0
        # Every title holding the query's word is a match: when the titles alone are enough for
        # the matches to be sampled by reading the table, no second estimate is needed.
        walks_anyway = title_share is not None and title_share >= settings.SEARCH_WALK_SHARE
        matches = sample(
            base,
            cap + 1 + titled,
            "pk",
            "doc_type",
            share=title_share if walks_anyway else None,
            narrow=narrow,
        )

        # Without a type tab, a walk may start past the leading types that hold no match
        # (``walk_start``), asked once, and only when a walk is about to run.
        bound = []

        def walked(rows):
            if narrow is None or doc_type:
                return rows
            if not bound:
                bound.append(walk_start(list(types.values()), phrases, prefixes))
            return rows if bound[0] is None else rows.filter(type_order__gte=bound[0])

        def page_of(start, wanted):
            found = []
            for tier, tier_walk, pks in zip(tiers, walks, title_pks, strict=True):
                if pks is DENSE or len(pks) > cap:
                    # A dense tier, read along the ranking index. The page starts inside it
                    # (pages go no further than the cap), but may end after it: the rest of
                    # the page then comes from the next tiers, from their start. A tier only
                    # estimated dense may have ended before the page: its true size (at most
                    # ``start``) then moves the page's start into the next tiers.
                    page_rows = walk(walked(tier_walk), start, wanted)
                    start = 0 if page_rows or not start else start - len(sample(tier, start))
                else:
                    page_rows = sorted_rows(pks, start, wanted)
                    start = max(0, start - len(pks))
                found += page_rows
                wanted -= len(page_rows)
                if not wanted:
                    return found
            if whole and len(matches) <= cap + titled:  # every match is known
                in_titles = {pk for pks in title_pks for pk in pks}
                return found + sorted_rows([pk for pk, _key in matches if pk not in in_titles], start, wanted)
            if whole:  # the body tier has more than cap entries
                return found + walk(walked(ordered.filter(rest)), start, wanted)
            return found + tier_rows(rows.filter(rest), start, wanted, cap, walked(ordered.filter(rest)))[0]

        return matches, page_of

    def _search(self, scoped, base, narrow, query, words, types, doc_type, page, per_page):  # noqa: PLR0913
        cap = settings.SEARCH_COUNT_CAP
        tiers, rest = rank_tiers(query, words)
        if connection.vendor == "postgresql" or sqlite_fts.tiered():
            ordered = matching(scoped, query, words, ordered=True)
            if doc_type:
                scoped, ordered, rows = (
                    of_types(queryset, [doc_type]).filter(type_order=types[doc_type].order)
                    for queryset in (scoped, ordered, base)
                )
            else:
                rows = base
            matches, page_of = self._tiered(
                scoped, rows, ordered, base, narrow, query, words, types, doc_type, tiers, rest, cap
            )
        else:
            rows = base.filter(doc_type=doc_type, type_order=types[doc_type].order) if doc_type else base
            matches, page_of = self._sorted(rows, base, tiers, rest, cap)
        by_type, complete = dict(Counter(key for _pk, key in matches[: cap + 1])), len(matches) <= cap
        counts = [
            TypeCount(key, str(t.label), by_type[key], capped=not complete)
            for key, t in types.items()
            if by_type.get(key)
        ]
        shown = {count.key: count.count for count in counts}
        total = shown.get(doc_type, 0) if doc_type else sum(shown.values())
        paginator = ListPaginator([], total, per_page)
        number = paginator.get_page(page).number
        found = page_of((number - 1) * per_page, per_page)
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
            for row in found
        ]
        return SearchResults(
            query=query,
            words=words,
            doc_type=doc_type,
            page_obj=ListPaginator(hits, total, per_page).page(number),
            counts=counts,
        )
