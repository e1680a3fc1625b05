"""Where files live: Django's ``STORAGES``, chosen by the environment (issue 22; docs/operations.md,
"Object storage").

Every stored file goes through one of these aliases, never through a path:

- ``default``: public media (Wagtail images and documents);
- ``private``: files that are never public (sealed originals, contract drafts, uploads with
  personal data, annual-report attachments under ``report-attachments/``), streamed by Django
  after the permission check (``core.storage.private_storage``);
- ``opendata``: the generated open-data bulk files and their manifests (``core.opendata``);
- ``staticfiles``: the site's CSS, JS and images (WhiteNoise in production).

Without ``S3_BUCKET`` the three file aliases are directories of this machine: ``MEDIA_ROOT``,
``PRIVATE_ROOT/files`` and ``OPEN_DATA_ROOT`` (read when first used, so a settings module that
moves them, like ``test.py``, moves the files too). With ``S3_BUCKET`` they are prefixes of one
S3-compatible bucket (MinIO, the cloud's object store, Alibaba OSS), through django-storages'
``s3`` backend. The bucket is never public: every object is written with a private ACL, and any
URL the storage hands out is signed and expires.

Platform keys (``PLATFORM_KEYS_DIR``) are secrets, not data: they stay files on each node's
disk (or a mounted secret) and never go to the object store.
"""

from .environment import env, env_bool

STORAGE_BACKEND_FILESYSTEM = "filesystem"
STORAGE_BACKEND_S3 = "s3"

# The bucket turns object storage on. Everything else has a default that suits MinIO and AWS.
S3_BUCKET = env("S3_BUCKET", "")
FILE_STORAGE = STORAGE_BACKEND_S3 if S3_BUCKET else STORAGE_BACKEND_FILESYSTEM
# Production refuses to start on the local disk unless this says the site deliberately runs on
# one machine (production.py).
SINGLE_NODE_FILE_STORAGE = env_bool("SINGLE_NODE_FILE_STORAGE", False)

# Seconds a signed URL of a private file stays valid (the views stream private files instead;
# a URL is only ever handed out by code that has checked the permission).
S3_PRIVATE_URL_EXPIRY = int(env("S3_PRIVATE_URL_EXPIRY", "300"))
# Public media: signed URLs too unless S3_MEDIA_QUERYSTRING_AUTH=false and the media prefix is
# published (a custom domain or CDN in front of it); a signed URL must outlive the page cache.
S3_MEDIA_URL_EXPIRY = int(env("S3_MEDIA_URL_EXPIRY", "86400"))


def s3_storages(bucket, **connection):
    """The three file aliases as prefixes of ``bucket``; ``connection`` overrides the options
    read from the environment (the tests point them at a moto server)."""

    def options(prefix, **overrides):
        merged = {
            "bucket_name": bucket,
            "location": prefix,
            "endpoint_url": env("S3_ENDPOINT_URL"),
            "region_name": env("S3_REGION"),
            # Unset: boto3's own chain (environment, instance role) finds the credentials.
            "access_key": env("S3_ACCESS_KEY_ID"),
            "secret_key": env("S3_SECRET_ACCESS_KEY"),
            "signature_version": env("S3_SIGNATURE_VERSION", "s3v4"),
            # "virtual" for Alibaba OSS (it refuses path-style requests), "path" for MinIO and moto.
            "addressing_style": env("S3_ADDRESSING_STYLE"),
            "verify": env("S3_VERIFY"),  # a CA bundle for a private CA; unset: the system's
            # Never public: private objects, and any URL handed out is signed and expires.
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": S3_PRIVATE_URL_EXPIRY,
            "file_overwrite": False,
            **connection,
            **overrides,
        }
        return {key: value for key, value in merged.items() if value is not None}

    backend = "storages.backends.s3.S3Storage"
    return {
        "default": {
            "BACKEND": backend,
            "OPTIONS": options(
                env("S3_MEDIA_PREFIX", "media"),
                default_acl=env("S3_MEDIA_ACL", "private"),
                querystring_auth=env_bool("S3_MEDIA_QUERYSTRING_AUTH", True),
                querystring_expire=S3_MEDIA_URL_EXPIRY,
                custom_domain=env("S3_MEDIA_CUSTOM_DOMAIN"),
            ),
        },
        "private": {"BACKEND": backend, "OPTIONS": options(env("S3_PRIVATE_PREFIX", "private"))},
        # A regenerated open-data file replaces the previous one under the same name (one PUT).
        "opendata": {
            "BACKEND": backend,
            "OPTIONS": options(env("S3_OPENDATA_PREFIX", "open-data"), file_overwrite=True),
        },
    }


# The local directories (PRIVATE_ROOT and OPEN_DATA_ROOT are read by core.storage when used).
FILESYSTEM_STORAGES = {
    "default": {
        "BACKEND": env("DEFAULT_FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
    },
    "private": {"BACKEND": "core.storage.PrivateFileSystemStorage"},
    "opendata": {"BACKEND": "core.storage.OpenDataFileSystemStorage"},
}
STATICFILES_STORAGE_ALIAS = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}

STORAGES = {
    **(s3_storages(S3_BUCKET) if FILE_STORAGE == STORAGE_BACKEND_S3 else FILESYSTEM_STORAGES),
    "staticfiles": STATICFILES_STORAGE_ALIAS,
}
