"""The audit text of credit decisions (issue 23, point 7).

Every decision on a proposal, an objection or a list entry writes, besides the state
machine's own entry (``core.statemachine``), one ``credit.decision`` entry that lists what
changed field by field. The codes are stored as they are (``"pending"``, ``"confirmed"``) and
turned into the field's label and the choice's Chinese name when the entry is shown, in the
reader's language: "状态：待决定 → 已确认；决定理由：（空）→ 逾期未报"."""

import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

DECISION_ACTION = "credit.decision"


def _stored(value):
    """A value as the log's JSON keeps it: codes and dates as text, a related object by name."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


def snapshot(instance, fields):
    """The current values of ``fields`` (model field names), to compare after a decision."""
    return {name: _stored(getattr(instance, name)) for name in fields}


def log_decision(instance, before, *, user, reason=""):
    """Write one ``credit.decision`` entry with every field of ``before`` that changed."""
    after = snapshot(instance, before)
    changes = [
        {"field": name, "from": before[name], "to": after[name]}
        for name in before
        if before[name] != after[name]
    ]
    log(
        instance,
        DECISION_ACTION,
        user=user if user is not None and user.is_authenticated else None,
        data={"changes": changes, "reason": reason},
    )


def _display(field, value):
    if value == "":
        return _("（空）")
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return value


def describe(model, data):
    """The entry's text: each changed field with its label and the choices' names."""
    parts = []
    for change in (data or {}).get("changes", []):
        name = change.get("field", "")
        try:
            field = model._meta.get_field(name) if model is not None else None
        except Exception:  # a field removed since: show its stored name
            field = None
        label = str(field.verbose_name) if field is not None else name
        parts.append(
            _("%(field)s：%(old)s → %(new)s")
            % {
                "field": label,
                "old": _display(field, change.get("from", "")),
                "new": _display(field, change.get("to", "")),
            }
        )
    return "；".join(parts) or _("无字段变化")
