"""A registry of the open data sets listed at /open-data/.

Each app registers its data sets in ``AppConfig.ready()``; the index page reads
this registry, so a data set appears only once its app is built.
"""

import csv
import json
from dataclasses import dataclass, field

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

PUBLISHER = "北京市民政局"
LICENCE = "CC BY 4.0"
BOM = "\ufeff"


@dataclass(frozen=True)
class Dataset:
    key: str
    title: str
    description: str
    formats: dict = field(default_factory=dict)  # {"csv": url_name, "json": url_name}
    publisher: str = PUBLISHER
    order: int = 100

    def links(self):
        return [(fmt.upper(), reverse(url_name)) for fmt, url_name in self.formats.items()]


_datasets: dict[str, Dataset] = {}


def register_dataset(dataset):
    _datasets[dataset.key] = dataset


def datasets():
    return sorted(_datasets.values(), key=lambda d: (d.order, d.key))


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
        yield BOM + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

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
