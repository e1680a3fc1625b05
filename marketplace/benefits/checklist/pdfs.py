"""The printable checklist: every step with its status, department, documents, where and
deadline, on landscape A4 (``core.pdf.sheet``, the embedded CJK font). It is the family's own
working paper, not a legal document, so it follows the page's language."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import pdf as platform_pdf

from . import services


def _separator():
    # Cells are escaped text on one paragraph: items are separated, not put on new lines.
    return _("；")


def _status(row):
    parts = [str(row.status_label)]
    if row.platform is not None and row.platform.found:
        parts += [
            _("%(label)s：%(status)s") % {"label": record.label, "status": record.status}
            for record in row.platform.records
        ]
    if row.tick is not None:
        parts.append(
            _("%(who)s %(when)s 勾选")
            % {
                "who": services.person(row.tick.ticked_by),
                "when": timezone.localtime(row.tick.ticked_at).strftime("%Y-%m-%d"),
            }
        )
    return _separator().join(parts)


def _deadline(row):
    if row.deadline is None:
        return "—"
    text = row.deadline.text
    return f"{text}{_separator()}{row.deadline.basis}" if row.deadline.basis else text


def checklist_pdf(checklist, rows, *, today=None):
    today = today or timezone.localdate()
    done, total = services.progress(rows)
    table = [
        (
            row.number,
            row.title,
            _status(row),
            row.department,
            _separator().join(row.documents) or "—",
            row.where or "—",
            _deadline(row),
        )
        for row in rows
    ]
    return platform_pdf.sheet(
        title=_("身后一件事办事清单：%(name)s") % {"name": checklist.deceased_name},
        summary=_(
            "逝者：%(name)s　死亡日期：%(date)s　清单编号：%(ref)s　已办 %(done)s / %(total)s 项　打印日期：%(today)s"
        )
        % {
            "name": checklist.deceased_name,
            "date": checklist.date_of_death.isoformat(),
            "ref": checklist.reference,
            "done": done,
            "total": total,
            "today": today.isoformat(),
        },
        header=(
            pgettext("checklist", "序号"),
            pgettext("checklist", "事项"),
            pgettext("checklist", "状态"),
            _("办理部门"),
            _("所需材料"),
            _("办理地点或渠道"),
            pgettext("checklist", "办理期限"),
        ),
        rows=table,
        col_widths=(12, 42, 44, 38, 56, 46, 35),
        empty=_("清单中暂无事项。"),
    )
