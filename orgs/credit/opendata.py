"""The credit lists as an open data set (S5, S6): every entry on the abnormal-activity list and the
serious-violation list, current and past, with its reason, dates and decision documents — what
``/credit/<uscc>/`` shows, for all organisations. Internal notes and who listed or removed an
entry are never part of it. The CSV goes through ``core.opendata.safe_row`` (no cell a
spreadsheet would run as a formula); the JSON is written as it is."""

from django.utils.translation import gettext_lazy as _

from core import opendata

from .models import EntryStatus, ListEntry, ListReason, ListType, RemovalReason

DATASET_KEY = "credit-lists"

FIELDS = (
    ("uscc", _("统一社会信用代码")),
    ("organization", _("社会组织")),
    ("list_type", _("名录")),
    ("reason", _("列入事由")),
    ("report_year", _("所涉报告年度")),
    ("listed_on", _("列入日期")),
    ("authority", _("作出决定机关")),
    ("document_number", _("列入决定书文号")),
    ("status", _("状态")),
    ("removed_on", _("移出日期")),
    ("removal_reason", _("移出事由")),
    ("removal_document_number", _("移出决定书文号")),
)


def _labels(choices):
    return {value: str(label) for value, label in choices}


def rows():
    """One row per list entry, oldest first, in a fixed number of queries (streamed in chunks)."""
    entries = ListEntry.objects.select_related("organization").order_by("listed_on", "pk")
    list_types, reasons = _labels(ListType.choices), _labels(ListReason.choices)
    statuses, removals = _labels(EntryStatus.choices), _labels(RemovalReason.choices)
    for entry in entries.iterator(chunk_size=2000):
        yield {
            "uscc": entry.organization.uscc,
            "organization": entry.organization.name,
            "list_type": list_types[entry.list_type],
            "reason": reasons[entry.reason],
            "report_year": entry.report_year,
            "listed_on": entry.listed_on.isoformat(),
            "authority": entry.authority,
            "document_number": entry.document_number,
            "status": statuses[entry.status],
            "removed_on": entry.removed_on.isoformat() if entry.removed_on else None,
            "removal_reason": removals.get(entry.removal_reason, ""),
            "removal_document_number": entry.removal_document_number,
        }


def lists_csv(request):
    return opendata.csv_response(
        "credit-lists.csv",
        [str(label) for _key, label in FIELDS],
        ([row[key] if row[key] is not None else "" for key, _label in FIELDS] for row in rows()),
    )


def lists_json(request):
    meta = opendata.dataset_meta(
        str(_("社会组织活动异常名录和严重违法失信名单")), fields={key: str(label) for key, label in FIELDS}
    )
    return opendata.json_response("credit-lists.json", meta, rows())
