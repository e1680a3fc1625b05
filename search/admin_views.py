"""The admin page of the background reindex (``search.reindex``): start a run, continue or stop
an unfinished one, and watch each run's progress per document type. A plain page: reload it
to see the progress. Needs ``search.run_reindex`` (the bureau's administrators; superusers)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import registry, reindex
from .models import ReindexRun

PERMISSION = "search.run_reindex"


def _require_permission(request):
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


@never_cache
def reindex_index(request):
    _require_permission(request)
    runs = list(
        ReindexRun.objects.select_related("started_by", "resumed_by", "stopped_by").prefetch_related(
            "progress"
        )[: settings.SEARCH_REINDEX_RUNS_SHOWN]
    )
    labels = {t.key: str(t.label) for t in registry.document_types()}
    for run in runs:
        run.rows = [(labels.get(p.doc_type, p.doc_type), p) for p in run.progress.all()]
    latest = runs[0] if runs else None
    return TemplateResponse(
        request,
        "search/admin/reindex.html",
        {
            "runs": runs,
            "running": latest if latest is not None and latest.state == ReindexRun.State.RUNNING else None,
            "resumable": latest if latest is not None and latest.is_unfinished else None,
            "State": ReindexRun.State,
            "page_title": _("搜索索引重建"),
            "header_icon": "search",
        },
    )


def _act(request, action, *args):
    _require_permission(request)
    try:
        run = action(*args, user=request.user)
    except reindex.ReindexError as error:
        messages.error(request, error.message)
    else:
        run.refresh_from_db()
        messages.success(
            request,
            _("第 %(number)s 次重建：%(state)s。") % {"number": run.pk, "state": run.get_state_display()},
        )
    return redirect("search_admin_reindex")


@require_POST
def reindex_start(request):
    return _act(request, lambda user: reindex.start_run(user=user, origin=ReindexRun.Origin.ADMIN))


@require_POST
def reindex_resume(request, pk):
    _require_permission(request)
    return _act(request, reindex.resume_run, get_object_or_404(ReindexRun, pk=pk))


@require_POST
def reindex_stop(request, pk):
    _require_permission(request)
    return _act(request, reindex.stop_run, get_object_or_404(ReindexRun, pk=pk))
