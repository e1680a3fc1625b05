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


def transition(instance, target, *, user=None, reason="", field="status", table=None, save_fields=()):
    """Move ``instance`` to ``target`` if the table allows it, save and audit it."""
    table = table if table is not None else type(instance).TRANSITIONS
    source = getattr(instance, field)
    if (source, target) not in table:
        raise IllegalTransition(instance, source, target)
    with transaction.atomic():
        setattr(instance, field, target)
        instance.save(update_fields=[field, *save_fields])
        log(
            instance,
            TRANSITION_ACTION,
            user=user if user is not None and user.is_authenticated else None,
            data={"from": source, "to": target, "reason": reason, "field": field},
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
