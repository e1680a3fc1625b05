"""The Elasticsearch backend (elasticsearch-dsl 8.x), for deployments.

One index (``settings.SEARCH_ELASTICSEARCH_INDEX``) holds every document type with the same
fields as the database backend. Text is analysed with a Chinese analyser: by default the IK
plugin's ``ik_max_word`` when indexing and ``ik_smart`` when searching, which ``site/compose.yaml``
installs (``analysis-ik``); both are settings, so a cluster without IK can use ``smartcn`` or
``standard``. The query combines IK's own segmentation with the jieba words the database backend
uses, so both engines agree on what a multi-word Chinese query means.

Pinyin (``SEARCH_ELASTICSEARCH_PINYIN``, on by default; the analysis-pinyin plugin, which
``site/compose.yaml`` installs next to IK): ``title``, ``extra`` and ``body`` each have a
``.pinyin`` sub-field analysed by IK's words and the pinyin token filter, keeping each word's
joined full pinyin and its initials (通州 → ``tongzhou``, ``tz``), the same tokens as the
embedded index; a query of Latin letters and digits also matches those sub-fields by prefix.

No Elasticsearch server runs in development or CI. The tests check what this backend would
send: the ``to_dict()`` of documents built from real rows and of the ``Search`` for a query.
"""

import datetime
import functools
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import registry
from ..text import normalize_query, snippet, terms
from . import Hit, ListPaginator, SearchBackend, SearchResults, TypeCount

# Markers ES puts around highlighted words; the text is escaped and they become <mark>.
MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
ALL_LANGUAGES = "*"


_LATIN_QUERY = re.compile(r"[0-9A-Za-z\s]+")
PINYIN_FIELDS = ["title.pinyin^3", "body.pinyin", "extra.pinyin"]


def pinyin_analyzer(tokenizer):
    """IK's words, each kept as its joined full pinyin and its initials (analysis-pinyin)."""
    from elasticsearch_dsl import analyzer, token_filter

    forms = token_filter(
        "platform_pinyin_forms",
        type="pinyin",
        keep_first_letter=True,
        keep_separate_first_letter=False,
        keep_full_pinyin=False,
        keep_joined_full_pinyin=True,
        keep_original=False,
        keep_none_chinese=True,
        keep_none_chinese_in_first_letter=False,
        limit_first_letter_length=16,
        lowercase=True,
        remove_duplicated_term=True,
    )
    return analyzer("platform_pinyin", tokenizer=tokenizer, filter=[forms])


@functools.cache
def document_class(index_name, analyzer, search_analyzer, pinyin_tokenizer=None):
    """The ``Document`` for one index name and analyser pair (from settings); with a
    ``pinyin_tokenizer``, the text fields get ``.pinyin`` sub-fields."""
    from elasticsearch_dsl import Date, Document, Keyword, Text

    def text(**fields):
        if pinyin_tokenizer:
            fields["pinyin"] = Text(analyzer=pinyin_analyzer(pinyin_tokenizer), search_analyzer="standard")
        extra = {"fields": fields} if fields else {}
        return Text(analyzer=analyzer, search_analyzer=search_analyzer, **extra)

    class SearchDocument(Document):
        doc_type = Keyword()
        object_key = Keyword()
        title = text(raw=Keyword(ignore_above=256))
        body = text()
        extra = text()
        url = Keyword(index=False)
        date = Date()
        district = Keyword()
        languages = Keyword()
        updated = Date()

        class Index:
            name = index_name
            settings = {"number_of_shards": 1, "number_of_replicas": 0}

    return SearchDocument


def _as_date(value):
    if isinstance(value, str) and value:
        return datetime.date.fromisoformat(value[:10])
    if isinstance(value, datetime.datetime):
        return value.date()
    return value or None


def document_id(document_type, pk):
    return f"{document_type.key}|{document_type.object_key(pk)}"


class ElasticsearchBackend(SearchBackend):
    @property
    def index_name(self):
        return settings.SEARCH_ELASTICSEARCH_INDEX

    @property
    def document(self):
        return document_class(
            self.index_name,
            settings.SEARCH_ELASTICSEARCH_ANALYZER,
            settings.SEARCH_ELASTICSEARCH_SEARCH_ANALYZER,
            settings.SEARCH_ELASTICSEARCH_PINYIN_TOKENIZER if settings.SEARCH_ELASTICSEARCH_PINYIN else None,
        )

    @functools.cached_property
    def client(self):
        from elasticsearch import Elasticsearch

        if not settings.SEARCH_ELASTICSEARCH_URL:
            raise ImproperlyConfigured(
                "SEARCH_BACKEND is elasticsearch but SEARCH_ELASTICSEARCH_URL is not set."
            )
        return Elasticsearch(
            settings.SEARCH_ELASTICSEARCH_URL, request_timeout=settings.SEARCH_ELASTICSEARCH_TIMEOUT
        )

    # --- Indexing -------------------------------------------------------------------

    def documents(self, document_type, rows, stamp):
        """``Document`` instances for ``rows`` (pairs of primary key and ``Entry``)."""
        document = self.document
        return [
            document(
                meta={"id": document_id(document_type, pk)},
                doc_type=document_type.key,
                object_key=document_type.object_key(pk),
                title=entry.title,
                body=entry.body,
                extra=entry.extra,
                url=entry.url,
                date=entry.date,
                district=entry.district,
                languages=list(entry.languages) or [ALL_LANGUAGES],
                updated=stamp,
            )
            for pk, entry in rows
        ]

    def setup(self):
        document = self.document
        if not document._index.exists(using=self.client):
            document.init(using=self.client)

    def upsert(self, document_type, rows, stamp):
        from elasticsearch.helpers import bulk

        actions = [doc.to_dict(include_meta=True) for doc in self.documents(document_type, rows, stamp)]
        if actions:
            bulk(self.client, actions, refresh=self._refresh())
            self.changed()

    def remove(self, document_type, pks):
        from elasticsearch.helpers import bulk

        actions = [
            {"_op_type": "delete", "_index": self.index_name, "_id": document_id(document_type, pk)}
            for pk in pks
        ]
        if actions:
            # A record that was never indexed answers 404; that is fine.
            bulk(self.client, actions, raise_on_error=False, refresh=self._refresh())
            self.changed()

    def prune(self, document_type, before):
        search = self.search_object().using(self.client).filter("term", doc_type=document_type.key)
        search = search.filter("range", updated={"lt": before})
        if settings.SEARCH_ELASTICSEARCH_REFRESH:
            search = search.params(refresh=True)
        search.delete()
        self.changed()

    @property
    def writes_visible_at_once(self):
        """Only when every write waits for a refresh (``SEARCH_ELASTICSEARCH_REFRESH``)."""
        return settings.SEARCH_ELASTICSEARCH_REFRESH

    @staticmethod
    def _refresh():
        return "wait_for" if settings.SEARCH_ELASTICSEARCH_REFRESH else False

    # --- Querying -------------------------------------------------------------------

    def search_object(self):
        from elasticsearch_dsl import Search

        # No client here: the body can be built (and checked) without a cluster.
        return Search(index=self.index_name)

    def build_search(self, query, *, doc_type=None, offset=0, per_page=None, language=None):
        """The ``Search`` for a query: title matches rank first; counts per type in an aggregation
        that ignores the type filter (applied as a post filter)."""
        from elasticsearch_dsl import Q
        from elasticsearch_dsl.query import MultiMatch

        query = normalize_query(query)
        words = terms(query)
        per_page = per_page or settings.SEARCH_PAGE_SIZE
        language = language or translation.get_language() or settings.LANGUAGE_CODE
        fields = ["title^3", "body", "extra"]
        should = [
            MultiMatch(query=query, fields=fields, type="phrase", boost=4),
            MultiMatch(query=query, fields=fields, type="best_fields", operator="and"),
        ]
        if len(words) > 1:
            should.append(
                Q("bool", must=[MultiMatch(query=word, fields=fields, type="phrase") for word in words])
            )
        if settings.SEARCH_ELASTICSEARCH_PINYIN and _LATIN_QUERY.fullmatch(query):
            # Pinyin and initials, each word of the query a prefix (the embedded index's rule).
            should.append(MultiMatch(query=query, fields=PINYIN_FIELDS, type="bool_prefix", operator="and"))
        search = (
            self.search_object()
            .query(Q("bool", should=should, minimum_should_match=1))
            .filter("terms", languages=[language, ALL_LANGUAGES])
            .filter("terms", doc_type=[t.key for t in registry.document_types()])
            .sort("_score", {"date": {"order": "desc", "missing": "_last"}})
            .highlight("body", fragment_size=80, number_of_fragments=1, no_match_size=80)
            .highlight_options(pre_tags=[MARK_OPEN], post_tags=[MARK_CLOSE])
            .source(["doc_type", "title", "body", "url", "date", "district", "extra"])
            .extra(track_total_hits=True)
        )
        search.aggs.bucket("types", "terms", field="doc_type", size=50)
        if doc_type:
            search = search.post_filter("term", doc_type=doc_type)
        return search[offset : offset + per_page]

    def search(self, query, *, doc_type=None, page=1, per_page=None, language=None):
        query = normalize_query(query)
        per_page = per_page or settings.SEARCH_PAGE_SIZE
        types = {t.key: t for t in registry.document_types()}
        if doc_type not in types:
            doc_type = None
        if not query:
            return SearchResults(query=query, words=[], doc_type=doc_type, page_obj=None)
        words = terms(query)
        try:
            number = max(1, int(page))
        except (TypeError, ValueError):
            number = 1
        response = (
            self.build_search(
                query, doc_type=doc_type, offset=(number - 1) * per_page, per_page=per_page, language=language
            )
            .using(self.client)
            .execute()
        )
        total = response.hits.total.value
        last = max(1, -(-total // per_page))
        if number > last:
            number = last
            response = (
                self.build_search(
                    query,
                    doc_type=doc_type,
                    offset=(number - 1) * per_page,
                    per_page=per_page,
                    language=language,
                )
                .using(self.client)
                .execute()
            )
        by_type = {bucket.key: bucket.doc_count for bucket in response.aggregations.types.buckets}
        counts = [TypeCount(key, str(t.label), by_type[key]) for key, t in types.items() if by_type.get(key)]
        hits = [self._hit(result, types, query, words) for result in response]
        return SearchResults(
            query=query,
            words=words,
            doc_type=doc_type,
            page_obj=ListPaginator(hits, total, per_page).page(number),
            counts=counts,
        )

    def _hit(self, result, types, query, words):
        fragments = getattr(getattr(result.meta, "highlight", None), "body", None)
        if fragments:
            text = str(escape(fragments[0]))
            text = text.replace(MARK_OPEN, "<mark>").replace(MARK_CLOSE, "</mark>")
            excerpt = mark_safe(text)  # noqa: S308 - escaped above; only our markers become tags
        else:
            excerpt = snippet(getattr(result, "body", ""), query, words)
        document_type = types.get(result.doc_type)
        return Hit(
            doc_type=result.doc_type,
            label=str(document_type.label) if document_type else result.doc_type,
            title=result.title,
            url=result.url,
            snippet=excerpt,
            date=_as_date(getattr(result, "date", None)),
            district=getattr(result, "district", ""),
            extra=getattr(result, "extra", ""),
        )
