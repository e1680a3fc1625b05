"""Production: everything that matters comes from the environment.

Required: SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, SMS_BACKEND, and S3_BUCKET (with S3_ENDPOINT_URL,
S3_REGION, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY…) unless SINGLE_NODE_FILE_STORAGE=true. Optional: TRUSTED_PROXIES,
ELASTICSEARCH_URL, ALIPAY_* (app id, gateway URL, key paths), MEDIA_ROOT, STATIC_ROOT, PRIVATE_ROOT,
CSRF_TRUSTED_ORIGINS, EMAIL_HOST and friends. See site/env.example.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool, env_list


def required(name):
    value = os.environ.get(name)
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


DEBUG = False
SECRET_KEY = required("SECRET_KEY")
required("DATABASE_URL")  # read by base.DATABASES
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS must be set in production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"https://{host}" for host in ALLOWED_HOSTS])
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", f"https://{ALLOWED_HOSTS[0]}")
# base.py derived this from the development default; follow the public origin instead.
PAYMENTS_SITE_URL = env("PAYMENTS_SITE_URL", WAGTAILADMIN_BASE_URL)

# Files: an S3-compatible bucket shared by every web node (config/settings/storage.py,
# docs/operations.md "Object storage"), unless the site deliberately runs on one machine's disk.
if FILE_STORAGE != STORAGE_BACKEND_S3 and not SINGLE_NODE_FILE_STORAGE:  # noqa: F405
    raise ImproperlyConfigured(
        "The environment variable S3_BUCKET must be set in production (the object store every web "
        "node shares), or SINGLE_NODE_FILE_STORAGE=true when the site runs on one machine's disk."
    )

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Shared by every web node: Redis (site/compose.yaml runs it) when CACHE_URL is set, through
# Django's built-in RedisCache; otherwise the database. Rate limits, the menu and the public
# page cache (core.pagecache) live here, so it must be one cache for all nodes.
if env("CACHE_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": env("CACHE_URL")}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": env("CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
            "LOCATION": env("CACHE_LOCATION", "platform_cache"),
        }
    }

# HTTPS everywhere behind the nginx in site/.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"

MAILERS = {
    "default": {
        "BACKEND": env("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"),
        "OPTIONS": {
            "host": env("EMAIL_HOST", "localhost"),
            "port": int(env("EMAIL_PORT", "25")),
            "username": env("EMAIL_HOST_USER", ""),
            "password": env("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
        },
    }
}

# The bureau's SMS gateway: a class implementing accounts.sms.BaseSmsBackend. No default:
# the console backend writes every sign-up and sign-in code to the log, and the locmem one
# keeps them in memory for tests.
SMS_BACKEND = required("SMS_BACKEND")
if SMS_BACKEND == "accounts.sms.backends.LocmemSmsBackend":
    raise ImproperlyConfigured(
        "SMS_BACKEND: the locmem backend is for tests; name the SMS gateway's backend."
    )

# The checkout form redirects to Alipay's gateway; Chrome checks form-action on that redirect.
CSP_EXTRA_FORM_ACTION = env_list("CSP_EXTRA_FORM_ACTION", ["https://openapi.alipay.com"])

# The site-wide search uses Elasticsearch when a cluster is configured (SEARCH_* in base.py).
if env("ELASTICSEARCH_URL") or env("SEARCH_ELASTICSEARCH_URL"):
    SEARCH_BACKEND = env("SEARCH_BACKEND", "elasticsearch")
