"""Early warnings (预警), shared by every app that needs them.

An app registers a *warning source* in its ``AppConfig.ready()``::

    from core.warnings import WarningSpec, register_warning_source

    def overdue_reports(today):
        for report in ...:
            yield WarningSpec(
                subject=report.organization,
                detail_key=str(report.year),
                reason="2025 年度报告已逾期",
                deadline=report.deadline,
                how_to_clear="报送年度报告",
                organisation_uscc=report.organization.uscc,
            )

    register_warning_source("reports.overdue", _("年度报告逾期"), overdue_reports)

``compute_func(today)`` yields the warnings that should be open on ``today``.
``EarlyWarning.objects.refresh(today=…, kinds=…)`` (run daily by ``manage.py
run_credit_rules`` and its task) opens new warnings, keeps existing ones without duplicating them (updating
their text and deadline) and clears the ones no source produces any more.
Staff see their organisation's open warnings (``EarlyWarning.objects.open()
.for_organisation(uscc)``); the bureau sees all of them in the Wagtail admin.

This module is the registry only and imports no model, so ``core.models`` can import it.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WarningSpec:
    subject: Any  # a saved model instance
    reason: str
    deadline: datetime.date
    how_to_clear: str
    detail_key: str = ""
    subject_label: str = ""
    organisation_uscc: str = ""
    owner_key: str = ""
    link: str = ""


@dataclass(frozen=True)
class WarningSource:
    kind: str
    label: Any  # a lazy translation
    compute: Callable[[datetime.date], Iterable[WarningSpec]]


@dataclass
class RefreshResult:
    opened: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    cleared: list = field(default_factory=list)

    def __str__(self):
        return f"opened {len(self.opened)}, kept {len(self.kept)}, cleared {len(self.cleared)}"


_sources: dict[str, WarningSource] = {}


def register_warning_source(kind, label, compute_func):
    _sources[kind] = WarningSource(kind=kind, label=label, compute=compute_func)


def registered_sources():
    return dict(_sources)


def kind_choices():
    return [(source.kind, source.label) for source in sorted(_sources.values(), key=lambda s: s.kind)]


def kind_label(kind):
    source = _sources.get(kind)
    return source.label if source else kind
