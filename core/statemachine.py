"""Explicit state machines with an audit trail.

Each stateful model declares a transition table::

    TRANSITIONS = {
        ("submitted", "confirmed"): "confirm",
        ("submitted", "cancelled"): "cancel",
    }

and calls :func:`transition` to move. An illegal move raises
:class:`IllegalTransition` naming both states. Every move is written to Wagtail's
audit log (``wagtail.log_actions``) with who, when, from, to and why, so bureau
staff can read it under *Reports → Site history* in the admin.
"""

from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _
from wagtail.log_actions import log

TRANSITION_ACTION = "platform.transition"

# Sent inside the transition's transaction, after the save and the audit entry, with
# ``sender`` = the model class and ``instance``, ``source``, ``target``, ``user``, ``reason``.
# A receiver that talks to the outside world (an SMS) should defer itself with
# ``transaction.on_commit`` so that a move rolled back later tells no one.
transitioned = Signal()


class IllegalTransition(Exception):
    """Raised when a status change is not in the model's transition table."""

    def __init__(self, instance, source, target):
        self.instance = instance
        self.source = source
        self.target = target
        super().__init__(
            _("不允许的状态变更：%(model)s 不能从“%(source)s”变为“%(target)s”。")
            % {"model": instance._meta.verbose_name, "source": source, "target": target}
        )


def allowed_targets(table, source):
    return [target for (start, target) in table if start == source]


def _changes(instance, names):
    """The fields a move saves besides its state, old and new as officers read them (the
    audit entry explains itself: issue 23, point 7). One query, only when there are any."""
    if not names or instance.pk is None:
        return []
    from .admin_audit import describe_value

    model = type(instance)
    fields = [model._meta.get_field(name) for name in names]
    stored = model._default_manager.filter(pk=instance.pk).values(*(f.attname for f in fields)).first() or {}
    changes = []
    for f in fields:
        old, new = stored.get(f.attname), getattr(instance, f.attname)
        if old != new:
            changes.append(
                {
                    "field": f.name,
                    "old": describe_value(f, old),
                    "new": describe_value(f, getattr(instance, f.name) if f.is_relation else new),
                }
            )
    return changes


def transition(instance, target, *, user=None, reason="", field="status", table=None, save_fields=()):
    """Move ``instance`` to ``target`` if the table allows it, save and audit it."""
    table = table if table is not None else type(instance).TRANSITIONS
    source = getattr(instance, field)
    if (source, target) not in table:
        raise IllegalTransition(instance, source, target)
    with transaction.atomic():
        changes = _changes(instance, save_fields)
        setattr(instance, field, target)
        instance.save(update_fields=[field, *save_fields])
        data = {"from": source, "to": target, "reason": reason, "field": field}
        if changes:
            data["changes"] = changes
        log(
            instance,
            TRANSITION_ACTION,
            user=user if user is not None and user.is_authenticated else None,
            data=data,
        )
        transitioned.send(
            type(instance),
            instance=instance,
            source=source,
            target=target,
            user=user,
            reason=reason,
            field=field,
        )
    return instance
