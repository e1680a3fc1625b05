"""What the checklist's modules share: the audit actions, the refusal, and how a family member
is named to the others."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ACTION_STARTED = "benefit_checklist.started"
ACTION_TICKED = "benefit_checklist.ticked"
ACTION_UNTICKED = "benefit_checklist.unticked"
ACTION_INVITED = "benefit_checklist.invited"
ACTION_JOINED = "benefit_checklist.joined"
ACTION_REVOKED = "benefit_checklist.revoked"


class ChecklistRefused(ValidationError):
    """Something the checklist's rules refuse, with a message saying why (and a ``code``)."""


def person(user):
    """How a family member is named to the others on the checklist."""
    if user is None:
        return _("平台")
    return user.get_full_name() or user.masked_mobile
