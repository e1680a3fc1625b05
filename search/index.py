"""Keeping the index in step with the database.

- ``post_save`` / ``post_delete`` of every registered model (and of the models a document type
  depends on) index the affected records once the transaction commits (``on_commit``), so a
  rolled-back change never reaches the index.
- ``index_objects(objects)`` / ``remove_objects(objects)`` do the same for code that bypasses
  signals, such as ``bulk_create`` (the charity donation import).
- ``rebuild()`` (``manage.py rebuild_search_index``) indexes every public record again and
  drops whatever is no longer public; running it twice changes nothing. It reads each type in
  batches by primary key (``index_batch``), the same code as the background, resumable
  reindex of ``search.reindex``.

A record is always indexed from its type's *public* queryset, fetched again by primary key: a
record that is not (or no longer) in it, e.g. an unpublished provider or a donation superseded
by a correction, is removed instead.
"""

import logging
import threading
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone, translation

from . import registry
from .backends import get_backend

logger = logging.getLogger(__name__)
_state = threading.local()


@contextmanager
def paused():
    """Skip signal-driven indexing inside the block (bulk loads that rebuild afterwards)."""
    previous = getattr(_state, "paused", False)
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = previous


def is_paused():
    return getattr(_state, "paused", False)


def entries(document_type, objects):
    """(pk, Entry) pairs for public objects; entries are written in the platform's language."""
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for obj in objects:
            entry = document_type.entry(obj)
            if entry is not None:
                rows.append((obj.pk, entry))
    return rows


def sync(document_type, pks, backend=None):
    """Index these records of ``document_type`` if public, drop them from the index otherwise."""
    pks = set(pks)
    if not pks:
        return
    backend = backend or get_backend()
    rows = entries(document_type, document_type.public_queryset(pks))
    indexed = {pk for pk, _entry in rows}
    if rows:
        backend.upsert(document_type, rows, timezone.now())
    missing = pks - indexed
    if missing:
        backend.remove(document_type, missing)


def _targets(objects):
    targets = defaultdict(set)
    for obj in objects:
        for document_type in registry.types_for_instance(obj):
            if obj.pk is not None:
                targets[document_type.key].add(obj.pk)
        for document_type, pks in registry.dependants_of(obj):
            targets[document_type.key].update(pks)
    return targets


def _apply(targets, removed=None):
    try:
        backend = get_backend()
        for key, pks in (removed or {}).items():
            backend.remove(registry.get_type(key), pks)
        for key, pks in targets.items():
            sync(registry.get_type(key), pks, backend)
    except Exception:
        # The index is derived data: a failure must not undo the user's change. It is logged,
        # and ``rebuild_search_index`` repairs the index.
        logger.exception("search index update failed")


def index_objects(objects):
    """Index these model instances (of registered types, or of models a type depends on) once
    the current transaction commits; immediately when there is none. For ``bulk_create``.

    More than ``SEARCH_INLINE_INDEX_LIMIT`` records (a 10,000-row donation import) are indexed
    by background tasks (``search.tasks.index_records``, one per ``SEARCH_REINDEX_BATCH_SIZE``
    records), so the request that wrote them doesn't wait for the index; they show in search
    once the task worker has run them."""
    targets = _targets(objects)
    if not targets:
        return
    if sum(len(pks) for pks in targets.values()) > settings.SEARCH_INLINE_INDEX_LIMIT:
        transaction.on_commit(partial(_enqueue, dict(targets)))
    else:
        transaction.on_commit(partial(_apply, dict(targets)))


def _enqueue(targets):
    size = settings.SEARCH_REINDEX_BATCH_SIZE
    for key, pks in targets.items():
        pks = sorted(pks)
        for start in range(0, len(pks), size):
            batch = pks[start : start + size]
            try:
                # Imported here: the task module binds its task to the configured backend on
                # first import, which fails when there is none.
                from .tasks import index_records  # noqa: PLC0415

                index_records.enqueue(key, batch)
            except Exception:
                # No task queue to take it (or it refused): index now rather than never.
                logger.exception("search index task could not be queued; indexing inline")
                _apply({key: set(batch)})


def remove_objects(objects):
    """Drop these instances from the index (after commit), and index again what depended on them."""
    removed = defaultdict(set)
    objects = list(objects)
    for obj in objects:
        for document_type in registry.types_for_instance(obj):
            if obj.pk is not None:
                removed[document_type.key].add(obj.pk)
    targets = defaultdict(set)
    for obj in objects:
        for document_type, pks in registry.dependants_of(obj):
            targets[document_type.key].update(pks)
    for key, pks in removed.items():
        targets.get(key, set()).difference_update(pks)
    if removed or targets:
        transaction.on_commit(partial(_apply, dict(targets), dict(removed)))


@dataclass(frozen=True)
class Batch:
    """What ``index_batch`` did: the records read, the entries written, the last primary key
    read (the next batch starts above it) and whether the type has no more records."""

    read: int
    indexed: int
    last_pk: object
    complete: bool


def index_batch(document_type, backend, stamp, after=None, size=None):
    """Index the next ``size`` public records of ``document_type`` whose primary key is above
    ``after`` (keyset paging: ``pk > after ORDER BY pk LIMIT size``, one index range scan
    however far the run has got), stamping their entries ``stamp``."""
    size = size or settings.SEARCH_REINDEX_BATCH_SIZE
    queryset = document_type.queryset().order_by("pk")
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    objects = list(queryset[:size])
    rows = entries(document_type, objects)
    if rows:
        backend.upsert(document_type, rows, stamp)
    return Batch(
        read=len(objects),
        indexed=len(rows),
        last_pk=objects[-1].pk if objects else after,
        complete=len(objects) < size,
    )


def prune_stale(backend, stamp):
    """Drop the entries no rebuild or sync has written since ``stamp`` (records deleted or no
    longer public) and those of types no longer registered."""
    for document_type in registry.document_types():
        backend.prune(document_type, stamp)
    if hasattr(backend, "prune_unregistered"):
        backend.prune_unregistered()


def rebuild(stdout=None, batch_size=None):
    """Index every public record of every type and drop every other entry, in this process.
    Idempotent. The background, resumable form of the same work is ``search.reindex``; both
    go through ``index_batch`` and ``prune_stale``."""
    backend = get_backend()
    backend.setup()
    stamp = timezone.now()
    total = 0
    for document_type in registry.document_types():
        count, after = 0, None
        while True:
            batch = index_batch(document_type, backend, stamp, after, batch_size)
            count += batch.indexed
            after = batch.last_pk
            if batch.complete:
                break
        total += count
        if stdout is not None:
            stdout.write(f"  {document_type.key}: {count}")
    prune_stale(backend, stamp)
    return total


# --- Signals ------------------------------------------------------------------------


def _before_save(sender, instance, raw=False, **kwargs):
    """Note which watched fields this save changes (see ``DocumentType.depends_on_fields``)."""
    fields = registry.watched_fields(sender)
    if raw or is_paused() or fields is None or instance.pk is None:
        return
    previous = sender._default_manager.filter(pk=instance.pk).values(*fields).first()
    if previous is None:
        return
    instance._search_changed_fields = {
        name for name in fields if previous[name] != getattr(instance, instance._meta.get_field(name).attname)
    }


def _saved(sender, instance, raw=False, **kwargs):
    if raw or is_paused():
        return
    index_objects([instance])


def _deleted(sender, instance, **kwargs):
    if is_paused():
        return
    remove_objects([instance])


def connect_signals():
    for model in registry.watched_models():
        uid = f"search.{model._meta.label_lower}"
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}.save")
        if registry.watched_fields(model) is not None:
            pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}.before_save")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}.delete")
