"""The incubator (网上孵化器, issue 16): programmes with machine-checkable criteria (I1), and
organisations' applications to them, reviewed by the bureau through an explicit transition
table.

A programme's criteria are structured fields, never free text, so that
:mod:`orgs.incubator.services.eligibility` can check each one against the registry, the annual
reports and the credit record, and explain it. The criteria live on an abstract model so that
the resource pool's offers can carry the same ones.

The models are split by part of the incubator; everything is importable from here, as it
was when this was one module (migration 0003 names ``orgs.incubator.models.evidence_path``).
"""

from .milestones import EVIDENCE_CONTENT, EvidenceState, Milestone, MilestoneEvidence, evidence_path
from .panel import PanelReview, RubricItem
from .pool import (
    OFFER_TRANSITIONS,
    OS,
    Award,
    Need,
    Offer,
    OfferApplication,
    OfferApplicationState,
    OfferKind,
    OfferQuerySet,
)
from .programmes import (
    ACTIVE_CONDITION,
    APPLICANT_ACTIONS,
    LIST_CRITERIA,
    OPEN_STATES,
    PANEL_DECISIONS,
    PLACE_STATES,
    REASON_REQUIRED,
    TRANSITIONS,
    Application,
    ApplicationState,
    Criteria,
    FoundingGroup,
    Programme,
    ProgrammeKind,
    ProgrammeQuerySet,
    S,
)

__all__ = [
    "ACTIVE_CONDITION",
    "APPLICANT_ACTIONS",
    "EVIDENCE_CONTENT",
    "LIST_CRITERIA",
    "OFFER_TRANSITIONS",
    "OPEN_STATES",
    "OS",
    "PANEL_DECISIONS",
    "PLACE_STATES",
    "REASON_REQUIRED",
    "TRANSITIONS",
    "Application",
    "ApplicationState",
    "Award",
    "Criteria",
    "EvidenceState",
    "FoundingGroup",
    "Milestone",
    "MilestoneEvidence",
    "Need",
    "Offer",
    "OfferApplication",
    "OfferApplicationState",
    "OfferKind",
    "OfferQuerySet",
    "PanelReview",
    "Programme",
    "ProgrammeKind",
    "ProgrammeQuerySet",
    "RubricItem",
    "S",
    "evidence_path",
]
