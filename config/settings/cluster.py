"""Running on several machines (issue 22): the PostgreSQL streaming replica for public reads.

``base.py`` imports this module and adds the ``replica`` database alias right after
``DATABASES`` when ``REPLICA_DATABASE_URL`` is set; without it (``make run``, the test suite)
there is no replica, no router and every query goes to ``default``. What goes where, the
read-your-writes window and the fall-back are described in ``core/replica.py`` and
``docs/deployment.md``.
"""

from .environment import env

# --- Read replica (core.replica, core.db_router) ------------------------------------------------
# A hot standby of the primary (pg_basebackup -R). Empty: no replica.
REPLICA_DATABASE_URL = env("REPLICA_DATABASE_URL", "")
REPLICA_DATABASE_ALIAS = "replica"
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"] if REPLICA_DATABASE_URL else []
# After a client writes (any unsafe request, or any write to the database during a request),
# its requests read from the primary for this many seconds (a signed cookie). Keep it well above
# the replica's lag (/healthz reports it): read-your-writes holds only while the lag is below it.
READ_YOUR_WRITES_SECONDS = int(env("READ_YOUR_WRITES_SECONDS", "10"))
READ_YOUR_WRITES_COOKIE = "platform_recent_write"
# A replica that cannot be reached is left alone for this many seconds (per web process): the
# public reads go to the primary meanwhile, and /healthz reports the replica down.
REPLICA_RETRY_SECONDS = int(env("REPLICA_RETRY_SECONDS", "30"))
# A page that the public page cache will store is rendered from the replica only once the replica
# has replayed everything the primary had written; it waits at most this long, then the primary
# renders it (core.replica).
REPLICA_CATCH_UP_WAIT_SECONDS = float(env("REPLICA_CATCH_UP_WAIT_SECONDS", "0.1"))
