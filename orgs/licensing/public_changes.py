"""Registration's public changes (issue 19's change feed, issue 21), discovered by ``api``.

- ``registration.established``: an establishment applied for online is approved, and a new
  organisation is registered. (Its later changes and its deregistration are change registrations,
  which the registry's own ``registration.changed`` reports.)
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.changes import Change, register_kind, url_or_blank, watch
from orgs.registry.models import Organization

from .models import ApplicationKind, ApplicationStatus, RegistrationApplication

REGISTRATION_ESTABLISHED = "registration.established"


def _organisation_exists(uscc):
    return Organization.objects.filter(uscc=uscc).exists()


register_kind(REGISTRATION_ESTABLISHED, _("成立登记"), subject_exists=_organisation_exists)


def describe_application(application, created, previous):
    approved_now = (
        application.kind == ApplicationKind.ESTABLISH
        and application.status == ApplicationStatus.APPROVED
        and application.organization_id is not None
        and (previous or {}).get("status") != ApplicationStatus.APPROVED
    )
    if not approved_now:
        return None
    organization = application.organization

    def title():
        return gettext("%(org)s 准予成立登记（%(date)s）") % {
            "org": organization.name,
            "date": application.decided_on.isoformat(),
        }

    return Change(
        kind=REGISTRATION_ESTABLISHED,
        key=f"{REGISTRATION_ESTABLISHED}:{application.pk}",
        subject=organization.uscc,
        title=title,
        html_url=url_or_blank("registry:detail", uscc=organization.uscc),
        api_url=url_or_blank("api:organisation-detail", uscc=organization.uscc),
    )


watch(RegistrationApplication, describe_application, previous=("status",))
