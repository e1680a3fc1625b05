"""The platform's file stores, as Django storage aliases (``config/settings/storage.py``).

A ``FileField`` evaluates its ``storage`` callable once, when the model class is built; the
objects returned here look the alias up in ``django.core.files.storage.storages`` on every
operation instead, so the backend is whatever ``STORAGES`` says now (the local directories
in development, an S3-compatible bucket in production, a moto server in the tests).

Nothing here hands out a local path for the object store to break: files are read with
``open()`` and written with ``save()``. Views stream private files after the permission check.
"""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

PRIVATE = "private"
OPEN_DATA = "opendata"


class _SettingRootStorage(FileSystemStorage):
    """A directory named by a setting, read when first used and again when the setting changes."""

    root_setting = ""
    subdirectory = ""

    def _root(self):
        root = Path(getattr(settings, self.root_setting))
        return root / self.subdirectory if self.subdirectory else root

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, self._root())

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == self.root_setting:
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


@deconstructible(path="core.storage.PrivateFileSystemStorage")
class PrivateFileSystemStorage(_SettingRootStorage):
    """``PRIVATE_ROOT/files``: outside MEDIA_ROOT, so no web server hands these files out."""

    root_setting = "PRIVATE_ROOT"
    subdirectory = "files"


@deconstructible(path="core.storage.OpenDataFileSystemStorage")
class OpenDataFileSystemStorage(_SettingRootStorage):
    """``OPEN_DATA_ROOT``. A file saved under an existing name replaces it atomically (written
    beside it, then renamed), so a reader sees the old file or the new one, never half of one."""

    root_setting = "OPEN_DATA_ROOT"

    def __init__(self, location=None, base_url=None, file_permissions_mode=None, **kwargs):
        kwargs["allow_overwrite"] = True
        super().__init__(location, base_url, file_permissions_mode, **kwargs)

    def _save(self, name, content):
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{os.path.basename(full_path)}.")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
            if self.file_permissions_mode is not None:
                os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, full_path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return os.path.relpath(full_path, self.location).replace("\\", "/")


@deconstructible(path="core.storage.AliasStorage")
class AliasStorage(Storage):
    """Every operation goes to ``storages[alias]`` as configured at the time of the call.

    ``prefix`` keeps a group of files in a folder of that store; the names given to and
    returned by this storage (the ones in the database) don't include it."""

    def __init__(self, alias, prefix=""):
        self.alias = alias
        self.prefix = prefix.strip("/")

    @property
    def backend(self):
        return storages[self.alias]

    def _full(self, name):
        return f"{self.prefix}/{name}" if self.prefix and name else (name or self.prefix)

    def _short(self, name):
        return name.removeprefix(f"{self.prefix}/") if self.prefix else name

    def __getattr__(self, attribute):
        # Backend details (``location``, ``bucket``…) that callers may read.
        if attribute.startswith("__") or attribute in {"alias", "prefix"}:
            raise AttributeError(attribute)
        return getattr(self.backend, attribute)

    def open(self, name, mode="rb"):
        return self.backend.open(self._full(name), mode)

    def save(self, name, content, max_length=None):
        if name is None:
            name = content.name
        return self._short(self.backend.save(self._full(name), content, max_length=max_length))

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self._short(self.backend.get_available_name(self._full(name), max_length=max_length))

    def path(self, name):
        return self.backend.path(self._full(name))

    def delete(self, name):
        return self.backend.delete(self._full(name))

    def exists(self, name):
        return self.backend.exists(self._full(name))

    def listdir(self, path):
        return self.backend.listdir(self._full(path))

    def size(self, name):
        return self.backend.size(self._full(name))

    def url(self, name):
        return self.backend.url(self._full(name))

    def get_accessed_time(self, name):
        return self.backend.get_accessed_time(self._full(name))

    def get_created_time(self, name):
        return self.backend.get_created_time(self._full(name))

    def get_modified_time(self, name):
        return self.backend.get_modified_time(self._full(name))


def private_storage():
    """Storage for files that are never served directly (sealed originals, uploads with
    personal data): the ``private`` alias. Views that may hand them out check permissions first
    and stream the bytes."""
    return AliasStorage(PRIVATE)


def open_data_storage():
    """The generated open-data files (``core.opendata``): the ``opendata`` alias."""
    return storages[OPEN_DATA]
