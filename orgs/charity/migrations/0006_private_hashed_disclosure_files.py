"""Charity disclosure files move from public media to private storage and get a SHA-256.

Vouchers, progress-report attachments and C1 articles were served by the web server straight
from MEDIA_ROOT. From now on they are stored privately and served only through views that
re-hash the bytes (core.stored_files). ``move_and_hash`` moves each existing file to private
storage under the same name (removing the public copy) and records the hash of what it moved.
A file altered before this migration is hashed as it is: the check protects from now on."""

import django.core.validators
from django.core.files.storage import default_storage
from django.db import migrations, models

import core.storage
import core.uploads
from core.stored_files import hash_existing

FILES = (
    ("expenditure", "document", "document_sha256"),
    ("progressreportattachment", "file", "sha256"),
    ("basicinfodisclosure", "articles", "articles_sha256"),
)


def _move(model, file_field, source, target):
    names = model._base_manager.exclude(**{file_field: ""}).values_list(file_field, flat=True)
    for name in set(names):
        if target.exists(name) or not source.exists(name):
            continue
        with source.open(name, "rb") as handle:
            stored = target.save(name, handle)
        if stored != name:  # never expected: the name was free
            raise RuntimeError(f"could not keep the name {name!r} (got {stored!r})")
        source.delete(name)


def move_and_hash(apps, schema_editor):
    private = core.storage.private_storage()
    for model_name, file_field, sha_field in FILES:
        model = apps.get_model("charity", model_name)
        _move(model, file_field, default_storage, private)
        hash_existing(model, file_field, sha_field)


def move_back(apps, schema_editor):
    private = core.storage.private_storage()
    for model_name, file_field, _sha_field in FILES:
        _move(apps.get_model("charity", model_name), file_field, private, default_storage)


class Migration(migrations.Migration):
    dependencies = [
        ("charity", "0005_donation_correction_note"),
    ]

    operations = [
        migrations.AddField(
            model_name="basicinfodisclosure",
            name="articles_sha256",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="上传时记录；下载时据此核对文件是否被改动。",
                max_length=64,
                verbose_name="章程 SHA-256",
            ),
        ),
        migrations.AddField(
            model_name="expenditure",
            name="document_sha256",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="上传时记录；下载时据此核对文件是否被改动。",
                max_length=64,
                verbose_name="支出凭证 SHA-256",
            ),
        ),
        migrations.AddField(
            model_name="progressreportattachment",
            name="sha256",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="上传时记录；下载时据此核对文件是否被改动。",
                max_length=64,
                verbose_name="SHA-256",
            ),
        ),
        migrations.AlterField(
            model_name="basicinfodisclosure",
            name="articles",
            field=models.FileField(
                blank=True,
                storage=core.storage.private_storage,
                upload_to="charity/articles/",
                validators=[
                    django.core.validators.FileExtensionValidator(["pdf"]),
                    core.uploads.ContentValidator(("application/pdf",)),
                ],
                verbose_name="章程",
            ),
        ),
        migrations.AlterField(
            model_name="expenditure",
            name="document",
            field=models.FileField(
                blank=True,
                storage=core.storage.private_storage,
                upload_to="charity/expenditures/",
                validators=[
                    django.core.validators.FileExtensionValidator(["pdf", "jpg", "jpeg", "png"]),
                    core.uploads.ContentValidator(("application/pdf", "image/jpeg", "image/png")),
                ],
                verbose_name="支出凭证",
            ),
        ),
        migrations.AlterField(
            model_name="progressreportattachment",
            name="file",
            field=models.FileField(
                storage=core.storage.private_storage,
                upload_to="charity/reports/",
                validators=[
                    django.core.validators.FileExtensionValidator(["pdf", "jpg", "jpeg", "png"]),
                    core.uploads.ContentValidator(("application/pdf", "image/jpeg", "image/png")),
                ],
                verbose_name="附件",
            ),
        ),
        migrations.RunPython(move_and_hash, move_back),
    ]
