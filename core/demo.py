"""Demo data plumbing shared by every app.

``manage.py load_demo_data`` imports ``<app>.demo`` for every installed project
app, in INSTALLED_APPS order, and calls its ``load(out)``. Each loader must be
idempotent (``update_or_create`` on natural keys) so the command is safe to run
twice. Everything it creates is marked as demo content (示例).
"""

from contextlib import contextmanager
from contextvars import ContextVar

DEMO_MARK = "（示例）"
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - documented in the README as demo-only


# --- While the demo loads ----------------------------------------------------------------------
# The demo walks real flows (orders are submitted, confirmed, signed); services that would tell
# a person about it (an SMS at each order step) stay quiet while ``load_demo_data`` runs.
_loading = ContextVar("demo_loading", default=False)


@contextmanager
def loading():
    token = _loading.set(True)
    try:
        yield
    finally:
        _loading.reset(token)


def is_loading():
    return _loading.get()
