"""The staff workbench (机构工作台) is one page that lists every membership a user
holds. Apps with memberships register a panel provider in ``AppConfig.ready()``;
the provider returns the panels (title, url, description) for a user.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    title: str
    url: str
    description: str = ""
    kind: str = ""


_providers: list[Callable] = []


def register_panels(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def panels_for(user):
    panels = []
    for provider in _providers:
        panels.extend(provider(user))
    return panels
