"""The database router of a deployment with a read replica (``settings.DATABASE_ROUTERS`` lists
it when ``REPLICA_DATABASE_URL`` is set, see ``config/settings/cluster.py``).

Reads go to the replica only inside a request that :class:`core.replica.ReplicaRoutingMiddleware`
chose for it (an anonymous public read, see there), and only until that request writes: the
choice lives in a context variable, so management commands, scheduled tasks, the shell and
any code outside such a request read from the primary. Writes, and every read inside a
transaction on the primary, go to the primary. Migrations run on the primary only: the replica
receives them with the rest of the WAL.
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections


class Route:
    """The routing of one request: whether its reads may go to the replica, and whether it wrote."""

    __slots__ = ("use_replica", "wrote")

    def __init__(self):
        self.use_replica = False
        self.wrote = False


# The current request's route; None outside a request that the middleware handles.
current_route = ContextVar("core_db_route", default=None)


# Django's database cache (``DatabaseCache``) reads and writes its table through the router with
# a stand-in model of this app label. The cache holds the page cache's section versions: it is
# always read where it is written.
CACHE_APP_LABEL = "django_cache"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        route = current_route.get()
        if (
            route is None
            or not route.use_replica
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
            or model._meta.app_label == CACHE_APP_LABEL
        ):
            return DEFAULT_DB_ALIAS
        return settings.REPLICA_DATABASE_ALIAS

    def db_for_write(self, model, **hints):
        # Also what Django asks for the reads that lead to a write (get_or_create,
        # select_for_update): they read the primary. That a statement really wrote is noted by
        # the middleware (``Route.wrote``), which sends the rest of the request to the primary.
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the same rows as the primary.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != settings.REPLICA_DATABASE_ALIAS
