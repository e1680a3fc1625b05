"""The organisation profile page combines sections from higher apps.

A higher app (reports now; credit and charity later) registers a section in its
``AppConfig.ready()``::

    register_section("reports", _("年度报告"), "reports/profile_section.html", context_func, order=20)

``context_func(organization, request)`` returns a dict for the section's template, or
``None`` to leave the section out. It is called once per page view for one
organisation, so it should fetch what it needs in a constant number of queries.

A section may also put a list of ``SummaryFact`` under the key ``"summary"``: the
status summary at the top of the profile shows them (a warning first, then by
``order``), built from what the section already fetched, so it costs no query.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import OrgStatus, RegistryChange


@dataclass(frozen=True)
class ProfileSection:
    key: str
    title: Any  # a lazy translation
    template: str
    context_func: Callable
    order: int = 100


@dataclass(frozen=True)
class RenderedSection:
    section: ProfileSection
    context: dict

    @property
    def key(self):
        return self.section.key

    @property
    def title(self):
        return self.section.title

    @property
    def template(self):
        return self.section.template


class Tone:
    """How a summary fact reads. A warning carries the word 警示 and an icon, never colour alone."""

    WARNING = "warning"
    OK = "ok"
    NEUTRAL = "neutral"


@dataclass(frozen=True)
class SummaryFact:
    """One line of the status summary: "登记状态：正常", or a warning with its reason and date."""

    label: Any
    value: Any
    tone: str = Tone.NEUTRAL
    detail: Any = ""
    link: str = ""
    link_text: Any = ""
    order: int = 100

    @property
    def is_warning(self):
        return self.tone == Tone.WARNING


_sections: dict[str, ProfileSection] = {}


def register_section(key, title, template, context_func, order=100):
    _sections[key] = ProfileSection(
        key=key, title=title, template=template, context_func=context_func, order=order
    )


def registered_sections():
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def sections_for(organization, request=None):
    rendered = []
    for section in registered_sections():
        context = section.context_func(organization, request)
        if context is not None:
            rendered.append(RenderedSection(section=section, context=context))
    return rendered


def summary_for(rendered, own=()):
    """The facts for the status summary: the registry's ``own`` and every rendered
    section's ``summary``; warnings first, then by each fact's ``order``."""
    facts = list(own)
    for section in rendered:
        facts.extend(section.context.get("summary") or ())
    return sorted(facts, key=lambda fact: (not fact.is_warning, fact.order))


def registration_fact(organization, changes):
    """The registry's own line: the registration status, since when. ``changes`` are the
    organisation's registry changes already loaded for the page (newest first or not)."""
    status_changes = [c for c in changes if c.item == RegistryChange.Item.STATUS]
    since = max((c.changed_on for c in status_changes), default=organization.registered_on)
    when = date_format(since, "Y-m-d")
    if organization.status == OrgStatus.NORMAL:
        detail = (
            _("%(date)s 核准变更") % {"date": when}
            if status_changes
            else _("%(date)s 成立登记") % {"date": when}
        )
        tone = Tone.OK
    else:
        detail = _("%(date)s 核准变更") % {"date": when}
        tone = Tone.WARNING
    return SummaryFact(
        label=_("登记状态"), value=organization.get_status_display(), tone=tone, detail=detail, order=10
    )
