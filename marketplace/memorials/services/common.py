"""What the memorial services share: the refusal error, hashed client addresses and the
bureau's sensitive-word list.

The word list is the one the bureau keeps for reviews (``feedback.SensitiveWord``, edited in
the admin under 服务评价 → 评价敏感词). The feedback app's ``matched_words`` can't be imported
from here (``scripts/check_imports.py``: memorials and feedback are siblings above orders), so
the same table is read through Django's app registry, by label, when the feedback app is
installed; the matching is the same (case-insensitive substring)."""

import hashlib

from django.apps import apps
from django.core.exceptions import ValidationError


class MemorialRefused(ValidationError):
    """A rule of M1 refused the operation; the message says why, in the user's language."""


def ip_hash(ip):
    return hashlib.sha256(f"memorials:{ip or ''}".encode()).hexdigest()


def matched_words(text):
    """The bureau's sensitive words that occur in ``text`` (case-insensitive)."""
    if not text or not apps.is_installed("marketplace.feedback"):
        return []
    words = apps.get_model("feedback", "SensitiveWord").objects.values_list("word", flat=True)
    lowered = text.casefold()
    return [word for word in words if word.casefold() in lowered]
