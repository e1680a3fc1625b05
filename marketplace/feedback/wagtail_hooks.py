"""The bureau's admin for reviews and complaints: each half registers its own viewsets."""

from . import admin_complaints, admin_reviews  # noqa: F401
