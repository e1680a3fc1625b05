"""Migration reports/0004: attachments kept in the former ``REPORT_ATTACHMENT_ROOT`` are copied
into the private store under the same names, so the database's names stay valid; the old files
stay, and a second run copies nothing twice."""

import hashlib
import importlib

import pytest

from orgs.reports.models import attachment_storage

pytestmark = pytest.mark.django_db

migration = importlib.import_module("orgs.reports.migrations.0004_attachments_in_the_private_store")


def test_old_attachments_are_copied_into_the_private_store_and_kept(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "old-attachments"
    content = "2025年度财务报表".encode()
    name = f"ab/{hashlib.sha256(content).hexdigest()}.pdf"
    old = settings.REPORT_ATTACHMENT_ROOT / name
    old.parent.mkdir(parents=True)
    old.write_bytes(content)
    storage = attachment_storage()
    assert not storage.exists(name)

    migration.copy_into_private_store(None, None)
    with storage.open(name) as handle:
        assert handle.read() == content
    assert old.read_bytes() == content  # nothing is deleted
    assert (tmp_path / "private" / "files" / "report-attachments" / name).is_file()

    migration.copy_into_private_store(None, None)  # again: nothing to copy, nothing duplicated
    assert storage.listdir("ab")[1] == [name.split("/")[1]]


def test_a_site_without_the_old_directory_copies_nothing(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "never-created"
    migration.copy_into_private_store(None, None)
    assert not (tmp_path / "private").exists()
