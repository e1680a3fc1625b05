"""What the registry shows in the site-wide search: every registered organisation, with the
registry facts its public profile (/orgs/<uscc>/) and the open data already show."""

from django.utils.translation import gettext_lazy as _

from search.registry import DocumentType, Entry, display, register
from search.text import join

from .models import Organization


def organization_entry(org):
    return Entry(
        title=org.name,
        body=join(
            f"统一社会信用代码：{org.uscc}",
            display(org, "org_type"),
            f"登记状态：{display(org, 'status')}",
            display(org, "registration_authority"),
            org.supervising_unit.name if org.supervising_unit else "",
            display(org, "district"),
            org.domicile,
            f"法定代表人：{org.legal_representative}",
            org.business_scope,
            org.introduction,
        ),
        url=org.get_absolute_url(),
        date=org.registered_on,
        district=display(org, "district"),
        extra=join(org.uscc, display(org, "org_type"), display(org, "status"), sep=" · "),
    )


register(
    DocumentType(
        key="organization",
        label=_("社会组织"),
        model=Organization,
        queryset=lambda: Organization.objects.select_related("supervising_unit"),
        entry=organization_entry,
        order=20,
    )
)
