"""The memorials app's models (M1).

- ``memorials``: ``Memorial`` (the deceased, the resting place, the provenance, visibility and
  the bureau's status), its ``MemorialMember`` rows (keeper, co-keepers, invited visitors),
  ``MemorialInvitation`` (to a mobile number, accepted by the account holding it) and
  ``AccessAttempt`` (the throttle of a private memorial's access code) and
  ``AnniversaryReminder`` (one yearly SMS per opted-in keeper);
- ``photos``: ``MemorialPhoto`` (a keeper's photo: a private file, metadata stripped, served
  only as the memorial's visibility allows, checked against its SHA-256);
- ``tributes``: ``Tribute`` (a free flower, candle or message: no price, no ranking) and
  ``MemorialReport`` (anyone's report of a message or a memorial, the bureau's queue).
"""

from .memorials import (
    AccessAttempt,
    AnniversaryReminder,
    MemberRole,
    Memorial,
    MemorialInvitation,
    MemorialMember,
    MemorialQuerySet,
    MemorialStatus,
    RestingKind,
    Visibility,
)
from .photos import MemorialPhoto, PhotoType
from .tributes import MemorialReport, ReportStatus, Tribute, TributeKind, TributeStatus

__all__ = [
    "AccessAttempt",
    "AnniversaryReminder",
    "MemberRole",
    "Memorial",
    "MemorialInvitation",
    "MemorialMember",
    "MemorialPhoto",
    "MemorialQuerySet",
    "MemorialReport",
    "MemorialStatus",
    "PhotoType",
    "ReportStatus",
    "RestingKind",
    "Tribute",
    "TributeKind",
    "TributeStatus",
    "Visibility",
]
