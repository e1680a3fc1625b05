"""M1 photos at the service level: only keepers add or delete them, the content decides (not the
file name), the size and count caps hold at their exact boundary, and what is stored is re-encoded
without EXIF, GPS or any other metadata, upright and scaled down."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import override_settings
from PIL import Image

from marketplace.memorials.models import MemberRole, MemorialMember, MemorialPhoto, PhotoType
from marketplace.memorials.services import MemorialRefused, photos
from tests.factories.accounts import UserFactory
from tests.factories.memorial_photos import CAMERA, add, image_bytes, stored_bytes
from tests.factories.memorials import make_memorial
from tests.factories.orders import family_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept():
    keeper = family_user()
    return make_memorial(keeper), keeper


def refusal(call):
    with pytest.raises(MemorialRefused) as caught:
        call()
    return caught.value


def assert_no_metadata(data):
    image = Image.open(io.BytesIO(data))
    assert len(image.getexif()) == 0
    assert not set(image.info) & {"exif", "xmp", "icc_profile", "comment", "Location", "XML:com.adobe.xmp"}
    assert b"Exif" not in data and CAMERA.encode() not in data and b"39.9075" not in data
    return image


def test_m1_photo_exif_and_gps_are_removed_and_the_orientation_is_applied(kept):
    memorial, keeper = kept
    original = image_bytes("JPEG", size=(40, 20), orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the upload has GPS
    photo = add(memorial, keeper, original)
    data = stored_bytes(photo)
    image = assert_no_metadata(data)
    assert image.format == "JPEG" and photo.content_type == PhotoType.JPEG
    # Orientation 6 (rotate 90°) was applied to the pixels before the tag was dropped.
    assert image.size == (20, 40) == (photo.width, photo.height)
    assert photo.sha256 == hashlib.sha256(data).hexdigest()
    assert photo.file.name.startswith("memorials/photos/") and "photo" not in photo.file.name.split("/")[-1]


@pytest.mark.parametrize(
    "fmt,kind,name", [("PNG", PhotoType.PNG, "a.png"), ("WEBP", PhotoType.WEBP, "a.webp")]
)
def test_m1_png_text_and_webp_exif_are_removed_too(kept, fmt, kind, name):
    memorial, keeper = kept
    photo = add(memorial, keeper, image_bytes(fmt), name=name)
    image = assert_no_metadata(stored_bytes(photo))
    assert image.format == fmt and photo.content_type == kind


@override_settings(M1_PHOTO_MAX_EDGE=50)
def test_m1_a_photo_is_scaled_down_to_the_longest_edge(kept):
    memorial, keeper = kept
    big = add(memorial, keeper, image_bytes("JPEG", size=(200, 100)))
    assert (big.width, big.height) == (50, 25) == Image.open(io.BytesIO(stored_bytes(big))).size
    exact = add(memorial, keeper, image_bytes("JPEG", size=(50, 10)))
    assert (exact.width, exact.height) == (50, 10)


@pytest.mark.parametrize(
    "data,name",
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b"MZ\x90\x00" + b"\x00" * 200, "photo.jpeg"),
        (image_bytes("JPEG")[:60], "photo.jpg"),  # a truncated JPEG
        (image_bytes("GIF", exif=None), "photo.jpg"),  # a real image, but not JPEG, PNG or WebP
    ],
)
def test_m1_a_non_image_renamed_jpg_is_refused_with_a_clear_error(kept, data, name):
    memorial, keeper = kept
    error = refusal(lambda: add(memorial, keeper, data, name=name))
    assert error.code == "image"
    assert "只接受 JPG、PNG 或 WebP 格式的照片" in error.messages[0]
    assert not MemorialPhoto.objects.exists()


def test_m1_the_file_name_is_not_trusted(kept):
    memorial, keeper = kept
    photo = add(memorial, keeper, image_bytes("PNG"), name="evil.exe")
    assert photo.content_type == PhotoType.PNG and photo.file.name.endswith(".png")


def test_m1_photo_size_cap_at_its_exact_boundary(kept):
    memorial, keeper = kept
    data = image_bytes("JPEG", size=(60, 60))
    with override_settings(M1_PHOTO_MAX_BYTES=len(data)):
        assert add(memorial, keeper, data).pk
    with override_settings(M1_PHOTO_MAX_BYTES=len(data) - 1):
        error = refusal(lambda: add(memorial, keeper, data))
    assert error.code == "image" and "照片不能超过" in error.messages[0]
    assert MemorialPhoto.objects.count() == 1


@override_settings(M1_PHOTOS_PER_MEMORIAL=2)
def test_m1_photo_count_cap_at_its_exact_boundary(kept):
    memorial, keeper = kept
    first = add(memorial, keeper)
    add(memorial, keeper)
    error = refusal(lambda: add(memorial, keeper))
    assert error.code == "count" and "最多 2 张照片" in error.messages[0]
    assert memorial.photos.count() == 2
    # Another memorial has its own allowance.
    other = make_memorial(keeper, name="王建国")
    assert add(other, keeper).pk
    photos.delete_photo(memorial, keeper, first.pk)
    assert add(memorial, keeper).pk and memorial.photos.count() == 2


def test_m1_alt_text_is_required(kept):
    memorial, keeper = kept
    error = refusal(lambda: add(memorial, keeper, alt_text="   "))
    assert error.code == "alt_text"
    assert not MemorialPhoto.objects.exists()


def test_m1_only_keepers_add_or_delete_photos(kept):
    memorial, keeper = kept
    photo = add(memorial, keeper)
    stranger, visitor, co_keeper = UserFactory(), UserFactory(), UserFactory()
    MemorialMember.objects.create(memorial=memorial, user=visitor, role=MemberRole.VISITOR)
    MemorialMember.objects.create(memorial=memorial, user=co_keeper, role=MemberRole.CO_KEEPER)
    for outsider in (stranger, visitor):
        with pytest.raises(Http404):
            add(memorial, outsider)
        with pytest.raises(Http404):
            photos.delete_photo(memorial, outsider, photo.pk)
    assert MemorialPhoto.objects.filter(pk=photo.pk).exists()
    assert add(memorial, co_keeper).uploaded_by == co_keeper
    # A photo of another memorial is not reachable through this one.
    other = make_memorial(family_user(), name="王建国")
    with pytest.raises(Http404):
        photos.delete_photo(other, other.created_by, photo.pk)


def test_m1_deleting_a_photo_removes_its_file(kept, django_capture_on_commit_callbacks):
    memorial, keeper = kept
    photo = add(memorial, keeper)
    storage, name = photo.file.storage, photo.file.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        photos.delete_photo(memorial, keeper, photo.pk)
    assert not storage.exists(name) and not MemorialPhoto.objects.exists()


def test_m1_no_upload_is_refused(kept):
    memorial, keeper = kept
    assert refusal(lambda: photos.add_photo(memorial, keeper, image=None, alt_text="x")).code == "image"
    empty = SimpleUploadedFile("e.jpg", b"")
    assert refusal(lambda: photos.add_photo(memorial, keeper, image=empty, alt_text="x")).code == "image"
