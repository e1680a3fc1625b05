"""Local development: the embedded SQLite database, console e-mail, debug pages."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
