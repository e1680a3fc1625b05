"""An audit trail that explains itself (issue 23, point 7).

Wagtail logs an admin edit as ``wagtail.edit`` with no detail ("已编辑"), and our state
machines logged raw state codes ("open"→"queried"). Here:

* :func:`describe_value` shows a stored value as an officer reads it: a choice's label, 是/否,
  a related object's name, a date in Beijing time, "—" for nothing;
* :class:`AuditedEditAction` / :class:`AuditedEditView` log an admin edit with what changed,
  field by field (``data["changes"]``: field name, old and new display values);
* :func:`format_changes` and :func:`state_label` render them; the log formatters in
  ``core.wagtail_hooks`` use them for every app's entries.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from wagtail.actions.edit import EditAction
from wagtail.admin.views.generic import EditView
from wagtail.log_actions import log

EMPTY = "—"


def describe_value(field: models.Field | None, value) -> str:
    """``value`` of ``field`` as text for the audit trail."""
    if value is None or value == "":
        return EMPTY
    if field is not None and getattr(field, "flatchoices", None):
        labels = dict(field.flatchoices)
        if value in labels:
            return str(labels[value])
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return "、".join(str(item) for item in value) or EMPTY
    if field is not None and field.is_relation and field.related_model is not None:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else str(value)
    if hasattr(value, "name") and not isinstance(value, str):  # a stored file
        return value.name.rsplit("/", 1)[-1] if value.name else EMPTY
    return str(value)


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def state_label(model, field_name: str, code) -> str:
    """The label of state ``code`` of ``model.field_name`` ("open" → "待复核")."""
    field = _field(model, field_name) if model is not None else None
    return describe_value(field, code)


def form_changes(form) -> list[dict]:
    """What a bound, valid model form changes, field by field, in the platform's language
    (the audit trail is the bureau's record; its text doesn't follow the reader's choice)."""
    model = form._meta.model
    changes = []
    with translation.override(settings.LANGUAGE_CODE):
        for name in form.changed_data:
            field = _field(model, name)
            if field is None:
                continue
            old = form.initial.get(name)
            new = form.cleaned_data.get(name)
            if field.is_relation and isinstance(old, int | str):
                old = field.related_model._default_manager.filter(pk=old).first() if old else None
            changes.append(
                {
                    "field": name,
                    "old": describe_value(field, old),
                    "new": describe_value(field, new),
                }
            )
    return changes


def format_changes(model, changes) -> str:
    """ "字段：旧 → 新；…" for the changes a log entry carries."""
    parts = []
    for change in changes or []:
        field = _field(model, change.get("field", "")) if model is not None else None
        label = str(field.verbose_name) if field is not None else change.get("field", "")
        parts.append(
            _("%(field)s：%(old)s → %(new)s")
            % {"field": label, "old": change.get("old", EMPTY), "new": change.get("new", EMPTY)}
        )
    return "；".join(parts)


class AuditedEditAction(EditAction):
    """Wagtail's edit action, logged with the changed fields (``data["changes"]``)."""

    def __init__(self, *args, log_action="wagtail.edit", **kwargs):
        self.audit_action = log_action
        super().__init__(*args, log_action=None, **kwargs)

    @transaction.atomic
    def _edit(self, skip_permission_checks=False):
        instance = super()._edit(skip_permission_checks=skip_permission_checks)
        # After the save: the form's initial values are still the old ones, and validating
        # it here (not before) leaves a draft's deferred required fields alone.
        changes = form_changes(self.form) if self.form is not None else []
        if self.audit_action:
            log(
                instance=instance,
                action=self.audit_action,
                user=self.user,
                revision=self.revision,
                content_changed=self.content_changed,
                data={"changes": changes} if changes else None,
            )
        return instance


class AuditedEditView(EditView):
    """A ModelViewSet edit view whose log entry lists what changed, field by field."""

    action_class = AuditedEditAction
