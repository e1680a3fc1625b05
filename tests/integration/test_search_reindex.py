"""The background reindex (``search.reindex``, ``search.tasks``, the admin page at
/admin/search-index/): batches by primary key, progress per type, pruning only at the end,
resuming an interrupted run, one run at a time, and who may start one.

The test settings run tasks with Django's ImmediateBackend (a task runs when queued). To stop a
run part-way, as a killed worker would, a test passes its own ``schedule`` that only records the
queued step, and then plays the worker itself by calling ``advance`` (the task's body).
"""

import dataclasses
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import timezone

from accounts.groups import BUREAU_ADMIN, CONTENT_EDITOR
from core import pagecache
from search import registry, reindex
from search.index import paused, rebuild
from search.models import ReindexProgress, ReindexRun, SearchEntry
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory
from tests.factories.cms import make_guide, make_home_page
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

URL = "/admin/search-index/"


@pytest.fixture(autouse=True)
def _data(settings):
    """Seven organisations, three published providers (one more unpublished) and a guide, read
    two records a batch; indexed once, as a live site's index would be."""
    settings.SEARCH_REINDEX_BATCH_SIZE = 2
    site = make_home_page()
    with paused():
        OrganizationFactory.create_batch(7)
        ProviderFactory.create_batch(3)
        ProviderFactory(is_published=False)
        make_guide(site, title="重建测试指南", slug="reindex-guide", service_name="重建测试指南")
    rebuild()


def snapshot():
    """What the index holds, stamps aside."""
    return sorted(
        SearchEntry.objects.values_list(
            "doc_type", "object_key", "title", "body", "url", "languages", "tokens"
        )
    )


def full_rebuild_snapshot():
    """The index a synchronous rebuild makes of the same data (rolled back afterwards)."""
    with transaction.atomic():
        rebuild()
        result = snapshot()
        transaction.set_rollback(True)
    return result


class Worker:
    """A queue the test works by hand: ``schedule`` records each queued step; ``step`` runs the
    oldest one, as a task worker would."""

    def __init__(self):
        self.queue = []

    def schedule(self, run):
        self.queue.append((run.pk, run.generation))

    def step(self):
        return reindex.advance(*self.queue.pop(0), schedule=self.schedule)

    def until(self, run, doc_type, read):
        """Work the queue until ``run`` has read ``read`` records of ``doc_type`` (the types
        before it in the registry's order are done by then)."""
        while not run.progress.filter(doc_type=doc_type, read__gte=read).exists():
            self.step()


def deleted_without_signal():
    """An organisation deleted while signal indexing was off: its entry is stale, as after a
    failed sync; only a rebuild's pruning removes it."""
    organization = OrganizationFactory(name="已注销示例协会")
    rebuild()
    key = f"registry.organization:{organization.pk}"
    with paused():
        organization.delete()
    assert SearchEntry.objects.filter(object_key=key).exists()
    return key


def staff_user(*groups, permissions=()):
    user = UserFactory()
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for label in permissions:
        app_label, codename = label.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def test_a_background_run_indexes_everything_in_batches_and_prunes_only_at_the_end():
    stale = deleted_without_signal()
    expected = full_rebuild_snapshot()
    worker = Worker()
    run = reindex.start_run(origin=ReindexRun.Origin.COMMAND, schedule=worker.schedule)
    outcomes = []
    while worker.queue:
        outcomes.append(worker.step())
        if outcomes[-1] != "finished":
            # The live index keeps every entry while the run goes on, the stale one included.
            assert SearchEntry.objects.filter(object_key=stale).exists()
            assert SearchEntry.objects.filter(doc_type="organization").count() == 8
    assert outcomes[0] == "prepared" and outcomes[-1] == "finished"
    assert not SearchEntry.objects.filter(object_key=stale).exists()
    assert snapshot() == expected
    run.refresh_from_db()
    assert run.state == ReindexRun.State.FINISHED and run.finished_at is not None
    progress = {p.doc_type: p for p in run.progress.all()}
    assert (progress["organization"].total, progress["organization"].read) == (7, 7)
    assert (progress["provider"].total, progress["provider"].read, progress["provider"].indexed) == (3, 3, 3)
    assert all(p.done for p in progress.values())
    # 7 organisations two at a time are 4 batches; 3 providers 2; the 1 guide 1; an empty type 1.
    assert progress["organization"].last_pk == str(max(int(k.split(":")[1]) for k in _keys("organization")))
    assert run.batches == len(outcomes) - 2
    # Every entry the run wrote is stamped with its start, so a later prune keeps them.
    assert not SearchEntry.objects.filter(updated__lt=run.started_at).exists()


def _keys(doc_type):
    return SearchEntry.objects.filter(doc_type=doc_type).values_list("object_key", flat=True)


def test_an_interrupted_run_resumes_from_its_primary_key_and_ends_like_a_full_rebuild():
    stale = deleted_without_signal()
    expected = full_rebuild_snapshot()
    worker = Worker()
    run = reindex.start_run(schedule=worker.schedule)
    worker.until(run, "organization", 4)  # the providers, then two batches of organisations
    # The worker dies here: the queued step is lost.
    worker.queue.clear()
    organizations = run.progress.get(doc_type="organization")
    assert (organizations.read, organizations.done) == (4, False)
    first_four = sorted(OrganizationFactory._meta.model.objects.values_list("pk", flat=True))[:4]
    assert organizations.last_pk == str(first_four[-1])
    assert SearchEntry.objects.filter(object_key=stale).exists()

    # Continuing starts a new chain of tasks from the recorded key.
    reindex.resume_run(run, schedule=worker.schedule)
    assert worker.queue == [(run.pk, 2)]
    # A task of the first chain that turns up late (its worker was only slow) does nothing.
    assert reindex.advance(run.pk, 1, schedule=worker.schedule) == "stale"
    organizations.refresh_from_db()
    assert organizations.read == 4 and worker.queue == [(run.pk, 2)]
    while worker.queue:
        worker.step()
    run.refresh_from_db()
    assert (run.state, run.generation) == (ReindexRun.State.FINISHED, 2)
    organizations.refresh_from_db()
    assert (organizations.read, organizations.total, organizations.done) == (7, 7, True)  # none read twice
    assert snapshot() == expected
    assert not SearchEntry.objects.filter(object_key=stale).exists()


def test_a_failed_batch_is_recorded_and_the_run_continues_from_the_last_batch_done():
    worker = Worker()
    run = reindex.start_run(schedule=worker.schedule)
    worker.until(run, "organization", 2)
    # The organisations' public queryset fails once (the database went away, say): a document
    # type registered in its place whose queryset raises on its first call.
    organization_type = registry.get_type("organization")
    calls = []

    def failing_once():
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("数据库连接中断")
        return organization_type.queryset()

    registry.register(dataclasses.replace(organization_type, queryset=failing_once))
    try:
        with pytest.raises(RuntimeError):
            worker.step()
    finally:
        registry.register(organization_type)
    run.refresh_from_db()
    assert run.state == ReindexRun.State.FAILED
    assert "数据库连接中断" in run.error
    assert run.progress.get(doc_type="organization").read == 2  # the failed batch left no trace
    reindex.resume_run(run)
    run.refresh_from_db()
    assert (run.state, run.error) == (ReindexRun.State.FINISHED, "")
    assert run.progress.get(doc_type="organization").read == 7


def test_a_second_start_while_a_run_is_in_progress_is_refused():
    worker = Worker()
    first = reindex.start_run(schedule=worker.schedule)
    worker.step()
    with pytest.raises(reindex.ReindexError) as refused:
        reindex.start_run(schedule=worker.schedule)
    assert f"第 {first.pk} 次" in refused.value.message and "不能同时开始另一次" in refused.value.message
    assert ReindexRun.objects.count() == 1
    # The database itself holds the rule, whatever path writes the row.
    with pytest.raises(IntegrityError), transaction.atomic():
        ReindexRun.objects.create(
            started_at=timezone.now(), origin="command", backend="database", batch_size=2
        )
    # Once the first is stopped, a new one may start; the stopped one can no longer be continued.
    reindex.stop_run(first)
    second = reindex.start_run()
    second.refresh_from_db()
    assert second.state == ReindexRun.State.FINISHED
    with pytest.raises(reindex.ReindexError):
        reindex.resume_run(first)
    with pytest.raises(reindex.ReindexError):
        reindex.resume_run(second)


def test_bureau_administrators_may_reindex():
    group = Group.objects.get(name=BUREAU_ADMIN)
    assert group.permissions.filter(content_type__app_label="search", codename="run_reindex").exists()
    assert not Group.objects.get(name=CONTENT_EDITOR).permissions.filter(codename="run_reindex").exists()


def test_the_admin_page_needs_the_reindex_permission(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]

    client.force_login(UserFactory())  # signed in, no admin access: Wagtail asks for another login
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.post(f"{URL}start/").status_code == 302
    assert not ReindexRun.objects.exists()

    # The admin, but another group: Wagtail answers a refused admin view with a redirect to
    # the dashboard and a "permission denied" message.
    client.force_login(staff_user(CONTENT_EDITOR))
    refused = client.get(URL, follow=True)
    assert refused.redirect_chain == [("/admin/", 302)]
    assert URL not in refused.content.decode()  # nor in its menu
    assert client.post(f"{URL}start/")["Location"] == "/admin/"
    assert not ReindexRun.objects.exists()
    run = reindex.start_run(schedule=Worker().schedule)
    assert client.post(f"{URL}{run.pk}/stop/")["Location"] == "/admin/"
    run.refresh_from_db()
    assert run.state == ReindexRun.State.RUNNING


def test_a_bureau_administrator_starts_a_run_and_watches_its_progress():
    admin = staff_user(BUREAU_ADMIN)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    assert URL in client.get("/admin/").content.decode()  # in the settings menu
    page = client.get(URL)
    assert page.status_code == 200 and "还没有重建记录" in page.content.decode()
    assert client.post(f"{URL}start/").status_code == 403  # no CSRF token
    assert not ReindexRun.objects.exists()
    token = (
        page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    )
    response = client.post(f"{URL}start/", {"csrfmiddlewaretoken": token}, follow=True)
    run = ReindexRun.objects.get()
    assert (run.started_by, run.origin, run.state) == (admin, "admin", ReindexRun.State.FINISHED)
    html = response.content.decode()
    assert f"第 {run.pk} 次重建：已完成" in html
    assert 'data-doc-type="organization"><td>社会组织</td><td><progress max="100" value="100"' in html
    assert "<td>7</td><td>7</td><td>7</td>" in html  # read, counted at the start, indexed


def test_the_admin_page_shows_a_run_in_progress_and_continues_it(client):
    client.force_login(staff_user(BUREAU_ADMIN))
    worker = Worker()
    run = reindex.start_run(schedule=worker.schedule)
    worker.until(run, "organization", 2)
    html = client.get(URL).content.decode()
    assert "正在进行，不能同时开始另一次" in html
    assert (
        'data-doc-type="organization"><td>社会组织</td><td><progress max="100" value="28"' in html
    )  # 2 of 7
    response = client.post(f"{URL}start/", follow=True)
    assert "不能同时开始另一次" in response.content.decode()
    assert ReindexRun.objects.count() == 1
    client.post(f"{URL}{run.pk}/resume/")
    run.refresh_from_db()
    assert (run.state, run.generation) == (ReindexRun.State.FINISHED, 2)


def test_the_admin_page_is_never_served_from_a_cache(client):
    client.force_login(staff_user(permissions=["wagtailadmin.access_admin", "search.run_reindex"]))
    first = client.get(URL)
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert pagecache.sections_of("search_admin_reindex") is None
    worker = Worker()
    reindex.start_run(schedule=worker.schedule)
    assert "正在进行" in client.get(URL).content.decode()  # the next request shows the change


def test_the_command_queues_a_background_run_and_resumes_the_latest():
    out = io.StringIO()
    call_command("rebuild_search_index", "--background", stdout=out)
    run = ReindexRun.objects.get()
    assert (run.origin, run.state, run.started_by) == ("command", ReindexRun.State.FINISHED, None)
    assert f"search reindex run {run.pk}" in out.getvalue()
    with pytest.raises(CommandError, match="No unfinished reindex run"):
        call_command("rebuild_search_index", "--resume", stdout=out)

    worker = Worker()
    interrupted = reindex.start_run(schedule=worker.schedule)
    worker.step()
    with pytest.raises(CommandError, match="不能同时开始另一次"):
        call_command("rebuild_search_index", "--background", stdout=out)
    call_command("rebuild_search_index", "--resume", stdout=out)
    interrupted.refresh_from_db()
    assert interrupted.state == ReindexRun.State.FINISHED
    # The synchronous form still works and records no run.
    call_command("rebuild_search_index", stdout=out)
    assert "search index:" in out.getvalue()
    assert ReindexRun.objects.count() == 2
    assert ReindexProgress.objects.filter(run=interrupted, done=False).count() == 0
