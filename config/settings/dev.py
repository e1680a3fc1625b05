"""Local development: the embedded SQLite database, console e-mail, debug pages."""

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The development server's origin follows the port it is served on: `make run PORT=8080`
# (or `PORT=8080 make run`) puts PORT in runserver's environment, so the admin's links and
# the payment notify, return and gateway URLs point back to the same server.
# payments.W001 warns when PAYMENTS_SITE_URL and the served address still disagree.
DEV_SERVER_PORT = env("PORT", "8000")
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", f"http://127.0.0.1:{DEV_SERVER_PORT}")
PAYMENTS_SITE_URL = env("PAYMENTS_SITE_URL", WAGTAILADMIN_BASE_URL)

# Payments go to the local Alipay gateway simulator (payments/sandbox/) in development.
PAYMENTS_SANDBOX_ENABLED = env_bool("PAYMENTS_SANDBOX_ENABLED", True)
PAYMENTS_DEFAULT_VARIANT = env("PAYMENTS_DEFAULT_VARIANT", "alipay-sandbox")
