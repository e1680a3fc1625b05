"""Search indexing on Django's tasks framework.

``index_records(doc_type, pks)`` indexes the records of a large bulk write (``search.index.
index_objects`` queues it after the commit), so the request that wrote them doesn't wait.

The background reindex (``search.reindex``):

``reindex_step(run_pk, generation)`` advances a run by one step and queues the next one. With
a queue (django_tasks_db in development and production, worked by ``manage.py db_worker``),
each batch is its own task and the worker is free between them. A backend that runs a task as
soon as it is queued (the ImmediateBackend of the tests) would nest one call per batch; here a
step queued from inside a running step of the same thread is instead taken up by the loop of
the outer call, so the stack stays flat however many batches a run has.
"""

import threading

from django.tasks import task

from . import index, registry, reindex

_loop = threading.local()


@task
def reindex_step(run_pk, generation):
    if getattr(_loop, "active", False):
        _loop.pending.append((run_pk, generation))
        return "queued"
    _loop.active, _loop.pending = True, []
    try:
        outcome = None
        step = (run_pk, generation)
        while step is not None:
            outcome = reindex.advance(*step)
            step = _loop.pending.pop(0) if _loop.pending else None
        return outcome
    finally:
        _loop.active, _loop.pending = False, []


@task
def index_records(doc_type, pks):
    """Index (or drop, if no longer public) these records of one document type; returns how
    many records were read. A type unregistered since the task was queued is skipped."""
    document_type = registry.get_type(doc_type)
    if document_type is None:
        return 0
    index.sync(document_type, pks)
    return len(pks)
