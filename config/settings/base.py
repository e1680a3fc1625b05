"""Settings shared by every environment.

Environment-specific modules (dev, test, production) import everything from here
and override only what differs. Every setting that encodes a rule from ``RULES.md``
lives in ``rules.py`` (imported below), named after its rule and ordered by rule id.
"""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .cluster import *  # noqa: F403 - several machines: the read replica and its router (core.replica)
from .environment import env, env_bool, env_list
from .pagecache import *  # noqa: F403 - the public page cache: what each page shows, what changes it
from .rules import *  # noqa: F403 - the rule settings (RULES.md), in one place
from .scheduling import *  # noqa: F403 - the scheduled jobs and their periods (core.scheduling)
from .storage import *  # noqa: F403 - STORAGES: local directories, or an S3-compatible bucket

BASE_DIR = Path(__file__).resolve().parent.parent.parent

PLATFORM_VERSION = "0.1.0"


SECRET_KEY = env("SECRET_KEY", "django-insecure-development-only-key-do-not-use-in-production")
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# Project apps first so that their templates override Wagtail's where needed.
PROJECT_APPS = [
    "core",
    "accounts",
    "cms",
    "search",
    "api",
    "marketplace.catalogue",
    "marketplace.orders",
    "marketplace.orders.slots",
    "marketplace.feedback",
    "marketplace.memorials",
    "marketplace.memorials.visits",
    "marketplace.benefits",
    "marketplace.benefits.checklist",
    "orgs.registry",
    "orgs.reports",
    "orgs.credit",
    "orgs.charity",
    "orgs.incubator",
    "orgs.licensing",
    "payments",
]

INSTALLED_APPS = [
    *PROJECT_APPS,
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    # Wagtail's own "Translate" action: editors copy a page or snippet to English and write
    # the English themselves (issue 18, point 12; docs/decisions.md).
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "accounts.users_app.UsersConfig",  # wagtail.users with the platform's user forms
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.locales",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "django_tasks_db",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "django.contrib.postgres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything that may answer (WhiteNoise, CommonMiddleware); only /api/ (CORS_URLS_REGEX).
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # It needs the resolved view and the signed-in user (see core.pagecache).
    "core.middleware.PublicPageCacheMiddleware",
    # The site and bureau settings from the cache, for a view the page cache didn't answer
    # (cms.chrome).
    "cms.chrome.ChromeCacheMiddleware",
    # Last: its process_view chooses the primary or the read replica once the view and the user
    # are known; without a replica it does nothing (core.replica).
    "core.replica.ReplicaRoutingMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "core.context_processors.platform",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

# --- Database -----------------------------------------------------------------
# DATABASE_URL wins in every environment; the embedded default is SQLite.
# SQLite under concurrent requests: write transactions start with BEGIN IMMEDIATE (a
# writer queues on the busy timeout instead of failing with "database is locked" when
# it upgrades a read lock), the journal is WAL (readers never block the writer) and
# synchronous=NORMAL (safe with WAL: a crash loses at most the last commits, never
# corrupts). Applied to every SQLite database whatever the environment.
SQLITE_BUSY_TIMEOUT_SECONDS = float(env("SQLITE_BUSY_TIMEOUT_SECONDS", "30"))
SQLITE_INIT_COMMAND = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL"
# PostgreSQL session settings for every connection (libpq ``options``). JIT compilation is off:
# it starts on plans above ``jit_above_cost``, such as a search over many index entries, and
# costs tens of milliseconds per query, more than it saves on a web request's short queries.
POSTGRES_OPTIONS = env("POSTGRES_OPTIONS", "-c jit=off")


def database_settings(url, conn_max_age=0):
    """One DATABASES entry from a database URL, with the SQLite options when it is SQLite."""
    config = dj_database_url.parse(url, conn_max_age=conn_max_age)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "transaction_mode": "IMMEDIATE",
                "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                "init_command": SQLITE_INIT_COMMAND,
            }
        )
    elif config["ENGINE"] == "django.db.backends.postgresql" and POSTGRES_OPTIONS:
        config.setdefault("OPTIONS", {}).setdefault("options", POSTGRES_OPTIONS)
    return config


DATABASES = {
    "default": database_settings(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("DB_CONN_MAX_AGE", "0")),
    )
}
# The streaming replica for the anonymous public reads, when there is one (config/settings/cluster.py,
# core.replica). Under test it mirrors "default": no test database is ever made for it.
if REPLICA_DATABASE_URL:  # noqa: F405
    _replica = database_settings(REPLICA_DATABASE_URL, conn_max_age=int(env("DB_CONN_MAX_AGE", "0")))  # noqa: F405
    _replica["TEST"] = {"MIRROR": "default"}
    if _replica["ENGINE"] == "django.db.backends.postgresql":
        # A replica that is down costs a request little before it falls back to the primary.
        _replica["OPTIONS"].setdefault("connect_timeout", 3)
    DATABASES[REPLICA_DATABASE_ALIAS] = _replica  # noqa: F405
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `manage.py backup` / `restore` on PostgreSQL: where pg_dump and pg_restore live (empty:
# /usr/lib/postgresql/<server major>/bin, then PATH). See docs/operations.md.
BACKUP_PG_BIN_DIR = env("BACKUP_PG_BIN_DIR", "")

# --- Accounts -----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling (accounts.services), on /accounts/login/ and /admin/login/ alike.
# Per account: the first PER_ACCOUNT - 1 failures are free; from the PER_ACCOUNT-th attempt
# on, each further attempt waits DELAY_BASE × 2^(k-1) seconds (k = 1, 2, …), at most
# DELAY_MAX, so a stranger can slow a number down but never lock it for good; an SMS code
# (/accounts/login/sms/) unlocks it. The count resets after WINDOW seconds without attempts.
# Per client address: PER_IP failures inside a fixed WINDOW.
LOGIN_RATE_LIMIT_PER_ACCOUNT = int(env("LOGIN_RATE_LIMIT_PER_ACCOUNT", "5"))
LOGIN_RATE_LIMIT_PER_IP = int(env("LOGIN_RATE_LIMIT_PER_IP", "20"))
LOGIN_RATE_LIMIT_WINDOW_SECONDS = int(env("LOGIN_RATE_LIMIT_WINDOW_SECONDS", "900"))
LOGIN_ACCOUNT_DELAY_BASE_SECONDS = int(env("LOGIN_ACCOUNT_DELAY_BASE_SECONDS", "2"))
LOGIN_ACCOUNT_DELAY_MAX_SECONDS = int(env("LOGIN_ACCOUNT_DELAY_MAX_SECONDS", "900"))
# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDRs, comma-separated).
# Empty: REMOTE_ADDR is the client. Behind the nginx in site/, list the nginx host's address.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
# Codes sent by SMS to a bare number (sign-up, sign-in by SMS): at most PER_MOBILE per number
# and PER_IP per client address inside a fixed WINDOW.
SMS_CODE_LIMIT_PER_MOBILE = int(env("SMS_CODE_LIMIT_PER_MOBILE", "5"))
SMS_CODE_LIMIT_PER_IP = int(env("SMS_CODE_LIMIT_PER_IP", "20"))
SMS_CODE_WINDOW_SECONDS = int(env("SMS_CODE_WINDOW_SECONDS", "3600"))

# One-time codes sent by SMS (signing contracts and other confirmations).
SMS_BACKEND = "accounts.sms.backends.ConsoleSmsBackend"
OTP_LENGTH = 6
OTP_TTL_SECONDS = int(env("OTP_TTL_SECONDS", "300"))
OTP_MAX_ATTEMPTS = int(env("OTP_MAX_ATTEMPTS", "5"))
OTP_RESEND_INTERVAL_SECONDS = int(env("OTP_RESEND_INTERVAL_SECONDS", "60"))

# --- Internationalisation ---------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "platform_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
# One flat message dictionary per language instead of Django's chain of catalogues
# (core.i18n, docs/performance.md). Off only to compare (benchmarks/i18n_lookup.py).
I18N_FLAT_CATALOGUES = env_bool("I18N_FLAT_CATALOGUES", True)
# How long the main menu's data stays cached (cms.templatetags.cms_tags); publishing,
# unpublishing, moving or deleting a page invalidates it at once.
CMS_MAIN_MENU_CACHE_SECONDS = int(env("CMS_MAIN_MENU_CACHE_SECONDS", str(24 * 3600)))

WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]

# --- Static and media ---------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / "media")))
# Private files (platform keys, sealed originals) live outside MEDIA_ROOT.
PRIVATE_ROOT = Path(env("PRIVATE_ROOT", str(BASE_DIR / "var" / "private")))
# Keys and certificates made by `manage.py init_platform_keys` (production mounts its own).
PLATFORM_KEYS_DIR = Path(env("PLATFORM_KEYS_DIR", str(PRIVATE_ROOT / "keys")))

# STORAGES (the default, private and opendata file stores, local or S3) is in storage.py.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- Wagtail ------------------------------------------------------------------
WAGTAIL_SITE_NAME = "北京市民政公共服务平台"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "csv", "txt", "odt", "ods", "zip"]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_PASSWORD_RESET_ENABLED = True
# The admin's sign-in form goes through the same throttle as /accounts/login/.
WAGTAILADMIN_USER_LOGIN_FORM = "accounts.forms.AdminSignInForm"

# The bureau's work queues (core.admin_queues): an open item counts as due soon from today up
# to this many working days before its deadline (the dashboards' 即将到期 count and filter).
QUEUE_DUE_SOON_WORKING_DAYS = int(env("QUEUE_DUE_SOON_WORKING_DAYS", "2"))

# --- Background work ------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- Cache ----------------------------------------------------------------------
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "platform_cache",
    }
}

# --- Stored open-data bulk files (core.opendata, /open-data/) ------------------------------
# Built by the task core.opendata_tasks.regenerate_dataset, never per request, and streamed from here.
OPEN_DATA_ROOT = Path(env("OPEN_DATA_ROOT", str(BASE_DIR / "var" / "open-data")))
# A file found out of date is queued for regeneration at most once per this many seconds.
OPEN_DATA_REQUEUE_SECONDS = int(env("OPEN_DATA_REQUEUE_SECONDS", "300"))
# The Retry-After of the 503 answered while a file has never been generated yet.
OPEN_DATA_RETRY_AFTER_SECONDS = int(env("OPEN_DATA_RETRY_AFTER_SECONDS", "60"))

# --- Open data API v1 (api/, docs/api.md) ------------------------------------------------
# Read-only and anonymous. Throttle rates are DRF rates ("N/sec|min|hour|day"): per client
# address (accounts.services.client_ip) without a key, per key with one (a key may carry its
# own requests_per_minute).
API_THROTTLE_ANON_RATE = env("API_THROTTLE_ANON_RATE", "120/min")
API_THROTTLE_KEY_RATE = env("API_THROTTLE_KEY_RATE", "1200/min")
# Cursor pagination: rows per page by default, and the most a caller may ask for (?page_size=).
API_PAGE_SIZE = int(env("API_PAGE_SIZE", "50"))
API_MAX_PAGE_SIZE = int(env("API_MAX_PAGE_SIZE", "500"))
# How long any cache may keep a successful answer before revalidating it (ETag / 304).
API_CACHE_MAX_AGE = int(env("API_CACHE_MAX_AGE", "60"))
# How long the server remembers when it first served a resource's current version (Last-Modified).
API_VALIDATOR_SECONDS = int(env("API_VALIDATOR_SECONDS", str(30 * 24 * 3600)))
# How long a rendered answer is kept in the page cache under its version (0: never; see api.conditional).
API_RESPONSE_CACHE_SECONDS = int(env("API_RESPONSE_CACHE_SECONDS", "3600"))
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PublicRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPagination",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "北京市民政公共服务平台 开放数据接口 (Beijing Civil Affairs Open Data API)",
    "DESCRIPTION": (
        "Read-only, anonymous open data: funeral providers and their tamper-evident price history, "
        "the social-organisation registry, annual reports, credit and charity, and a feed of every "
        "public change. Data licence CC BY 4.0, publisher 北京市民政局. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "LICENSE": {"name": "CC BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PUBLIC": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "defaultModelsExpandDepth": 0, "tryItOutEnabled": True},
    # Choice sets that share a field name across apps get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "CatalogueDistrictEnum": "marketplace.catalogue.models.choices.District",
        "RegistryDistrictEnum": "orgs.registry.models.District",
        "OrganisationStatusEnum": "orgs.registry.models.OrgStatus",
    },
}
# CORS: any origin may GET the API (it is public and uses no cookies); nothing else is shared.
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "accept-language", "authorization", "if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag", "Last-Modified", "Link", "Retry-After", "X-Citation", "X-License"]
CORS_PREFLIGHT_MAX_AGE = int(env("CORS_PREFLIGHT_MAX_AGE", "86400"))

# --- E-mail ---------------------------------------------------------------------
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "noreply@mzj.beijing.example")
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# --- Logging: one JSON object per line on stdout ---------------------------------
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "json_ensure_ascii": False,
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "jieba": {"level": "WARNING"},
    },
}

# --- Security defaults (tightened further in production) -------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# A conservative Content-Security-Policy for public pages: every asset is local and no
# inline script is used. The Wagtail admin is left to Wagtail's own headers.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self'; frame-ancestors 'none'; base-uri 'self'"
)
# Extra origins that forms may post to (for example the payment gateway).
CSP_EXTRA_FORM_ACTION = env_list("CSP_EXTRA_FORM_ACTION")

# --- Platform -----------------------------------------------------------------
PLATFORM_NAME = _("北京市民政公共服务平台")
# Large-text (适老化) preference cookie; one year.
LARGE_TEXT_COOKIE = "platform_large_text"
LARGE_TEXT_COOKIE_MAX_AGE = 365 * 24 * 3600

# TrueType CJK fonts tried in order for every generated PDF; the first that exists wins.
PDF_CJK_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]
PDF_CJK_FONT = env("PDF_CJK_FONT", "")

# --- Rules as code: see rules.py (imported at the top). ---------------------------
# Annual report attachments.
REPORT_ATTACHMENT_MAX_BYTES = int(env("REPORT_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))

# Elasticsearch for the site-wide search (see the SEARCH section at the end).
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", "")

# Alipay (payments issue); read from the environment so no secret is committed.
ALIPAY_APP_ID = env("ALIPAY_APP_ID", "")
ALIPAY_GATEWAY_URL = env("ALIPAY_GATEWAY_URL", "")
ALIPAY_APP_PRIVATE_KEY_PATH = env("ALIPAY_APP_PRIVATE_KEY_PATH", "")
ALIPAY_PUBLIC_KEY_PATH = env("ALIPAY_PUBLIC_KEY_PATH", "")
ALIPAY_SELLER_ID = env("ALIPAY_SELLER_ID", "")

# --- Funeral catalogue (marketplace.catalogue) -------------------------------------
# Catalogue listings.
CATALOGUE_PAGE_SIZE = int(env("CATALOGUE_PAGE_SIZE", "20"))
CATALOGUE_COMPARE_MAX = 4
# Above this many public providers, pickers become "choose from the catalogue" instead of a <select>.
CATALOGUE_SELECT_MAX = int(env("CATALOGUE_SELECT_MAX", "200"))
# A second "保存报价单" of the same statement within this many seconds (a double click, a
# resent form) returns the quote the first one saved instead of a duplicate.
QUOTE_RESUBMIT_WINDOW_SECONDS = int(env("QUOTE_RESUBMIT_WINDOW_SECONDS", "600"))

# --- Social organisations (orgs.registry, orgs.reports) ----------------------------
# Annual report attachments live in the private store (STORAGES["private"], report-attachments/).
# This was their own directory before; migration reports/0004 copies what it holds into the store.
REPORT_ATTACHMENT_ROOT = Path(env("REPORT_ATTACHMENT_ROOT", str(PRIVATE_ROOT / "report-attachments")))
# Public registry listing page size.
REGISTRY_PAGE_SIZE = int(env("REGISTRY_PAGE_SIZE", "20"))
INCUBATOR_PAGE_SIZE = int(env("INCUBATOR_PAGE_SIZE", "20"))
# How many of the latest accepted annual reports the profile's income/spending chart shows.
ORG_PROFILE_CHART_YEARS = int(env("ORG_PROFILE_CHART_YEARS", "6"))


# --- Payments ------------------------------------------------------------------------
# Providers by name, like django-payments' PAYMENT_VARIANTS: name -> (class path, options).
# A relative key path is read below PLATFORM_KEYS_DIR; a relative gateway URL is joined
# to PAYMENTS_SITE_URL. "alipay" is the real gateway (keys and ids from the environment);
# "alipay-sandbox" is the same AlipayProvider pointed at the local gateway simulator.
PAYMENTS_SANDBOX_ENABLED = env_bool("PAYMENTS_SANDBOX_ENABLED", False)
PAYMENTS_SANDBOX_APP_ID = env("PAYMENTS_SANDBOX_APP_ID", "9021000100000001")
PAYMENTS_SANDBOX_SELLER_ID = env("PAYMENTS_SANDBOX_SELLER_ID", "2088102100000001")
PAYMENT_VARIANTS = {
    "alipay": (
        "payments.providers.alipay.AlipayProvider",
        {
            "app_id": ALIPAY_APP_ID,
            "gateway_url": ALIPAY_GATEWAY_URL or "https://openapi.alipay.com/gateway.do",
            "app_private_key_path": ALIPAY_APP_PRIVATE_KEY_PATH,
            "app_private_key": env("ALIPAY_APP_PRIVATE_KEY", ""),
            "alipay_public_key_path": ALIPAY_PUBLIC_KEY_PATH,
            "alipay_public_key": env("ALIPAY_PUBLIC_KEY", ""),
            "seller_id": ALIPAY_SELLER_ID,
        },
    ),
    "alipay-sandbox": (
        "payments.providers.alipay.AlipayProvider",
        {
            "app_id": PAYMENTS_SANDBOX_APP_ID,
            "gateway_url": "/payments/sandbox/gateway.do",
            "app_private_key_path": "payments-sandbox/merchant_app_private_key.pem",
            "alipay_public_key_path": "payments-sandbox/gateway_public_key.pem",
            "seller_id": PAYMENTS_SANDBOX_SELLER_ID,
        },
    ),
}
PAYMENTS_DEFAULT_VARIANT = env("PAYMENTS_DEFAULT_VARIANT", "alipay")
# The platform's own origin, for notify_url and relative gateway URLs.
PAYMENTS_SITE_URL = env("PAYMENTS_SITE_URL", WAGTAILADMIN_BASE_URL)
# An unpaid intent expires after this many minutes (Alipay's time_expire is set to match).
PAYMENTS_INTENT_TTL_MINUTES = int(env("PAYMENTS_INTENT_TTL_MINUTES", "30"))
# reconcile_payments queries processing intents older than this many minutes.
PAYMENTS_RECONCILE_AFTER_MINUTES = int(env("PAYMENTS_RECONCILE_AFTER_MINUTES", "10"))
# Seconds to wait for the gateway on server-to-server calls.
PAYMENTS_GATEWAY_TIMEOUT = float(env("PAYMENTS_GATEWAY_TIMEOUT", "15"))
# Simulator: delays (seconds) between notification attempts until the merchant answers "success".
PAYMENTS_SANDBOX_NOTIFY_BACKOFF = [2, 4, 8, 16, 60, 300, 900]


# --- Orders and contracts (marketplace.orders) ---------------------------------------
# Family and provider order listings.
ORDERS_PAGE_SIZE = int(env("ORDERS_PAGE_SIZE", "20"))
# How far ahead a family may ask for a service date, in days.
ORDERS_MAX_LEAD_DAYS = int(env("ORDERS_MAX_LEAD_DAYS", "90"))
# How many hours a provider takes to confirm a new order when its own setting is empty; shown
# to the family after ordering ("what happens next").
ORDERS_DEFAULT_CONFIRMATION_HOURS = int(env("ORDERS_DEFAULT_CONFIRMATION_HOURS", "24"))
# Text the family's (SMS-proven) mobile at each status change of an order and each step of its
# contract and change orders.
ORDERS_STATUS_SMS = env_bool("ORDERS_STATUS_SMS", True)


# --- Credit (orgs.credit) ------------------------------------------------------------
# Public credit lookup page size.
CREDIT_PAGE_SIZE = int(env("CREDIT_PAGE_SIZE", "20"))

# --- Charity (orgs.charity) ------------------------------------------------------------
# Public project list page size; latest donations shown on a project page.
CHARITY_PAGE_SIZE = int(env("CHARITY_PAGE_SIZE", "20"))
CHARITY_LATEST_DONATIONS = int(env("CHARITY_LATEST_DONATIONS", "20"))
# Spending rows per page on a project page (the lookup page shows the first page).
CHARITY_SPENDING_PAGE_SIZE = int(env("CHARITY_SPENDING_PAGE_SIZE", "50"))
# Donation and spending imports (orgs.charity.imports): the largest file accepted, the most
# lines after the header (empty lines count), the longest cell, how many columns are read
# beyond the template's, and the most an .xlsx may expand to once unzipped (a zip-bomb check).
IMPORT_MAX_UPLOAD_BYTES = int(env("IMPORT_MAX_UPLOAD_BYTES", str(8 * 1024 * 1024)))
IMPORT_MAX_ROWS = int(env("IMPORT_MAX_ROWS", "20000"))
IMPORT_MAX_CELL_CHARS = int(env("IMPORT_MAX_CELL_CHARS", "1000"))
IMPORT_EXTRA_COLUMNS = int(env("IMPORT_EXTRA_COLUMNS", "20"))
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = int(env("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", str(48 * 1024 * 1024)))
# ... and, per XML part of an .xlsx, the most elements and the most cells in one row
# (openpyxl holds a whole row, the shared strings and a sheet's side tables in memory).
IMPORT_XLSX_MAX_XML_ELEMENTS = int(env("IMPORT_XLSX_MAX_XML_ELEMENTS", "1500000"))
IMPORT_XLSX_MAX_CELLS_PER_ROW = int(env("IMPORT_XLSX_MAX_CELLS_PER_ROW", "1000"))
# How long a checked import file waits for its confirmation (seconds).
IMPORT_STAGING_SECONDS = int(env("IMPORT_STAGING_SECONDS", "3600"))
# Vouchers, progress-report attachments and C1 articles uploaded by charities.
CHARITY_ATTACHMENT_MAX_BYTES = int(env("CHARITY_ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024)))
# Evidence of an incubator milestone (PDF, JPEG or PNG, checked by content).
INCUBATOR_EVIDENCE_MAX_BYTES = int(env("INCUBATOR_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
# A registration application's material (S9: PDF, JPG or PNG, checked by content).
REGISTRATION_MATERIAL_MAX_BYTES = int(env("REGISTRATION_MATERIAL_MAX_BYTES", str(10 * 1024 * 1024)))
# Complaint evidence (R2): photos and PDFs, each at most this size, at most this many per complaint.
R2_EVIDENCE_MAX_BYTES = int(env("R2_EVIDENCE_MAX_BYTES", str(10 * 1024 * 1024)))
R2_EVIDENCE_MAX_FILES = int(env("R2_EVIDENCE_MAX_FILES", "5"))


# --- Site-wide search (search) ---------------------------------------------------------
# "database" (the embedded default: SearchEntry rows, SQLite or PostgreSQL) or "elasticsearch".
# production.py switches to Elasticsearch when ELASTICSEARCH_URL is set.
SEARCH_BACKEND = env("SEARCH_BACKEND", "database")
SEARCH_PAGE_SIZE = int(env("SEARCH_PAGE_SIZE", "20"))
# The embedded backend counts at most this many results per type ("1,000+" beyond), and
# pages go no further: a count over every match of a common word would read them all.
SEARCH_COUNT_CAP = int(env("SEARCH_COUNT_CAP", "1000"))
# PostgreSQL's work_mem for one search (search.backends.database.index_plans): enough for the
# bitmap of a common word's matches in a million entries to stay exact, not lossy.
SEARCH_WORK_MEM = env("SEARCH_WORK_MEM", "64MB")
# The share of the index a query must be expected to match (the planner's estimate) before a
# sample of its matches reads the table until enough are found instead of building the
# full-text index's bitmap of them all (search.backends.database.sample; docs/search.md).
SEARCH_WALK_SHARE = float(env("SEARCH_WALK_SHARE", "0.05"))
# A one-word query's "title contains" tier that the planner expects to hold at least this
# many times SEARCH_COUNT_CAP entries is read along the ranking index without first sampling it
# (search.backends.database.DatabaseBackend._contains_tier; docs/search.md).
SEARCH_DENSE_FACTOR = float(env("SEARCH_DENSE_FACTOR", "5"))
# How long a process trusts the planner's count of index entries it read (seconds).
SEARCH_ENTRIES_REFRESH = int(env("SEARCH_ENTRIES_REFRESH", "300"))
SEARCH_ELASTICSEARCH_URL = env("SEARCH_ELASTICSEARCH_URL", ELASTICSEARCH_URL)
SEARCH_ELASTICSEARCH_INDEX = env("SEARCH_ELASTICSEARCH_INDEX", "platform-search")
# The IK plugin (analysis-ik, installed by site/compose.yaml): fine-grained words when indexing,
# coarse words when searching. Use "smartcn" or "standard" on a cluster without IK.
SEARCH_ELASTICSEARCH_ANALYZER = env("SEARCH_ELASTICSEARCH_ANALYZER", "ik_max_word")
SEARCH_ELASTICSEARCH_SEARCH_ANALYZER = env("SEARCH_ELASTICSEARCH_SEARCH_ANALYZER", "ik_smart")
SEARCH_ELASTICSEARCH_TIMEOUT = float(env("SEARCH_ELASTICSEARCH_TIMEOUT", "5"))
# Pinyin (analysis-pinyin, installed by site/compose.yaml next to IK): each word of a title,
# extra line and body is also indexed as its full pinyin and its initials (通州 → tongzhou, tz),
# as the embedded index does. Turn off on a cluster without the plugin.
SEARCH_ELASTICSEARCH_PINYIN = env_bool("SEARCH_ELASTICSEARCH_PINYIN", True)
SEARCH_ELASTICSEARCH_PINYIN_TOKENIZER = env("SEARCH_ELASTICSEARCH_PINYIN_TOKENIZER", "ik_max_word")
# Wait for a refresh after each bulk write so a change is searchable when the request ends.
SEARCH_ELASTICSEARCH_REFRESH = env_bool("SEARCH_ELASTICSEARCH_REFRESH", False)
# Background reindexing (search.reindex, search.tasks): the records one task reads and
# indexes (keyset: primary key above the last one done), and the runs the admin page lists.
SEARCH_REINDEX_BATCH_SIZE = int(env("SEARCH_REINDEX_BATCH_SIZE", "2000"))
# A bulk write (an import) of more records than this is indexed by background tasks of
# SEARCH_REINDEX_BATCH_SIZE records each (search.tasks.index_records), not in the request.
SEARCH_INLINE_INDEX_LIMIT = int(env("SEARCH_INLINE_INDEX_LIMIT", "500"))
SEARCH_REINDEX_RUNS_SHOWN = int(env("SEARCH_REINDEX_RUNS_SHOWN", "20"))


# --- The public change feed (api.changes, api.feeds) ------------------------------------
# The PostgreSQL advisory lock that serialises the feed's writers until they commit, so ids
# become visible in order (any bigint no other code of the database uses as an advisory lock).
API_CHANGES_LOCK_ID = int(env("API_CHANGES_LOCK_ID", "190019"))
# Entries in each Atom feed (the newest ones).
API_FEED_ENTRIES = int(env("API_FEED_ENTRIES", "50"))
