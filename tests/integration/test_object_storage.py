"""Files in S3-compatible object storage (issue 22, points 1 and 4).

The tests switch ``STORAGES`` to a bucket on a local moto server (``tests/s3_server.py``) and
go through the real views: an upload lands in the bucket under the private prefix with a
private ACL (an anonymous GET of the object is refused), the download streams through Django
after the permission check, another organisation gets 404, a byte changed in the bucket is
caught by the hash re-check (409), report attachments keep their content addressing, and the
open-data files are written to and served from the bucket. Nothing is written to this
machine's file directories on the way."""

import datetime
import hashlib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.models import SecurityEvent
from core.storage import private_storage
from orgs.credit.models import Objection
from orgs.reports.models import ReportAttachment
from tests.factories.accounts import PASSWORD
from tests.factories.cms import make_home_page
from tests.factories.credit import make_listing, make_record
from tests.factories.orgs import MembershipFactory, OrganizationFactory, pdf_bytes, submitted_report
from tests.s3_server import moto_s3, s3_storages  # noqa: F401 - the fixtures

pytestmark = pytest.mark.django_db


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def body(response):
    return b"".join(response.streaming_content)


def local_files():
    """Every file below this machine's file directories (the test run's throwaway ones)."""
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_ROOT) / "files", Path(settings.OPEN_DATA_ROOT)]
    return {path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()}


def assert_private_object(bucket, key):
    """Only the owner may read it: no grant to everyone or to any signed-in AWS user, and an
    anonymous GET of the object's URL is refused by the store."""
    grants = bucket.client().get_object_acl(Bucket=bucket.bucket, Key=key)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"].get("Type") == "CanonicalUser" for grant in grants)
    anonymous = requests.get(f"{bucket.server.endpoint_url}/{bucket.bucket}/{key}", timeout=10)
    assert anonymous.status_code == 403


def file_objection(member, data):
    """The organisation files an objection with its evidence through the workbench form."""
    record = make_record(member.organization, summary="结论：不合格")
    client = login(member.user)
    url = f"/workbench/credit/{member.organization.uscc}/records/{record.pk}/objection/"
    response = client.post(
        url, {"grounds": "结论应为基本合格", "evidence": SimpleUploadedFile("理事会纪要.pdf", data)}
    )
    assert response.status_code == 302
    return client, Objection.objects.get(record=record)


def test_an_upload_is_a_private_object_streamed_only_after_the_permission_check(s3_storages):  # noqa: F811
    before = local_files()
    member = MembershipFactory()
    data = pdf_bytes("证明材料")
    client, objection = file_objection(member, data)

    key = f"private/{objection.evidence.name}"
    assert s3_storages.keys("private/") == [key]
    assert s3_storages.read(key) == data
    assert objection.evidence_sha256 == hashlib.sha256(data).hexdigest()
    assert_private_object(s3_storages, key)
    assert local_files() == before  # nothing on this node's disk: any node can serve it

    url = f"/workbench/credit/{member.organization.uscc}/objections/{objection.pk}/evidence/"
    download = client.get(url)
    assert download.status_code == 200 and body(download) == data
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Cache-Control"] == "private, no-store"

    # Another organisation's staff: the same answer as for a file that doesn't exist.
    other = MembershipFactory()
    assert login(other.user).get(url).status_code == 404
    other_url = f"/workbench/credit/{other.organization.uscc}/objections/{objection.pk}/evidence/"
    assert login(other.user).get(other_url).status_code == 404
    assert Client().get(url).status_code == 302  # anonymous: to the sign-in page
    assert not SecurityEvent.objects.exists()


def test_a_byte_changed_in_the_bucket_is_refused(s3_storages):  # noqa: F811
    member = MembershipFactory()
    data = pdf_bytes("证明材料")
    client, objection = file_objection(member, data)
    key = f"private/{objection.evidence.name}"
    altered = bytearray(s3_storages.read(key))
    altered[len(altered) // 2] ^= 0x01
    s3_storages.write(key, bytes(altered))

    url = f"/workbench/credit/{member.organization.uscc}/objections/{objection.pk}/evidence/"
    refused = client.get(url)
    assert refused.status_code == 409
    assert "本文件与上传时不一致" in refused.content.decode()
    event = SecurityEvent.objects.get(
        kind=SecurityEvent.Kind.DOCUMENT_ALTERED,
        content_type=ContentType.objects.get_for_model(objection),
        object_id=str(objection.pk),
    )
    assert event.details["expected_sha256"] == hashlib.sha256(data).hexdigest()
    assert event.details["actual_sha256"] == hashlib.sha256(bytes(altered)).hexdigest()


def test_report_attachments_keep_their_content_addresses_in_the_private_prefix(s3_storages):  # noqa: F811
    member = MembershipFactory(organization=OrganizationFactory())
    report, _submission = submitted_report(member.organization)
    attachment = report.attachments.get()
    key = f"private/report-attachments/{member.organization.uscc}/{attachment.sha256}.bin"
    assert attachment.file.name == f"{member.organization.uscc}/{attachment.sha256}.bin"
    assert key in s3_storages.keys("private/report-attachments/")
    assert hashlib.sha256(s3_storages.read(key)).hexdigest() == attachment.sha256
    assert_private_object(s3_storages, key)

    # The same bytes again are the same object: nothing new is stored.
    stored = s3_storages.keys()
    storage = ReportAttachment._meta.get_field("file").storage
    same = storage.save(attachment.file.name, ContentFile(s3_storages.read(key)))
    assert same == attachment.file.name and s3_storages.keys() == stored

    url = f"/workbench/reports/{member.organization.uscc}/{report.year}/attachments/{attachment.pk}/"
    download = login(member.user).get(url)
    assert download.status_code == 200 and body(download) == s3_storages.read(key)
    assert login(MembershipFactory().user).get(url).status_code == 404


def test_signed_urls_of_private_files_expire_and_unsigned_ones_are_refused(s3_storages):  # noqa: F811
    name = private_storage().save("sealed/示例.pdf", ContentFile(b"%PDF-1.7 sealed"))
    url = private_storage().url(name)
    query = parse_qs(urlsplit(url).query)
    assert int(query["X-Amz-Expires"][0]) == settings.S3_PRIVATE_URL_EXPIRY <= 300
    assert requests.get(url, timeout=10).content == b"%PDF-1.7 sealed"
    assert requests.get(url.split("?")[0], timeout=10).status_code == 403
    # Public media are in their own prefix of the same (never public) bucket.
    media = default_storage.save("images/logo.txt", ContentFile(b"logo"))
    assert f"media/{media}" in s3_storages.keys("media/")
    assert_private_object(s3_storages, f"media/{media}")


def test_open_data_files_are_written_to_the_bucket_and_served_from_it(s3_storages):  # noqa: F811
    make_home_page()
    listed = OrganizationFactory(name="北京市测试失联协会")
    make_listing(listed, listed_on=datetime.date(2025, 7, 1))
    before = local_files()

    response = Client().get("/credit/open-data/lists.csv")
    assert response.status_code == 200 and response.streaming
    served = body(response)
    assert listed.uscc in served.decode("utf-8")
    assert s3_storages.keys("open-data/") == [
        "open-data/credit-lists.csv",
        "open-data/credit-lists.csv.manifest.json",
    ]
    assert s3_storages.read("open-data/credit-lists.csv") == served
    assert response["ETag"] == f'"{hashlib.sha256(served).hexdigest()[:32]}"'
    assert_private_object(s3_storages, "open-data/credit-lists.csv")
    assert local_files() == before

    # A regenerated file replaces the object under the same name; the next request serves it.
    from core import opendata

    renamed = OrganizationFactory(name="北京市测试再列协会")
    make_listing(renamed, listed_on=datetime.date(2025, 8, 1))
    opendata.regenerate("credit-lists", "csv")
    assert len(s3_storages.keys("open-data/")) == 2
    again = body(Client().get("/credit/open-data/lists.csv"))
    assert renamed.uscc in again.decode("utf-8") and again == s3_storages.read("open-data/credit-lists.csv")
    assert storages["opendata"].exists("credit-lists.csv")
