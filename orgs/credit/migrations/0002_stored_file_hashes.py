"""Credit-record attachments and objection evidence get a recorded SHA-256; a record's
attachment is checked by content (core.uploads) on the model field.

``hash_existing_files`` hashes the files already stored (as they are now: the check protects
from this migration on); the serving views re-hash the bytes against it."""

from django.db import migrations, models

import core.storage
import core.uploads
import orgs.credit.models
from core.stored_files import hash_existing

FILES = (("creditrecord", "attachment", "attachment_sha256"), ("objection", "evidence", "evidence_sha256"))


def hash_existing_files(apps, schema_editor):
    for model_name, file_field, sha_field in FILES:
        hash_existing(apps.get_model("credit", model_name), file_field, sha_field)


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="creditrecord",
            name="attachment_sha256",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="上传时记录；下载时据此核对文件是否被改动。",
                max_length=64,
                verbose_name="附件 SHA-256",
            ),
        ),
        migrations.AddField(
            model_name="objection",
            name="evidence_sha256",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="上传时记录；下载时据此核对文件是否被改动。",
                max_length=64,
                verbose_name="证明材料 SHA-256",
            ),
        ),
        migrations.AlterField(
            model_name="creditrecord",
            name="attachment",
            field=models.FileField(
                blank=True,
                max_length=200,
                storage=core.storage.private_storage,
                upload_to=orgs.credit.models.record_attachment_path,
                validators=[
                    core.uploads.ContentValidator(
                        ("application/pdf", "image/jpeg", "image/png"), "REPORT_ATTACHMENT_MAX_BYTES"
                    )
                ],
                verbose_name="附件",
            ),
        ),
        migrations.RunPython(hash_existing_files, migrations.RunPython.noop),
    ]
