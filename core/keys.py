"""Key material the platform makes for itself at setup (never committed).

Apps register an initializer in ``AppConfig.ready()``; ``manage.py
init_platform_keys`` runs them all. Each initializer writes below
``settings.PLATFORM_KEYS_DIR`` (git-ignored, under PRIVATE_ROOT), does nothing if
its files already exist (unless ``force``), and returns a one-line summary.
"""

from collections.abc import Callable
from pathlib import Path

from django.conf import settings

_initializers: dict[str, Callable[..., str]] = {}


def register_key_initializer(name, func):
    _initializers[name] = func


def initializers():
    return dict(_initializers)


def keys_dir() -> Path:
    path = Path(settings.PLATFORM_KEYS_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def write_private(path: Path, data: bytes):
    """Write a secret file readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(data)
    path.chmod(0o600)
