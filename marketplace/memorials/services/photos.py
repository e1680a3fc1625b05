"""A memorial's photos (M1): uploaded by a keeper, stripped of metadata, served as the memorial's
visibility allows.

- Only a keeper or co-keeper adds or deletes a photo; anyone else's try answers 404.
- The upload is at most ``M1_PHOTO_MAX_BYTES`` (``core.uploads.read_upload``); a memorial holds
  at most ``M1_PHOTOS_PER_MEMORIAL`` (counted under a lock of the memorial row).
- The content decides, never the file name: Pillow must open the bytes as JPEG, PNG or WebP.
- What is stored is re-encoded from the pixels: the EXIF orientation is applied first
  (``ImageOps.exif_transpose``), the image is scaled down to ``M1_PHOTO_MAX_EDGE`` and saved
  with no metadata at all (EXIF with GPS, XMP, ICC profile, text chunks, comments).
- The file goes to the private storage with its SHA-256; ``photo_or_404`` applies exactly the
  memorial's visibility (``viewable_or_404``; a locked private memorial's photo is 404 too) and
  the view re-checks the hash before serving the bytes.

Photos are private files of the memorial, not Wagtail images: see ``models/photos.py``.
"""

import io
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.uploads import read_upload

from ..models import Memorial, MemorialPhoto, PhotoType
from ..models.photos import EXTENSIONS
from .common import MemorialRefused
from .memorials import is_keeper, viewable_or_404

# Pillow format name -> the type stored (the same format is written back).
FORMATS = {"JPEG": PhotoType.JPEG, "PNG": PhotoType.PNG, "WEBP": PhotoType.WEBP}


def _not_an_image():
    return MemorialRefused(
        _("只接受 JPG、PNG 或 WebP 格式的照片，该文件的内容不是这几种图片（与文件名无关）。"), code="image"
    )


def _open_checked(data):
    """The decoded image, refusing anything Pillow can't open as JPEG, PNG or WebP, and images so
    large in pixels that decoding them would be a decompression bomb."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                kind = FORMATS.get(probe.format)
                probe.verify()
            if kind is None:
                raise _not_an_image()
            image = Image.open(io.BytesIO(data))
            image.load()
    except MemorialRefused:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _not_an_image() from error
    except (OSError, SyntaxError, ValueError, EOFError) as error:  # truncated or corrupt data
        raise _not_an_image() from error
    return image, kind


def clean_image(data):
    """(bytes, content type, width, height) of ``data`` re-encoded without any metadata."""
    image, kind = _open_checked(data)
    with image:
        upright = ImageOps.exif_transpose(image)
    edge = settings.M1_PHOTO_MAX_EDGE
    if max(upright.size) > edge:
        upright.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    if kind == PhotoType.JPEG:
        pixels = upright.convert("RGB")
    else:
        has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
        pixels = upright.convert("RGBA" if has_alpha else "RGB")
    # A new image from the pixels alone: no ``info`` (exif, xmp, icc_profile, comments, text) is
    # carried over, and nothing is passed to ``save`` that would write metadata.
    clean = Image.new(pixels.mode, pixels.size)
    clean.paste(pixels)
    out = io.BytesIO()
    if kind == PhotoType.JPEG:
        clean.save(out, "JPEG", quality=settings.M1_PHOTO_QUALITY, optimize=True)
    elif kind == PhotoType.PNG:
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=settings.M1_PHOTO_QUALITY)
    return out.getvalue(), kind, clean.width, clean.height


def _read(upload):
    if upload is None:
        raise MemorialRefused(_("请选择要上传的照片。"), code="image")
    try:
        return read_upload(upload, settings.M1_PHOTO_MAX_BYTES)
    except ValidationError as error:
        if error.code == "too_large":
            raise MemorialRefused(
                _("照片不能超过 %(limit)s 字节（约 %(mb)s MB）。")
                % {
                    "limit": settings.M1_PHOTO_MAX_BYTES,
                    "mb": f"{settings.M1_PHOTO_MAX_BYTES / 1048576:.1f}",
                },
                code="image",
            ) from error
        raise MemorialRefused(error.messages[0], code="image") from error


def _count_refusal():
    return MemorialRefused(
        _("每个纪念馆最多 %(n)s 张照片，请先删除不需要的照片。") % {"n": settings.M1_PHOTOS_PER_MEMORIAL},
        code="count",
    )


def add_photo(memorial, user, *, image, alt_text, caption=""):
    """A keeper adds a photo to ``memorial``; returns the stored ``MemorialPhoto``."""
    if not is_keeper(memorial, user):
        raise Http404
    alt_text = (alt_text or "").strip()
    if not alt_text:
        raise MemorialRefused(_("请描述照片的内容，供看不见图片的访客使用。"), code="alt_text")
    if MemorialPhoto.objects.filter(memorial=memorial).count() >= settings.M1_PHOTOS_PER_MEMORIAL:
        raise _count_refusal()  # before the work of decoding; checked again under the lock
    data, kind, width, height = clean_image(_read(image))
    photo = MemorialPhoto(
        memorial=memorial,
        content_type=kind,
        width=width,
        height=height,
        alt_text=alt_text,
        caption=(caption or "").strip(),
        uploaded_by=user,
    )
    photo.file = ContentFile(data, name=f"photo.{EXTENSIONS[kind]}")
    with transaction.atomic():
        # One memorial's uploads are counted one at a time.
        Memorial.objects.select_for_update().filter(pk=memorial.pk).first()
        if MemorialPhoto.objects.filter(memorial=memorial).count() >= settings.M1_PHOTOS_PER_MEMORIAL:
            raise _count_refusal()
        try:
            photo.save()  # HashedFilesMixin records the SHA-256 of the bytes stored
        except Exception:
            if photo.file.name and photo.file._committed:
                photo.file.storage.delete(photo.file.name)
            raise
    return photo


def kept_photo_or_404(memorial, user, photo_id):
    if not is_keeper(memorial, user):
        raise Http404
    photo = MemorialPhoto.objects.filter(memorial=memorial, pk=photo_id).first()
    if photo is None:
        raise Http404
    return photo


def delete_photo(memorial, user, photo_id):
    """A keeper deletes a photo; its file leaves the storage once the deletion is committed."""
    photo = kept_photo_or_404(memorial, user, photo_id)
    storage, name = photo.file.storage, photo.file.name
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: storage.delete(name))
    return photo


def photo_or_404(token, photo_id, user, session=None):
    """(memorial, photo) if this user (with this session) may see the memorial's page; 404 for
    an unknown memorial or photo, a memorial hidden from this user, and a private memorial not
    unlocked (nothing tells a stranger that the photo exists)."""
    memorial, _role, locked = viewable_or_404(token, user, session)
    if locked:
        raise Http404
    photo = MemorialPhoto.objects.filter(memorial=memorial, pk=photo_id).first()
    if photo is None:
        raise Http404
    photo.memorial = memorial
    return memorial, photo


def photos_of(memorial):
    return list(MemorialPhoto.objects.filter(memorial=memorial).order_by("created_at", "id"))
