"""The task that regenerates a stored open-data bulk file (``core.opendata``, "Stored bulk
files"). Queued by a request that finds the file out of date, by ``manage.py
regenerate_open_data`` (run it daily, after a deploy, or by hand), and worked by
``manage.py db_worker`` in development and production; the tests run it at once."""

from django.tasks import task

from . import opendata


@task
def regenerate_dataset(key, fmt):
    manifest = opendata.regenerate(key, fmt)
    return {"key": key, "format": fmt, "size": manifest["size"], "sha256": manifest["sha256"]}
