"""Annual-report attachments move from their own directory (``REPORT_ATTACHMENT_ROOT``, by
default ``PRIVATE_ROOT/report-attachments``) into the private store's ``report-attachments/``
folder (issue 22: every file through the storage API, so that the store may be a bucket).

Each file is copied under the same name (its SHA-256), so the names in the database stay valid;
a name the store already holds is left alone (the same bytes, by content addressing). The old
files are not deleted: nothing is lost if the copy is interrupted, and running it again copies
only what is missing. A site without that directory (a new one, the tests) copies nothing."""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import migrations


def copy_into_private_store(apps, schema_editor):
    from orgs.reports.models import attachment_storage

    old_root = Path(settings.REPORT_ATTACHMENT_ROOT)
    if not old_root.is_dir():
        return
    storage = attachment_storage()
    for path in sorted(old_root.rglob("*")):
        name = path.relative_to(old_root).as_posix()
        if path.is_file() and not storage.exists(name):
            with path.open("rb") as handle:
                storage.save(name, File(handle, name=name))


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_review_decision_time")]

    operations = [migrations.RunPython(copy_into_private_store, migrations.RunPython.noop, elidable=True)]
