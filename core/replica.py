"""The read replica: which requests read from it, read-your-writes, and the fall-back when it is
down (issue 22). The router is :mod:`core.db_router`; the settings are in
``config/settings/cluster.py``; operations are described in ``docs/deployment.md``.

**What reads from the replica.** A ``GET``/``HEAD``/``OPTIONS`` request of a visitor who is not
signed in and who has not written in the last ``READ_YOUR_WRITES_SECONDS``: the catalogue, the
registry, credit, charity, search, the open data API and the CMS pages. The choice is made when
the view is known (:meth:`ReplicaRoutingMiddleware.process_view`, last in ``MIDDLEWARE``): what
ran before it (the session, the signed-in user, the page cache and the page chrome) reads from
the primary. Everything else reads from the primary: every request of a signed-in user, every
unsafe request, the rest of a request after its first write, any read inside a transaction,
and all work outside a request (tasks, management commands).

**Read-your-writes.** A request that writes (an unsafe method, or any write to the database)
gets a signed cookie with the time of the write; for ``READ_YOUR_WRITES_SECONDS`` after it,
that client reads from the primary even when it is not signed in (an anonymous complaint or
donation, a user who has just signed out). This holds as long as the replica is less than the
window behind; ``/healthz`` reports its lag.

**The public page cache** (``core.pagecache``) stores a page under the versions of its sections
read before the view ran. A page rendered from a replica that has not yet replayed the commit
that set those versions would be stored as current and served until the next change. So a page
that is about to be stored is rendered from the replica only if the replica has replayed the
primary's whole WAL as of that moment (``pg_current_wal_insert_lsn()`` on the primary, compared with
``pg_last_wal_replay_lsn()`` on the replica), waiting at most ``REPLICA_CATCH_UP_WAIT_SECONDS``
for it; otherwise from the primary. The database cache's own table is always read from the
primary (:mod:`core.db_router`), and writing a cache entry is not a write of the client's.

**Fall-back.** Before a request uses the replica, one small query checks that it answers and is
still a standby. If it doesn't, the request reads from the primary, a warning is logged, and this
process leaves the replica alone for ``REPLICA_RETRY_SECONDS``. ``/healthz`` reports it down
(:func:`health`), with HTTP 200 while the primary answers.
"""

import contextlib
import logging
import threading
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router
from django.http import HttpResponse

from .db_router import ReplicaRouter, Route, current_route

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# The first six characters of a statement that writes (how the middleware notices a write).
WRITE_STATEMENTS = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE ", "TRUNCA"})
MARKER_SALT = "core.replica.recent-write"

# On the replica: whether it is a standby, how far it has replayed, and the age of the last
# replayed transaction while WAL waits to be replayed (0 when caught up with what it received).
PROBE_SQL = (
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn(), "
    "CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
    "ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0) END"
)
# Until when (time.monotonic()) this process leaves the replica alone.
_lock = threading.Lock()
_down_until = [0.0]


def _cache_tables():
    """The tables of the database caches: writing a cache entry is not the client's write."""
    return tuple(
        f'"{cache["LOCATION"]}"'
        for cache in settings.CACHES.values()
        if cache.get("BACKEND") == "django.core.cache.backends.db.DatabaseCache"
    )


def _writes_data(sql):
    head = sql.lstrip()[:100]
    return head[:6].upper() in WRITE_STATEMENTS and not any(table in head for table in _cache_tables())


def configured():
    """A replica alias exists and the router is active."""
    return settings.REPLICA_DATABASE_ALIAS in connections.settings and any(
        isinstance(each, ReplicaRouter) for each in router.routers
    )


def reset():
    """Forget that the replica was found down (a test, or after a failover by hand)."""
    with _lock:
        _down_until[0] = 0.0


NOT_STANDBY = "not in recovery (promoted, or not a standby)"


def _unreachable(exc):
    return f"unreachable ({exc.__class__.__name__}: {str(exc).strip()[:200]})"


def _mark_down(reason):
    with _lock:
        first = _down_until[0] <= time.monotonic()
        _down_until[0] = time.monotonic() + settings.REPLICA_RETRY_SECONDS
    if first:
        logger.warning(
            "read replica %s: %s; reading from the primary for %s s",
            settings.REPLICA_DATABASE_ALIAS,
            reason,
            settings.REPLICA_RETRY_SECONDS,
        )


def _probe():
    """``(in_recovery, replay_lsn, lag_seconds)`` from the replica; raises ``DatabaseError``."""
    replica = connections[settings.REPLICA_DATABASE_ALIAS]
    try:
        with replica.cursor() as cursor:
            cursor.execute(PROBE_SQL)
            return cursor.fetchone()
    except DatabaseError:
        replica.close()  # a broken connection is not reused; the next try reconnects
        raise


def _behind(replay_lsn):
    """How many bytes of the primary's WAL the replica has not replayed. The insert position, not
    the write position (``pg_current_wal_lsn()``): with ``synchronous_commit=off`` a commit that
    was already acknowledged may not have been written yet."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s::pg_lsn)", [replay_lsn])
        return int(cursor.fetchone()[0])


def replica_usable(caught_up=False):
    """Whether this request may read from the replica; with ``caught_up``, only if it has replayed
    everything the primary has committed by now."""
    if _down_until[0] > time.monotonic():
        return False
    try:
        in_recovery, replay_lsn, _lag = _probe()
    except DatabaseError as exc:
        _mark_down(_unreachable(exc))
        return False
    if not in_recovery:
        _mark_down(NOT_STANDBY)
        return False
    if not caught_up:
        return True
    # Everything the primary had written when the page's versions were read (just before).
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        target = cursor.fetchone()[0]
    try:
        return _replayed(target, replay_lsn)
    except DatabaseError as exc:
        _mark_down(_unreachable(exc))
        connections[settings.REPLICA_DATABASE_ALIAS].close()
        return False


def _replayed(target, replay_lsn):
    """Whether the replica replays up to ``target`` within ``REPLICA_CATCH_UP_WAIT_SECONDS``:
    a replica that streams is usually a few milliseconds behind a primary under load."""
    replica = connections[settings.REPLICA_DATABASE_ALIAS]
    deadline = time.monotonic() + settings.REPLICA_CATCH_UP_WAIT_SECONDS
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_wal_lsn_diff(%s::pg_lsn, %s::pg_lsn) <= 0", [target, replay_lsn])
        done = cursor.fetchone()[0]
        while not done and time.monotonic() < deadline:
            time.sleep(0.005)
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            done = cursor.fetchone()[0]
    return done


def _marker(at=None):
    """The recent-write cookie's value before signing: the time of the write (a Unix time)."""
    return f"{time.time() if at is None else at:.3f}"


def marker_value(at=None):
    """The signed value of the recent-write cookie for a write at ``at``, exactly as the
    middleware sets it (signed by ``HttpResponse.set_signed_cookie``, whose salt Django derives
    from the cookie's name and ``MARKER_SALT``)."""
    response = HttpResponse()
    response.set_signed_cookie(settings.READ_YOUR_WRITES_COOKIE, _marker(at), salt=MARKER_SALT)
    return response.cookies[settings.READ_YOUR_WRITES_COOKIE].value


def wrote_recently(request):
    value = request.get_signed_cookie(settings.READ_YOUR_WRITES_COOKIE, default=None, salt=MARKER_SALT)
    try:
        written_at = float(value)
    except (TypeError, ValueError):
        return False
    return time.time() - written_at < settings.READ_YOUR_WRITES_SECONDS


def reads_from_replica(request):
    """The routing decision for a request whose view is known (see the module's docstring)."""
    if request.method not in SAFE_METHODS:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if wrote_recently(request):
        return False
    # A page the page cache will store must not be older than its section versions.
    return replica_usable(caught_up=getattr(request, "_page_cache_key", None) is not None)


class ReplicaRoutingMiddleware:
    """Choose, per request, whether its reads may go to the replica, and mark a client that wrote.

    Last in ``MIDDLEWARE``: its ``process_view`` runs after the page cache's (a page served from
    the cache reads nothing) and after the signed-in user is known. Without a replica it does
    nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        route = Route()

        def note_writes(execute, sql, params, many, context):
            if not route.wrote and _writes_data(sql):
                route.wrote = True
                route.use_replica = False  # the rest of the request reads where it wrote
            return execute(sql, params, many, context)

        token = current_route.set(route)
        try:
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(note_writes):
                response = self.get_response(request)
        finally:
            current_route.reset(token)
        if route.wrote or request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                settings.READ_YOUR_WRITES_COOKIE,
                _marker(),
                salt=MARKER_SALT,
                max_age=settings.READ_YOUR_WRITES_SECONDS,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        route = current_route.get()
        if route is not None and not route.wrote:
            route.use_replica = reads_from_replica(request)
        return None


def health():
    """The replica's state for ``/healthz``: ``none`` (no replica), ``ok`` with its lag, or
    ``down``. A replica found down is also left alone by the routing (see :func:`_mark_down`)."""
    if not configured():
        return {"status": "none"}
    try:
        in_recovery, replay_lsn, lag_seconds = _probe()
    except DatabaseError as exc:
        _mark_down(_unreachable(exc))
        return {"status": "down", "error": exc.__class__.__name__}
    if not in_recovery:
        _mark_down(NOT_STANDBY)
        return {"status": "down", "error": "not in recovery"}
    reset()  # it answers again: the requests may use it at once
    state = {"status": "ok", "lag_seconds": round(float(lag_seconds), 3)}
    with contextlib.suppress(DatabaseError):  # the primary's own state is reported beside this
        state["lag_bytes"] = _behind(replay_lsn)
    return state
