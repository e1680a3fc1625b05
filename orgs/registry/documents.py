"""What the registry shows in the site-wide search: every registered organisation, with the
registry facts its public profile (/orgs/<uscc>/) and the open data already show."""

from django.utils.translation import gettext_lazy as _

from search.registry import DocumentType, Entry, register
from search.text import join

from .models import Organization


def organization_entry(org):
    return Entry(
        title=org.name,
        body=join(
            f"统一社会信用代码：{org.uscc}",
            org.get_org_type_display(),
            f"登记状态：{org.get_status_display()}",
            org.get_registration_authority_display(),
            org.supervising_unit.name if org.supervising_unit else "",
            org.get_district_display(),
            org.domicile,
            f"法定代表人：{org.legal_representative}",
            org.business_scope,
            org.introduction,
        ),
        url=org.get_absolute_url(),
        date=org.registered_on,
        district=org.get_district_display(),
        extra=join(org.uscc, org.get_org_type_display(), org.get_status_display(), sep=" · "),
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
