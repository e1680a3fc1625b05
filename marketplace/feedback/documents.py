"""The feedback app's search documents (autodiscovered by ``search``): published reviews only.
Complaints are never searchable (R2)."""

from . import review_documents  # noqa: F401
