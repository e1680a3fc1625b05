"""`manage.py backup` / `manage.py restore` (issue 12, point 9): a restore drill in a test.

The demo site is loaded once, backed up, and restored by a separate `manage.py` process
into an empty database (a second database on the same PostgreSQL server, or a new SQLite
file) with empty file roots, the way an operator restores onto a new server. The restored
site must have every table's row count, an intact price hash chain (F10) and sealed
documents that still verify against the restored platform keys.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from core.backup import table_counts
from core.models import VerifiableDocument
from core.verification import check_upload

pytestmark = pytest.mark.django_db(transaction=True)

CHECK_SCRIPT = """
import json
from django.db import connection
from core.backup import table_counts
from core.models import VerifiableDocument
from core.verification import check_upload

documents = []
for document in VerifiableDocument.objects.order_by("code"):
    with document.file.open("rb") as handle:
        check = check_upload(document, handle.read())
    documents.append([document.code, check.identical, check.seal.ok])
print("RESULT " + json.dumps({"tables": table_counts(connection), "documents": documents}))
"""


@pytest.fixture
def empty_database_url(tmp_path):
    """The URL of an empty database: a new one on the test's PostgreSQL server, or a new file."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"platform_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE DATABASE {connection.ops.quote_name(name)} TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    params = connection.settings_dict
    credentials = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    yield f"postgres://{credentials}@{params['HOST']}:{params['PORT']}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")


def new_server_env(database_url, root):
    """The environment of a fresh server: its own database and its own empty file roots."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PLATFORM_KEYS_DIR", "REPORT_ATTACHMENT_ROOT", "MEDIA_ROOT", "PRIVATE_ROOT"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(root / "media"),
        PRIVATE_ROOT=str(root / "private"),
        DEBUG="0",
    )
    return env


def manage(env, *args):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_backup_round_trips_the_demo_site_into_an_empty_database(tmp_path, empty_database_url):
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    source_counts = table_counts(connection)
    source_documents = []
    for document in VerifiableDocument.objects.order_by("code"):
        with document.file.open("rb") as handle:
            check = check_upload(document, handle.read())
        source_documents.append([document.code, check.identical, check.seal.ok])
    assert source_documents and all(ok for _code, *oks in source_documents for ok in oks)
    assert source_counts["catalogue_priceversion"] > 0

    backup_dir = tmp_path / "backup"
    call_command("backup", output=str(backup_dir), stdout=open(os.devnull, "w"))  # noqa: SIM115
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["tables"] == source_counts
    assert manifest["database"]["vendor"] == connection.vendor
    assert "core" in manifest["migrations"] and manifest["created_at"].endswith("+08:00")
    assert set(manifest["parts"]) == {manifest["database"]["file"], "files.tar.gz"}

    env = new_server_env(empty_database_url, tmp_path / "new-server")
    restored = manage(env, "restore", "--input", str(backup_dir))
    assert restored.returncode == 0, restored.stderr
    assert f"{len(source_counts)} 张表" in restored.stdout

    chain = manage(env, "verify_price_chain")
    assert chain.returncode == 0 and "校验通过" in chain.stdout, chain.stdout + chain.stderr

    checked = manage(env, "shell", "-c", CHECK_SCRIPT)
    assert checked.returncode == 0, checked.stderr
    result = json.loads(checked.stdout.split("RESULT ", 1)[1])
    assert result["tables"] == source_counts
    assert result["documents"] == source_documents  # every sealed document: same bytes, valid seal

    # The restored database is no longer empty: restoring again is refused without --force.
    again = manage(env, "restore", "--input", str(backup_dir))
    assert again.returncode != 0 and "--force" in again.stderr
    forced = manage(env, "restore", "--input", str(backup_dir), "--force")
    assert forced.returncode == 0, forced.stderr


def test_restore_refuses_a_backup_whose_parts_do_not_match_the_manifest(tmp_path):
    backup_dir = tmp_path / "backup"
    call_command("backup", output=str(backup_dir), stdout=open(os.devnull, "w"))  # noqa: SIM115
    archive = backup_dir / "files.tar.gz"
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0x01
    archive.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="files.tar.gz"):
        call_command("restore", input=str(backup_dir), stdout=open(os.devnull, "w"))  # noqa: SIM115


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    backup_dir = tmp_path / "backup"
    call_command("backup", output=str(backup_dir), stdout=open(os.devnull, "w"))  # noqa: SIM115
    before = table_counts(connection)
    with pytest.raises(CommandError, match="--force"):
        call_command("restore", input=str(backup_dir), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert table_counts(connection) == before


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("earlier backup")
    with pytest.raises(CommandError, match=str(tmp_path)):
        call_command("backup", output=str(tmp_path), stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert [path.name for path in Path(tmp_path).iterdir()] == ["old.txt"]
