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
``refresh_warnings(today)`` (run daily by ``manage.py run_credit_rules`` and its
task) opens new warnings, keeps existing ones without duplicating them (updating
their text and deadline) and clears the ones no source produces any more.
Staff see their organisation's open warnings (``EarlyWarning.objects.open()
.for_organisation(uscc)``); the bureau sees all of them in the Wagtail admin.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone, translation


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


def _key(kind, content_type_id, object_id, detail_key):
    return (kind, content_type_id, str(object_id), detail_key or "")


def _other_language_texts(source, today):
    """{key: {language: {"reason": …, "how_to_clear": …}}} for every site language but the
    default, computed by running the source again in that language: warnings are stored
    once and read in Chinese or English."""
    texts = {}
    for language, _name in settings.LANGUAGES:
        if language == settings.LANGUAGE_CODE:
            continue
        with translation.override(language):
            for spec in source.compute(today):
                content_type = ContentType.objects.get_for_model(spec.subject)
                key = _key(source.kind, content_type.pk, spec.subject.pk, spec.detail_key)
                texts.setdefault(key, {}).setdefault(
                    language, {"reason": str(spec.reason), "how_to_clear": str(spec.how_to_clear)}
                )
    return texts


@transaction.atomic
def refresh_warnings(today=None, kinds=None):
    """Bring the open warnings in line with what the sources produce on ``today``.

    Only the kinds whose source ran are cleared, so an unregistered kind keeps its rows.
    ``reason`` and ``how_to_clear`` are stored in the default language (Chinese), and in
    every other site language in ``translations``."""
    from .models import EarlyWarning

    today = today or timezone.localdate()
    result = RefreshResult()
    sources = [source for kind, source in _sources.items() if kinds is None or kind in kinds]
    for source in sources:
        other_languages = _other_language_texts(source, today)
        existing = {
            _key(w.kind, w.content_type_id, w.object_id, w.detail_key): w
            for w in EarlyWarning.objects.select_for_update().filter(
                kind=source.kind, cleared_on__isnull=True
            )
        }
        seen = set()
        with translation.override(settings.LANGUAGE_CODE):
            specs = list(source.compute(today))
        for spec in specs:
            content_type = ContentType.objects.get_for_model(spec.subject)
            key = _key(source.kind, content_type.pk, spec.subject.pk, spec.detail_key)
            if key in seen:
                continue
            seen.add(key)
            values = {
                "subject_label": (spec.subject_label or str(spec.subject))[:200],
                "organisation_uscc": spec.organisation_uscc,
                "owner_key": spec.owner_key,
                "reason": str(spec.reason),
                "deadline": spec.deadline,
                "how_to_clear": str(spec.how_to_clear),
                "link": spec.link,
                "translations": other_languages.get(key, {}),
            }
            warning = existing.get(key)
            if warning is None:
                warning = EarlyWarning.objects.create(
                    kind=source.kind,
                    content_type=content_type,
                    object_id=str(spec.subject.pk),
                    detail_key=spec.detail_key or "",
                    raised_on=today,
                    last_seen_on=today,
                    **values,
                )
                result.opened.append(warning)
                continue
            changed = [name for name, value in values.items() if getattr(warning, name) != value]
            for name in changed:
                setattr(warning, name, values[name])
            warning.last_seen_on = today
            warning.save(update_fields=[*changed, "last_seen_on"])
            result.kept.append(warning)
        for key, warning in existing.items():
            if key not in seen:
                warning.cleared_on = today
                warning.save(update_fields=["cleared_on"])
                result.cleared.append(warning)
    return result
