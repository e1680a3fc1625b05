"""M1 photos over HTTP: a photo is served exactly as its memorial may be seen (a private
memorial's to members or an unlocked session only, a hidden one's to its keepers), never under
MEDIA_URL, re-checked against its SHA-256; the keeper's upload page with its error summary, 404
for another account, and a memorial page whose query count does not grow with its photos."""

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from core.models import SecurityEvent
from marketplace.memorials.models import MemberRole, MemorialMember, MemorialPhoto, MemorialStatus, Visibility
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_home_page
from tests.factories.memorial_photos import add, image_bytes, stored_bytes
from tests.factories.memorials import make_memorial
from tests.factories.orders import family_user

pytestmark = pytest.mark.django_db

CODE = "secret-88"


@pytest.fixture(autouse=True)
def _site():
    return make_home_page()


def private_with_photo():
    keeper = family_user()
    memorial = make_memorial(keeper, visibility=Visibility.PRIVATE, access_code=CODE)
    return memorial, keeper, add(memorial, keeper)


def photo_url(photo):
    return reverse("memorials:photo", kwargs={"token": photo.memorial.token, "photo_id": photo.pk})


def test_m1_a_private_memorials_photo_is_404_to_a_stranger_and_served_to_a_member(client):
    memorial, keeper, photo = private_with_photo()
    url = photo_url(photo)
    assert not url.startswith(settings.MEDIA_URL)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    visitor = UserFactory()
    MemorialMember.objects.create(memorial=memorial, user=visitor, role=MemberRole.VISITOR)
    for member in (keeper, visitor):
        client.force_login(member)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert b"".join(response.streaming_content) == stored_bytes(photo)
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_m1_a_private_memorials_photo_is_served_once_the_session_entered_the_code(client):
    memorial, _keeper, photo = private_with_photo()
    assert client.get(photo_url(photo)).status_code == 404
    client.post(reverse("memorials:access", kwargs={"token": memorial.token}), {"code": CODE})
    response = client.get(photo_url(photo))
    assert response.status_code == 200 and "private" in response["Cache-Control"]


def test_m1_public_and_unlisted_photos_are_served_and_a_hidden_memorials_are_not(client):
    keeper = family_user()
    public = make_memorial(keeper)
    unlisted = make_memorial(keeper, name="王建国", visibility=Visibility.UNLISTED)
    public_photo, unlisted_photo = add(public, keeper), add(unlisted, keeper)
    response = client.get(photo_url(public_photo))
    assert response.status_code == 200 and response["Cache-Control"] == "public, no-cache"
    response = client.get(photo_url(unlisted_photo))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    # A photo is reachable only through its own memorial's link.
    wrong = reverse("memorials:photo", kwargs={"token": unlisted.token, "photo_id": public_photo.pk})
    assert client.get(wrong).status_code == 404
    public.status = MemorialStatus.HIDDEN
    public.save(update_fields=["status"])
    assert client.get(photo_url(public_photo)).status_code == 404
    client.force_login(keeper)
    assert client.get(photo_url(public_photo)).status_code == 200


def test_m1_a_tampered_photo_is_refused_and_recorded(client):
    memorial, keeper, photo = private_with_photo()
    with open(photo.file.path, "wb") as handle:
        handle.write(image_bytes("JPEG", color=(0, 0, 0)))
    client.force_login(keeper)
    response = client.get(photo_url(photo))
    assert response.status_code == 409
    assert "与上传时登记的 SHA-256 不一致" in response.text
    event = SecurityEvent.objects.get()
    assert event.kind == SecurityEvent.Kind.DOCUMENT_ALTERED and event.object_id == str(photo.pk)


def test_m1_the_keeper_uploads_a_photo_and_it_shows_on_the_memorial_page(client):
    keeper = family_user()
    memorial = make_memorial(keeper)
    client.force_login(keeper)
    page = client.get(reverse("memorials:detail", kwargs={"token": memorial.token})).text
    assert reverse("memorials:photos", kwargs={"token": memorial.token}) in page
    response = client.post(
        reverse("memorials:photos", kwargs={"token": memorial.token}),
        {
            "image": SimpleUploadedFile("p.jpg", image_bytes("JPEG", size=(40, 20))),
            "alt_text": "父亲在书房的留影",
            "caption": "1998 年春",
        },
    )
    assert response.status_code == 302
    photo = MemorialPhoto.objects.get()
    client.logout()
    page = client.get(memorial.get_absolute_url()).text
    src = re.escape(photo_url(photo))
    img = re.search(rf'<img [^>]*src="{src}"[^>]*>', page).group(0)
    assert 'alt="父亲在书房的留影"' in img and 'width="40"' in img and 'height="20"' in img
    assert 'loading="lazy"' in img and "1998 年春" in page


def test_m1_a_non_image_upload_shows_a_chinese_error_in_the_summary(client):
    keeper = family_user()
    memorial = make_memorial(keeper)
    client.force_login(keeper)
    response = client.post(
        reverse("memorials:photos", kwargs={"token": memorial.token}),
        {"image": SimpleUploadedFile("p.jpg", b"<html>not a photo</html>"), "alt_text": "照片"},
    )
    assert response.status_code == 400
    # The site's error summary (issue 18, point 7), first after the heading.
    summary = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert "只接受 JPG、PNG 或 WebP 格式的照片" in summary and 'href="#id_image"' in summary
    assert not MemorialPhoto.objects.exists()


def test_m1_another_account_cannot_upload_or_delete_photos(client):
    memorial, _keeper, photo = private_with_photo()
    visitor = UserFactory()
    MemorialMember.objects.create(memorial=memorial, user=visitor, role=MemberRole.VISITOR)
    upload_url = reverse("memorials:photos", kwargs={"token": memorial.token})
    delete_url = reverse("memorials:photo_delete", kwargs={"token": memorial.token, "photo_id": photo.pk})
    for outsider in (UserFactory(), visitor):
        client.force_login(outsider)
        assert client.get(upload_url).status_code == 404
        response = client.post(
            upload_url, {"image": SimpleUploadedFile("p.jpg", image_bytes()), "alt_text": "照片"}
        )
        assert response.status_code == 404
        assert client.post(delete_url).status_code == 404
    assert list(MemorialPhoto.objects.all()) == [photo]


def test_m1_the_keeper_deletes_a_photo_with_a_post(client):
    memorial, keeper, photo = private_with_photo()
    client.force_login(keeper)
    delete_url = reverse("memorials:photo_delete", kwargs={"token": memorial.token, "photo_id": photo.pk})
    assert client.get(delete_url).status_code == 405
    assert client.post(delete_url).status_code == 302
    assert not MemorialPhoto.objects.exists()
    assert client.get(photo_url(photo)).status_code == 404


@override_settings(M1_PHOTOS_PER_MEMORIAL=12)
@pytest.mark.parametrize("count", [1, 12])
def test_m1_the_memorial_page_query_count_stays_flat_with_photos(
    client, django_assert_max_num_queries, count
):
    keeper = family_user()
    memorial = make_memorial(keeper)
    for n in range(count):
        add(memorial, keeper, alt_text=f"照片{n}")
    client.force_login(UserFactory())
    client.get("/memorials/")  # the first page creates the site's settings row
    # The memorial page's own 8 queries and 1 for its photos, whatever their number.
    with django_assert_max_num_queries(9):
        page = client.get(memorial.get_absolute_url()).text
    assert len(re.findall(r'<img [^>]*loading="lazy"', page)) == count
