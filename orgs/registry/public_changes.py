"""The registry's public changes (issue 19, the change feed), discovered by ``api``.

- ``registration.changed``: a change registration (变更登记) is recorded for an organisation.
  The profile (``/orgs/<uscc>/``) shows every change with its before and after values; the feed
  names the item and the date (the values are on the page and in the API).
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.changes import Change, register_kind, url_or_blank, watch

from .models import Organization, RegistryChange

REGISTRATION_CHANGED = "registration.changed"


def _organisation_exists(uscc):
    return Organization.objects.filter(uscc=uscc).exists()


register_kind(REGISTRATION_CHANGED, _("变更登记"), subject_exists=_organisation_exists)


def describe_change(change, created, previous):
    if not created:
        return None
    organization = change.organization

    def title():
        return gettext("%(org)s 变更登记：%(item)s（%(date)s 核准）") % {
            "org": organization.name,
            "item": change.get_item_display(),
            "date": change.changed_on.isoformat(),
        }

    return Change(
        kind=REGISTRATION_CHANGED,
        key=f"{REGISTRATION_CHANGED}:{change.pk}",
        subject=organization.uscc,
        title=title,
        html_url=url_or_blank("registry:detail", uscc=organization.uscc),
        api_url=url_or_blank("api:organisation-detail", uscc=organization.uscc),
    )


watch(RegistryChange, describe_change)
