"""Rebuilding the index in the background, in batches, resumably (``ReindexRun``).

- ``start_run`` records a run and queues its first task (``search.tasks.reindex_step``). While a
  run is in progress another start is refused (``ReindexError``); the database enforces it with
  a partial unique constraint, so two clicks at once can't both start one.
- Each task calls ``advance`` once: one batch of ``SEARCH_REINDEX_BATCH_SIZE`` public records of
  one document type, read by keyset (primary key above the last one done, ``index.index_batch``,
  the same code as the synchronous ``index.rebuild``). The batch's index writes, the run's
  progress and the queueing of the next task happen in one database transaction: on the
  embedded (database) backend a batch is either wholly indexed and recorded or not at all; on
  Elasticsearch the bulk write is sent inside that transaction and is idempotent, so a batch
  whose transaction then fails is simply written again when the run continues.
- The live index stays searchable throughout: entries are upserted in place, stamped with the
  run's start time. Only after the last batch of the last type are the entries stamped earlier
  pruned (records deleted or no longer public since they were indexed), and the run finished.
  A change saved during the run is indexed by the usual signal with a later stamp, so it is
  neither lost nor pruned.
- ``resume_run`` continues an unfinished run (a worker killed, an error, a stop) from the last
  primary key recorded per type. It starts a new chain of tasks (``generation``); a task of the
  old chain that is still queued finds it is no longer its run's and does nothing.
- ``stop_run`` stops a run; what it has indexed stays, nothing is pruned.

No request waits on a rebuild: the admin page and ``manage.py rebuild_search_index --background``
only write the run row and queue a task.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import registry
from .backends import get_backend
from .index import index_batch, prune_stale
from .models import ReindexProgress, ReindexRun

logger = logging.getLogger(__name__)

State = ReindexRun.State


class ReindexError(Exception):
    """A start, continue or stop that the rules refuse; the message is for the operator."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _schedule(run):
    from .tasks import reindex_step

    reindex_step.enqueue(run.pk, run.generation)


def _refuse_second_run():
    running = ReindexRun.objects.filter(state=State.RUNNING).first()
    return ReindexError(
        _("已有一次重建正在进行（第 %(number)s 次，开始于 %(started)s），不能同时开始另一次。")
        % {
            "number": running.pk if running else "?",
            "started": timezone.localtime(running.started_at).strftime("%Y-%m-%d %H:%M") if running else "?",
        }
    )


def start_run(*, user=None, origin=ReindexRun.Origin.ADMIN, schedule=_schedule):
    """Record a new run and queue its first step (``schedule(run)``; by default the task
    ``reindex_step``). Refused while another run is in progress."""
    try:
        with transaction.atomic():
            run = ReindexRun.objects.create(
                started_at=timezone.now(),
                started_by=user if user is not None and user.is_authenticated else None,
                origin=origin,
                backend=settings.SEARCH_BACKEND,
                batch_size=settings.SEARCH_REINDEX_BATCH_SIZE,
            )
    except IntegrityError:
        raise _refuse_second_run() from None
    schedule(run)
    return run


def latest_unfinished():
    """The most recent run, if it isn't finished: the only one that may be continued."""
    run = ReindexRun.objects.order_by("-started_at", "-pk").first()
    return run if run is not None and run.is_unfinished else None


def resume_run(run, *, user=None, schedule=_schedule):
    """Continue ``run`` from the primary keys it recorded, with a new chain of tasks."""
    with transaction.atomic():
        run = ReindexRun.objects.select_for_update().get(pk=run.pk)
        if run.state == State.FINISHED:
            raise ReindexError(_("这次重建已经完成，无需继续。"))
        if ReindexRun.objects.filter(started_at__gt=run.started_at).exists():
            raise ReindexError(_("之后已开始过新的重建，只能继续最近的一次。"))
        run.state = State.RUNNING
        run.generation += 1
        run.error = ""
        run.resumed_by = user if user is not None and user.is_authenticated else None
        try:
            with transaction.atomic():
                run.save(update_fields=["state", "generation", "error", "resumed_by"])
        except IntegrityError:
            raise _refuse_second_run() from None
    schedule(run)
    return run


def stop_run(run, *, user=None):
    """Stop ``run``: queued tasks do nothing; entries written so far stay; nothing is pruned."""
    with transaction.atomic():
        run = ReindexRun.objects.select_for_update().get(pk=run.pk)
        if run.state not in (State.RUNNING, State.FAILED):
            raise ReindexError(_("只能停止进行中或出错中断的重建。"))
        run.state = State.STOPPED
        run.stopped_by = user if user is not None and user.is_authenticated else None
        run.save(update_fields=["state", "stopped_by"])
    return run


def _prepare(run, backend):
    """Create the index if needed and one progress row per document type, with its count."""
    backend.setup()
    for position, document_type in enumerate(registry.document_types()):
        ReindexProgress.objects.create(
            run=run, doc_type=document_type.key, position=position, total=document_type.queryset().count()
        )
    run.prepared = True


def _next_batch(run, progress, backend):
    document_type = registry.get_type(progress.doc_type)
    if document_type is None:  # unregistered since the run started: its entries are pruned
        batch = None
    else:
        after = document_type.model._meta.pk.to_python(progress.last_pk) if progress.last_pk else None
        batch = index_batch(document_type, backend, run.started_at, after, run.batch_size)
        progress.read += batch.read
        progress.indexed += batch.indexed
        if batch.last_pk is not None:
            progress.last_pk = str(batch.last_pk)
    if batch is None or batch.complete:
        progress.done = True
        progress.finished_at = timezone.now()
    progress.save(update_fields=["last_pk", "read", "indexed", "done", "finished_at"])
    run.batches += 1


def advance(run_pk, generation, schedule=_schedule):
    """Do the next step of a run: prepare it, index one batch, or prune and finish. Returns
    what was done ("stale" when the run isn't this task chain's to advance). Every step but
    the last queues the next one (``schedule(run)``) in the same transaction."""
    try:
        with transaction.atomic():
            run = ReindexRun.objects.select_for_update().filter(pk=run_pk).first()
            if run is None or run.state != State.RUNNING or run.generation != generation:
                return "stale"
            backend = get_backend()
            if not run.prepared:
                _prepare(run, backend)
                outcome = "prepared"
            else:
                progress = run.progress.filter(done=False).order_by("position").first()
                if progress is None:
                    prune_stale(backend, run.started_at)
                    run.state = State.FINISHED
                    run.finished_at = timezone.now()
                    outcome = "finished"
                else:
                    _next_batch(run, progress, backend)
                    outcome = "batch"
            run.progressed_at = timezone.now()
            run.save(update_fields=["prepared", "batches", "progressed_at", "state", "finished_at"])
            if outcome != "finished":
                schedule(run)
            return outcome
    except Exception as error:
        logger.exception("search reindex run %s failed", run_pk)
        _record_failure(run_pk, generation, error)
        raise


def _record_failure(run_pk, generation, error):
    with transaction.atomic():
        run = ReindexRun.objects.select_for_update().filter(pk=run_pk).first()
        if run is None or run.state != State.RUNNING or run.generation != generation:
            return
        run.state = State.FAILED
        run.error = f"{type(error).__name__}: {error}"[:2000]
        run.progressed_at = timezone.now()
        run.save(update_fields=["state", "error", "progressed_at"])
