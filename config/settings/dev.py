"""Local development: the embedded SQLite database, console e-mail, debug pages."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Payments go to the local Alipay gateway simulator (payments/sandbox/) in development.
PAYMENTS_SANDBOX_ENABLED = env_bool("PAYMENTS_SANDBOX_ENABLED", True)
PAYMENTS_DEFAULT_VARIANT = env("PAYMENTS_DEFAULT_VARIANT", "alipay-sandbox")
