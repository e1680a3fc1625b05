"""A registry of the site's main sections.

Only apps that are built register a section (in ``AppConfig.ready()``), so the
navigation never links to something that does not exist. Lower apps don't need to
know about higher ones: the header reads this registry.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    key: str
    label: str  # a lazy translation
    url_name: str
    order: int = 100

    @property
    def url(self):
        return reverse(self.url_name)


_sections: dict[str, Section] = {}


def register_section(key, label, url_name, order=100):
    _sections[key] = Section(key=key, label=label, url_name=url_name, order=order)


def main_sections():
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


# Links on a signed-in person's account page (我的订单, 我的捐赠, …), registered by higher apps.
_account_links: dict[str, Section] = {}


def register_account_link(key, label, url_name, order=100):
    _account_links[key] = Section(key=key, label=label, url_name=url_name, order=order)


def account_links():
    return sorted(_account_links.values(), key=lambda link: (link.order, link.key))
