"""A registry of the open data sets listed at /open-data/.

Each app registers its data sets in ``AppConfig.ready()``; the index page reads
this registry, so a data set appears only once its app is built.
"""

import csv
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal

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
