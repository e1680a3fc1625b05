"""Reading an uploaded CSV or XLSX file into rows, refusing whatever would exhaust the server.

Uploads are untrusted. Nothing a file declares decides how much work is done: the upload is
capped, an .xlsx is measured unzipped before it is opened, the sheet is read in streaming
mode ignoring its declared dimension, only the template's columns (plus a margin) are read,
and reading stops at the row cap, empty rows included. Whatever the parsers raise becomes a
file error or a rejected row in the dry-run report.

Settings: ``IMPORT_MAX_UPLOAD_BYTES``, ``IMPORT_MAX_ROWS``, ``IMPORT_MAX_CELL_CHARS``,
``IMPORT_EXTRA_COLUMNS``, ``IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES``,
``IMPORT_XLSX_MAX_XML_ELEMENTS``, ``IMPORT_XLSX_MAX_CELLS_PER_ROW``."""

import csv
import datetime
import io
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from .specs import DONATIONS


class ImportFileError(Exception):
    pass


@dataclass
class Rejection:
    line: int
    reason: str


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# C0 and C1 control characters except tab, line feed and carriage return, and the
# bidirectional overrides that can make a name display as something else.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class Rows(list):
    """The data rows of a file, (line, {field: text}), plus the rows already rejected while
    reading (a cell too long, a control character) and the number of lines read."""

    def __init__(self, rows=(), rejected=(), lines=0):
        super().__init__(rows)
        self.rejected = list(rejected)
        self.lines = lines


def _column(index):
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def _cell_problem(value):
    """Why a cell can't be imported, or None."""
    limit = settings.IMPORT_MAX_CELL_CHARS
    if len(value) > limit:
        return _("超过%(n)s个字符") % {"n": limit}
    bad = _CONTROL.search(value)
    if bad:
        return _("含有控制字符 U+%(code)s") % {"code": f"{ord(bad.group()):04X}"}
    return None


def _check_upload_size(data):
    limit = settings.IMPORT_MAX_UPLOAD_BYTES
    if len(data) > limit:
        raise ImportFileError(
            _("文件大小为 %(size)s MB，超过 %(limit)s MB 的上限。")
            % {"size": f"{len(data) / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )


class _Refused(Exception):
    """Raised inside the XML scan; carries the file error to report."""


def _scan_xml(stream, name, max_elements, max_cells):
    """Walk one XML part of a workbook without building it, refusing a DTD (entities), more
    than ``max_elements`` elements, or a row of more than ``max_cells`` cells: openpyxl
    keeps a whole row, the shared strings and a sheet's side tables in memory."""
    from xml.parsers import expat

    parser = expat.ParserCreate(namespace_separator=" ")
    count = {"elements": 0, "cells": 0}

    def start(tag, _attributes):
        count["elements"] += 1
        if count["elements"] > max_elements:
            raise _Refused(
                _("该Excel文件的%(part)s包含的元素超过%(n)s个，已拒绝读取。")
                % {"part": name, "n": max_elements}
            )
        local = tag.rpartition(" ")[2]
        if local == "row":
            count["cells"] = 0
        elif local == "c":
            count["cells"] += 1
            if count["cells"] > max_cells:
                raise _Refused(
                    _("该Excel文件有一行超过%(n)s个单元格，已拒绝读取。请只保留模板中的列。")
                    % {"n": max_cells}
                )

    def doctype(*_args):
        raise _Refused(_("该Excel文件含有文档类型声明（DTD），已拒绝读取。"))

    parser.StartElementHandler = start
    parser.StartDoctypeDeclHandler = doctype
    while chunk := stream.read(1 << 16):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _check_xlsx_archive(data):
    """Refuse a workbook that would cost more than the limits once opened, before openpyxl
    opens it: the unzipped size of every part (zipfile never returns more bytes than an
    entry declares, so the declared sizes are a real bound), then, part by part, what
    openpyxl would hold in memory (see ``_scan_xml``)."""
    import zipfile
    from xml.parsers import expat

    unreadable = _("无法读取该Excel文件，请使用模板另存为.xlsx格式。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            limit = settings.IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES
            if sum(entry.file_size for entry in entries) > limit:
                largest = max(entries, key=lambda entry: entry.file_size)
                raise ImportFileError(
                    _(
                        "该Excel文件解压后超过%(limit)s MB（最大的部分是%(part)s），可能含有异常内容，已拒绝读取。"
                    )
                    % {"limit": f"{limit / 1048576:.0f}", "part": largest.filename}
                )
            for entry in entries:
                # Every part, whatever it is called: openpyxl finds parts through the
                # package's relationships, so a sheet need not end in .xml. A part that isn't
                # XML at all (an image) stops the scan at its first byte.
                with archive.open(entry) as stream:
                    try:
                        _scan_xml(
                            stream,
                            entry.filename,
                            settings.IMPORT_XLSX_MAX_XML_ELEMENTS,
                            settings.IMPORT_XLSX_MAX_CELLS_PER_ROW,
                        )
                    except expat.ExpatError:
                        if entry.filename.lower().endswith((".xml", ".rels", ".vml")):
                            raise
    except _Refused as error:
        raise ImportFileError(str(error)) from error
    # A damaged archive or part (BadZipFile, ExpatError, OSError, EOFError, ValueError), an
    # encrypted entry (RuntimeError) or an unsupported compression method, which zipfile
    # reports as NotImplementedError: the file can't be read, and the dry run says so.
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        expat.ExpatError,
        NotImplementedError,
        OSError,
        ValueError,
        EOFError,
        RuntimeError,
    ) as error:
        raise ImportFileError(unreadable) from error


def _xlsx_lines(data, width):
    from openpyxl import load_workbook

    _check_xlsx_archive(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise ImportFileError(_("无法读取该Excel文件，请使用模板另存为.xlsx格式。")) from error
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # the declared dimension is the file's word, not a fact
        for row in sheet.iter_rows(min_row=1, max_col=width, values_only=True):
            yield [_text(v) for v in row]
    except Exception as error:  # a damaged sheet part, whatever openpyxl raises for it
        raise ImportFileError(
            _("Excel文件的工作表内容有误，无法读取。请使用模板另存为.xlsx格式。")
        ) from error
    finally:
        book.close()


def _csv_lines(data, width):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFileError(
            _("CSV文件须为UTF-8编码（第%(line)s行有无法识别的字节）。") % {"line": line}
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    line = 0
    while True:
        line += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise ImportFileError(
                    _("第%(line)s行有单元格超过%(n)s个字符，无法读取（常见原因是引号不成对）。")
                    % {"line": line, "n": csv.field_size_limit()}
                ) from error
            raise ImportFileError(
                _("第%(line)s行格式有误，无法读取（请检查引号是否成对）。") % {"line": line}
            ) from error
        yield [v.strip() for v in row[:width]]


def read_rows(name, data, spec=DONATIONS):
    """(line number, {field: text}) for every non-empty data row of a CSV or XLSX file.

    Raise ImportFileError for a problem with the whole file; a row with a bad cell comes
    back in ``rows.rejected`` with its line and column."""
    lower = (name or "").lower()
    _check_upload_size(data)
    width = len(spec.headers) + settings.IMPORT_EXTRA_COLUMNS
    if lower.endswith(".xlsx"):
        lines = _xlsx_lines(data, width)
    elif lower.endswith(".csv"):
        lines = _csv_lines(data, width)
    else:
        raise ImportFileError(_("只接受.csv或.xlsx文件。"))
    try:
        return _collect(lines, spec)
    finally:
        lines.close()


def _header(raw, spec):
    header = list(raw or [])
    while header and not header[-1]:
        header.pop()
    if not header:
        raise ImportFileError(_("文件为空。"))
    seen = {}
    for index, text in enumerate(header):
        problem = _cell_problem(text)
        if problem:
            raise ImportFileError(
                _("第1行第%(column)s列（表头）%(problem)s。") % {"column": _column(index), "problem": problem}
            )
        if text and text in seen:
            raise ImportFileError(
                _("表头“%(header)s”重复：第%(first)s列和第%(second)s列。每个表头只能出现一次。")
                % {"header": text, "first": _column(seen[text]), "second": _column(index)}
            )
        seen.setdefault(text, index)
    keys = [spec.headers.get(h) for h in header]
    missing = [h for h, key in spec.headers.items() if key in spec.required and key not in keys]
    if missing:
        raise ImportFileError(_("缺少表头：%(headers)s。请使用模板。") % {"headers": "、".join(missing)})
    return header, keys


def _collect(lines, spec):
    header, keys = _header(next(lines, None), spec)
    result = Rows()
    limit = settings.IMPORT_MAX_ROWS
    for line, row in enumerate(lines, start=2):
        result.lines = line
        if line - 1 > limit:
            raise ImportFileError(
                _("一次最多导入%(n)s行（空行也计入）。请删除多余的空行，或分成几个文件导入。") % {"n": limit}
            )
        row = row[: len(header)]
        if not any(row):
            continue
        problems = [
            _("第%(column)s列（%(header)s）%(problem)s")
            % {"column": _column(index), "header": header[index] or "—", "problem": problem}
            for index, value in enumerate(row)
            if (problem := _cell_problem(value))
        ]
        if problems:
            result.rejected.append(Rejection(line, "；".join(problems)))
            continue
        result.append((line, {key: (row[i] if i < len(row) else "") for i, key in enumerate(keys) if key}))
    return result
