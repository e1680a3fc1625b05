"""Domain operations of online memorials (M1), one module per use case.

| module | what | rules |
|---|---|---|
| ``common`` | the refusal error, client-address hashing, the sensitive-word check | M1 |
| ``memorials`` | creating and editing a memorial (real name, deceased, provenance), visibility, access code and its throttle, invitations, who may see or keep a memorial | M1 |
| ``photos`` | a keeper's photos: content checked, size and count capped, metadata stripped by re-encoding, private storage with SHA-256, served as the memorial's visibility allows | M1 |
| ``tributes`` | free tributes, their rate limits, the word hold and the keeper's approval | M1 |
| ``reports`` | anyone's report, the bureau's decision with a reason (audited) | M1 |
| ``reminders`` | the keepers' opt-in yearly anniversary SMS, sent once per year by a daily task | issue 17 |
"""

from .common import MemorialRefused, matched_words
from .memorials import (
    accept_invitation,
    can_view,
    check_access_code,
    create_memorial,
    invite,
    is_keeper,
    kept_or_404,
    orders_matching,
    pending_invitations,
    update_memorial,
    update_settings,
    viewable_or_404,
)
from .reports import decide_report, moderate_tribute, open_reports, report
from .tributes import decide_tribute, leave_tribute, visible_tributes

__all__ = [
    "MemorialRefused",
    "accept_invitation",
    "can_view",
    "check_access_code",
    "create_memorial",
    "decide_report",
    "decide_tribute",
    "invite",
    "is_keeper",
    "kept_or_404",
    "leave_tribute",
    "matched_words",
    "moderate_tribute",
    "open_reports",
    "orders_matching",
    "pending_invitations",
    "report",
    "update_memorial",
    "update_settings",
    "viewable_or_404",
    "visible_tributes",
]
