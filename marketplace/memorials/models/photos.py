"""A memorial's photos (M1).

Decision: a photo is a **private file of its memorial**, not a Wagtail image. Wagtail images
are public media that every CMS editor can browse and that are served under ``MEDIA_URL`` to
anyone with the address, so a private or unlisted memorial's photo would leak. Here the file
lives in the project's private storage (``core.storage.private_storage``) under a random name,
and is served only by ``memorials:photo``, which applies exactly the memorial's visibility and
re-checks the SHA-256 recorded at upload (``core.verification.read_verified``).

What is stored is never the uploaded file itself: ``services.photos.add_photo`` re-encodes the
pixels with Pillow (orientation applied, scaled down to ``M1_PHOTO_MAX_EDGE``), so EXIF, GPS,
XMP, ICC and text chunks of the original are not kept.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage
from core.stored_files import HashedFilesMixin

from .memorials import Memorial


class PhotoType(models.TextChoices):
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
    WEBP = "image/webp", "WebP"


EXTENSIONS = {PhotoType.JPEG: "jpg", PhotoType.PNG: "png", PhotoType.WEBP: "webp"}


def photo_upload_to(instance, filename):
    # The uploader's file name is never used: a random name with the extension of what is stored.
    return f"memorials/photos/{secrets.token_hex(16)}.{EXTENSIONS[instance.content_type]}"


class MemorialPhoto(HashedFilesMixin, models.Model):
    hashed_files = {"file": "sha256"}

    memorial = models.ForeignKey(
        Memorial, verbose_name=_("纪念馆"), on_delete=models.CASCADE, related_name="photos"
    )
    file = models.FileField(
        _("照片"), storage=private_storage, upload_to=photo_upload_to, max_length=200, editable=False
    )
    sha256 = models.CharField(_("SHA-256"), max_length=64, editable=False)
    content_type = models.CharField(_("图片格式"), max_length=20, choices=PhotoType.choices, editable=False)
    width = models.PositiveIntegerField(_("宽（像素）"), editable=False)
    height = models.PositiveIntegerField(_("高（像素）"), editable=False)
    alt_text = models.CharField(
        _("照片内容描述"), max_length=200, help_text=_("供看不见图片的访客使用的替代文字。")
    )
    caption = models.CharField(_("图片说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("纪念馆照片")
        verbose_name_plural = _("纪念馆照片")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(alt_text=""), name="memorials_photo_has_alt_text"),
            models.CheckConstraint(
                condition=Q(width__gt=0) & Q(height__gt=0), name="memorials_photo_has_size"
            ),
            models.CheckConstraint(
                condition=Q(content_type__in=PhotoType.values), name="memorials_photo_type_valid"
            ),
            models.CheckConstraint(condition=~Q(sha256=""), name="memorials_photo_has_sha256"),
        ]

    def __str__(self):
        return self.alt_text

    def get_absolute_url(self):
        return reverse("memorials:photo", kwargs={"token": self.memorial.token, "photo_id": self.pk})
