"""A registry of the open data sets listed at /open-data/.

Each app registers its data sets in ``AppConfig.ready()``; the index page reads
this registry, so a data set appears only once its app is built.
"""

import csv
import datetime
import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.core.files import File
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.urls import get_resolver, reverse
from django.utils import timezone, translation
from django.utils.http import http_date
from django.utils.translation import gettext as _

from . import pagecache
from .storage import open_data_storage

PUBLISHER = "北京市民政局"
LICENCE = "CC BY 4.0"
BOM = "\ufeff"
SPOOL_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    formats: dict = field(default_factory=dict)  # {"csv": url_name, "json": url_name}
    publisher: str = PUBLISHER
    order: int = 100
    api: str = ""  # the URL name of the same records in the open-data API, e.g. "api:credit-list"
    licence: str = LICENCE
    # The core.pagecache sections the records come from: a stored bulk file built before the
    # latest change of one of them is regenerated (see "Stored bulk files" below).
    sections: tuple = ()

    def links(self):
        return [(fmt.upper(), reverse(url_name)) for fmt, url_name in self.formats.items()]

    def api_url(self):
        return reverse(self.api) if self.api else ""

    def files(self):
        """Each download: its format, URL, whether a task stores it (else it is built live, like
        the small signed chain-heads index) and when the stored file was generated (None: not yet)."""
        files = []
        for fmt, url_name in self.formats.items():
            stored_file = is_stored(self.key, fmt)
            manifest = read_manifest(self.key, fmt) if stored_file else None
            files.append(
                {
                    "format": fmt.upper(),
                    "url": reverse(url_name),
                    "stored": stored_file,
                    "generated_at": manifest["generated_at"] if manifest else None,
                }
            )
        return files


_datasets: dict[str, Dataset] = {}


def register_dataset(dataset):
    _datasets[dataset.key] = dataset


def datasets():
    return sorted(_datasets.values(), key=lambda d: (d.order, d.key))


def dataset(key):
    return _datasets[key]


# --- Cells safe to open in a spreadsheet (OWASP "CSV Injection") ---------------------
# Excel, WPS and LibreOffice run a cell that starts with = + - @ (or a tab or carriage
# return before one) as a formula: a donor named =HYPERLINK(...) would become a live link.
# Such a text cell is written with a leading apostrophe, which spreadsheets show as text.
# Numbers stay numbers: a Decimal, int or float, or a string that is a plain decimal
# number such as -12.50, is written as it is. JSON outputs are not changed.

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?", re.ASCII)


def safe_cell(value):
    """``value`` as a CSV cell that no spreadsheet program evaluates as a formula."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    if _PLAIN_NUMBER.fullmatch(text):
        return text
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def safe_row(row):
    """Every cell of ``row`` through :func:`safe_cell`; what every CSV writer writes."""
    return [safe_cell(value) for value in row]


# --- Streaming responses shared by every data set --------------------------------------
# Data sets grow without bound (every price version, every donation), so they are
# streamed row by row from an iterator instead of being built in memory.


class _Echo:
    def write(self, value):
        return value


def csv_response(filename, header, rows):
    """A streaming UTF-8 CSV with a BOM so Excel opens it correctly."""
    writer = csv.writer(_Echo())

    def generate():
        yield BOM + writer.writerow(safe_row(header))
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def json_response(filename, meta, rows):
    """A streaming JSON document: ``{"meta": {...}, "records": [...]}``."""

    def generate():
        yield '{"meta": ' + json.dumps(meta, ensure_ascii=False) + ', "records": ['
        for index, row in enumerate(rows):
            yield ("," if index else "") + json.dumps(row, ensure_ascii=False)
        yield "]}"

    response = StreamingHttpResponse(generate(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def dataset_meta(title, **extra):
    """The ``meta`` block of every JSON data set."""
    return {
        "title": title,
        "publisher": PUBLISHER,
        "generated_at": timezone.localtime().isoformat(),
        "licence": LICENCE,
        **extra,
    }


# --- Stored bulk files -----------------------------------------------------------------------
# A bulk file is not built per request. Its URL serves the file a task stored
# (``core.opendata_tasks.regenerate_dataset``), streamed from disk. The file's manifest records the
# *fingerprint* it was built from: today's date, the release and the versions of the dataset's
# page-cache sections, read before the build starts. A request that finds the file older than the
# current fingerprint queues its regeneration once (a cache key per fingerprint) and is served the
# stored file meanwhile; a file never generated answers 503 with Retry-After until the worker has
# built it. An app publishes a stored file by wrapping its builder view in its URLconf::
#
#     path("open-data/organizations.csv", stored("social-organisations", "csv", views.export_csv), ...)

_builders: dict[tuple[str, str], tuple] = {}  # (key, fmt) -> (view, kwargs)


def stored(key, fmt, build_view, /, **view_kwargs):
    """The view that serves the stored ``fmt`` file of dataset ``key``; ``build_view(request,
    **view_kwargs)`` is what the task runs to build it."""
    _builders[(key, fmt)] = (build_view, view_kwargs)

    def view(request):
        return serve_stored(request, key, fmt)

    view.__name__ = view.__qualname__ = f"stored_{key.replace('-', '_')}_{fmt}"
    return view


def _load_builders():
    # The builders register when the URLconf is imported, which a task worker may not have done.
    get_resolver().url_patterns  # noqa: B018


def is_stored(key, fmt):
    _load_builders()
    return (key, fmt) in _builders


def stored_keys():
    _load_builders()
    return sorted(_builders)


def _names(key, fmt):
    """The names of a stored file and its manifest in ``STORAGES["opendata"]``."""
    return f"{key}.{fmt}", f"{key}.{fmt}.manifest.json"


def fingerprint(key):
    """What a stored file of ``key`` is built from; a different value means it is out of date."""
    parts = [timezone.localdate().isoformat(), pagecache.release()]
    parts += pagecache.versions(sorted(_datasets[key].sections)) if key in _datasets else []
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def read_manifest(key, fmt):
    storage = open_data_storage()
    data_name, manifest_name = _names(key, fmt)
    try:
        with storage.open(manifest_name, "rb") as handle:
            manifest = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not storage.exists(data_name):
        return None
    manifest["generated_at"] = datetime.datetime.fromisoformat(manifest["generated_at"])
    return manifest


def _store(name, chunks):
    """Store ``chunks`` under ``name``, replacing the file there in one step: the local store
    writes beside it and renames, the object store replaces the object with one PUT, so a
    reader sees the old file or the new one, never half of one. The bytes are spooled first
    (in memory, on disk past a few megabytes). Returns (size, sha256)."""
    digest, size = hashlib.sha256(), 0
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        for chunk in chunks:
            data = chunk.encode("utf-8") if isinstance(chunk, str) else chunk
            digest.update(data)
            size += len(data)
            spool.write(data)
        spool.seek(0)
        stored = open_data_storage().save(name, File(spool, name=name))
    if stored != name:  # a store that keeps the old file under this name would serve a stale one
        raise RuntimeError(f"The open-data store saved {name!r} as {stored!r}; it must allow overwriting.")
    return size, digest.hexdigest()


def regenerate(key, fmt):
    """Build the ``fmt`` file of dataset ``key`` with its builder view and store it with its
    manifest. The fingerprint is read first, so a change committed during the build leaves the
    file out of date and it is built again."""
    _load_builders()
    build_view, view_kwargs = _builders[(key, fmt)]
    current = fingerprint(key)
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse(_datasets[key].formats[fmt]) if key in _datasets else "/"
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80", "REQUEST_METHOD": "GET"}
    with translation.override(settings.LANGUAGE_CODE):
        response = build_view(request, **view_kwargs)
        chunks = response.streaming_content if response.streaming else [response.content]
        data_name, manifest_name = _names(key, fmt)
        size, sha256 = _store(data_name, chunks)
    manifest = {
        "key": key,
        "format": fmt,
        "fingerprint": current,
        "generated_at": timezone.localtime().isoformat(),
        "content_type": response["Content-Type"],
        "content_disposition": response.get("Content-Disposition", ""),
        "size": size,
        "sha256": sha256,
    }
    _store(manifest_name, [json.dumps(manifest, ensure_ascii=False)])
    pagecache.bump("opendata")  # the index shows when each file was generated
    return manifest


def queue_regeneration(key, fmt):
    """Queue the task that rebuilds this file, once per fingerprint; True if it was queued now."""
    from .opendata_tasks import regenerate_dataset

    marker = f"opendata:queued:{key}:{fmt}:{fingerprint(key)}"
    if not cache.add(marker, True, settings.OPEN_DATA_REQUEUE_SECONDS):
        return False
    regenerate_dataset.enqueue(key, fmt)
    return True


def serve_stored(request, key, fmt):
    """The stored file, streamed from the open-data store; queues its regeneration when it is
    out of date."""
    manifest = read_manifest(key, fmt)
    if manifest is None or manifest["fingerprint"] != fingerprint(key):
        queue_regeneration(key, fmt)
        manifest = read_manifest(key, fmt)  # a backend that runs tasks at once has built it
    if manifest is None:
        response = HttpResponse(
            _("该数据文件正在生成，请稍后再试。"), status=503, content_type="text/plain; charset=utf-8"
        )
        response["Retry-After"] = str(settings.OPEN_DATA_RETRY_AFTER_SECONDS)
        return response
    data_name, _manifest = _names(key, fmt)
    response = FileResponse(open_data_storage().open(data_name, "rb"), content_type=manifest["content_type"])
    if manifest["content_disposition"]:
        response["Content-Disposition"] = manifest["content_disposition"]
    response["Last-Modified"] = http_date(manifest["generated_at"].timestamp())
    response["ETag"] = f'"{manifest["sha256"][:32]}"'
    response["X-Data-Licence"] = _datasets[key].licence if key in _datasets else LICENCE
    return response
