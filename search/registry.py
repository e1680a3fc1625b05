"""What each app exposes to the site-wide search.

Each domain app declares its document types in its own ``documents.py``; ``SearchConfig.ready()``
imports every app's ``documents`` module (``autodiscover_modules``), so this registry never
imports a domain app and the dependencies still point downwards.

A document type says which records are public (``queryset``) and how one record reads in the
index (``entry``). Only what is already public on the site may be indexed: ``entry`` must use
the same fields the public pages show, and ``queryset`` must return only public rows. A row that
leaves the public queryset (unpublished, superseded by a correction, …) leaves the index.
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import translation
from django.utils.hashable import make_hashable


@dataclass(frozen=True)
class Entry:
    """One record as the search index stores it. Every field is public text."""

    title: str
    body: str
    url: str
    date: datetime.date | None = None
    district: str = ""
    extra: str = ""
    # The site languages whose search shows this record; empty means every language. A CMS
    # page lists its own language, and the default-language page also lists the languages it
    # stands in for where no translation exists (as the page tree falls back to it).
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocumentType:
    key: str
    label: str  # a lazy translation
    model: type[models.Model]
    queryset: Callable[[], models.QuerySet]
    entry: Callable[[models.Model], Entry | None]
    order: int = 100
    # A type whose entries grow with the city's activity (a donation, a review, a memorial: a
    # million rows), not with its institutions. The other types' entries are also held in a
    # small GIN index of their own (``search_match_few``, migration 0007, which lists them), so
    # a search can learn at once that such a type holds no match and start its walk along the
    # ranking index after it (``search.backends.database.walk_start``).
    numerous: bool = False
    # Other models whose changes change this type's entries: model -> function(instance)
    # returning the primary keys of this type to index again (e.g. a correction row -> the
    # row it supersedes; a service item -> its provider).
    depends_on: dict[type[models.Model], Callable[[models.Model], Iterable]] = field(default_factory=dict)
    # For a dependency whose entries use only some of its fields: model -> field names. A save
    # that changes none of them (e.g. an organisation editing its phone number) re-indexes
    # nothing, so one profile edit never re-indexes every donation of a large charity.
    depends_on_fields: dict[type[models.Model], tuple[str, ...]] = field(default_factory=dict)

    def object_key(self, pk):
        """A stable key for one record: ``app_label.model:pk`` of the declared model."""
        return f"{self.model._meta.label_lower}:{pk}"

    def public_queryset(self, pks=None):
        queryset = self.queryset()
        if pks is not None:
            queryset = queryset.filter(pk__in=list(pks))
        return queryset


_types: dict[str, DocumentType] = {}


def register(document_type):
    """Register (or replace) a document type. Call from an app's ``documents.py``."""
    _types[document_type.key] = document_type
    return document_type


def unregister(key):
    _types.pop(key, None)


def document_types():
    return sorted(_types.values(), key=lambda t: (t.order, t.key))


def get_type(key):
    return _types.get(key)


def types_for_instance(instance):
    """Document types whose records this instance is (by model, including subclasses)."""
    return [t for t in document_types() if isinstance(instance, t.model)]


def dependants_of(instance):
    """(document type, primary keys) pairs that change when this instance changes.

    ``instance._search_changed_fields`` (set before a save by ``search.index``) lets a
    dependency declared with ``depends_on_fields`` skip saves that leave those fields alone."""
    changed = getattr(instance, "_search_changed_fields", None)
    result = []
    for document_type in document_types():
        for model, function in document_type.depends_on.items():
            if isinstance(instance, model):
                fields = document_type.depends_on_fields.get(model)
                if fields and changed is not None and not changed.intersection(fields):
                    continue
                pks = [pk for pk in function(instance) if pk is not None]
                if pks:
                    result.append((document_type, pks))
    return result


def watched_models():
    """Every model whose post_save/post_delete may change the index."""
    seen = []
    for document_type in document_types():
        for model in (document_type.model, *document_type.depends_on):
            if model not in seen:
                seen.append(model)
    return seen


def watched_fields(model):
    """The fields of ``model`` that other document types' entries depend on, or None when some
    dependency on it is unconditional or there is none. (A record of a type's own model is
    always indexed again when saved; this only limits the dependants.)"""
    fields = set()
    for document_type in document_types():
        for dependency in document_type.depends_on:
            if issubclass(model, dependency):
                declared = document_type.depends_on_fields.get(dependency)
                if not declared:
                    return None
                fields.update(declared)
    return fields or None


def display(instance, field_name):
    """What ``instance.get_<field_name>_display()`` returns, from a table of the field's labels
    built once per field and language.

    Django's own method rebuilds a dictionary of every choice (hashing each lazy label, one
    gettext each) on every call; a district field with every division of the city made that
    the second cost of indexing after pinyin. The platform's choices are fixed lists, so the
    table never goes stale within a process."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    return _labels(field, translation.get_language()).get(make_hashable(value), value)


@functools.lru_cache(maxsize=512)
def _labels(field, language):
    return {key: str(label) for key, label in make_hashable(field.flatchoices)}
