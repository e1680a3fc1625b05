"""The organisation profile page combines sections from higher apps.

A higher app (reports now; credit and charity later) registers a section in its
``AppConfig.ready()``::

    register_section("reports", _("年度报告"), "reports/profile_section.html", context_func, order=20)

``context_func(organization, request)`` returns a dict for the section's template, or
``None`` to leave the section out. It is called once per page view for one
organisation, so it should fetch what it needs in a constant number of queries.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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
