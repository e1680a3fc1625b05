"""API keys: optional, for callers who need more than the anonymous per-address limit.

A key is issued in the Wagtail admin (``api/wagtail_hooks.py``). The key itself is shown once,
on the page that creates it; only its SHA-256 digest is stored (a key is 256 random bits, so a
fast digest is enough: there is nothing to guess). A caller sends ``Authorization: Api-Key <key>``.
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


def digest(raw_key):
    return hashlib.sha256(raw_key.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_raw_key(self, raw_key):
        """The active key whose digest matches ``raw_key``, or ``None``."""
        if not raw_key:
            return None
        return self.active().filter(key_hash=digest(raw_key)).first()


class ApiKey(models.Model):
    name = models.CharField(_("名称"), max_length=100, help_text=_("用途，如“某大学殡葬价格研究”。"))
    holder = models.CharField(_("持有人"), max_length=200, help_text=_("单位或个人，以及联系方式。"))
    prefix = models.CharField(_("前缀"), max_length=KEY_PREFIX_LENGTH, editable=False, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    requests_per_minute = models.PositiveIntegerField(
        _("每分钟请求上限"),
        null=True,
        blank=True,
        help_text=_("留空则使用默认的密钥限额（API_THROTTLE_KEY_RATE）。"),
    )
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ("-created_at", "-id")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def issue(self):
        """Give this (unsaved) key a fresh secret and return it; only its digest is kept."""
        raw_key = secrets.token_urlsafe(32)
        self.prefix = raw_key[:KEY_PREFIX_LENGTH]
        self.key_hash = digest(raw_key)
        return raw_key

    @property
    def rate(self):
        """The throttle rate of this key, as DRF writes rates (``"600/min"``)."""
        if self.requests_per_minute:
            return f"{self.requests_per_minute}/min"
        return settings.API_THROTTLE_KEY_RATE
