"""Incubator rules (issue 16), one module per use case:

| module | what | rules |
|---|---|---|
| ``eligibility`` | the criteria engine: each criterion checked against the registry, reports and credit, explained | I1 |
| ``applications`` | submitting an application (eligible only), the review transitions, withdrawing | I1 |
| ``founding_eligibility`` | the same criteria for a founding group (筹备中), from what it plans, the registry and its applicant's affiliations | I1 |
| ``panel`` | panel scoring: weighted rubric, conflicts of interest, the complete panel a decision needs | I1 |
"""
