"""Settings for the test suite. The database comes from DATABASE_URL (PostgreSQL under `make test`)."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"null": {"class": "logging.NullHandler"}},
    "root": {"handlers": ["null"], "level": "WARNING"},
}
ALLOWED_HOSTS = ["*"]
SMS_BACKEND = "accounts.sms.backends.LocmemSmsBackend"
# No read replica, even under scripts/with-cluster.sh: a test that needs one makes it and adds
# the alias itself (tests/integration/test_replica.py).
DATABASES.pop(REPLICA_DATABASE_ALIAS, None)  # noqa: F405
DATABASE_ROUTERS = []

# Files and keys made by the tests live in a throwaway directory per test run.
import atexit  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

_TEST_FILES = Path(tempfile.mkdtemp(prefix="platform-test-files-"))
atexit.register(shutil.rmtree, _TEST_FILES, ignore_errors=True)
MEDIA_ROOT = _TEST_FILES / "media"
PRIVATE_ROOT = _TEST_FILES / "private"
PLATFORM_KEYS_DIR = PRIVATE_ROOT / "keys"
# Every other path a test could write to is below the same throwaway directory, so a test
# run leaves nothing in the work tree (base.py derives these before PRIVATE_ROOT is moved).
REPORT_ATTACHMENT_ROOT = PRIVATE_ROOT / "report-attachments"
OPEN_DATA_ROOT = _TEST_FILES / "open-data"
STATIC_ROOT = _TEST_FILES / "staticfiles"
# The file aliases are these directories whatever the environment says; a test that needs the
# object store switches them to a local S3 server (tests/s3_server.py).
FILE_STORAGE = STORAGE_BACKEND_FILESYSTEM  # noqa: F405
STORAGES = {**FILESYSTEM_STORAGES, "staticfiles": STATICFILES_STORAGE_ALIAS}  # noqa: F405

# Serve static files straight from the finders; no collectstatic needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Payments: the AlipayProvider talks to the local gateway simulator over HTTP.
PAYMENTS_SANDBOX_ENABLED = True
PAYMENTS_DEFAULT_VARIANT = "alipay-sandbox"
PAYMENTS_SANDBOX_NOTIFY_BACKOFF = [0.01, 0.02, 0.04]
