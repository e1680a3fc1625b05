"""What charity disclosure shows in the site-wide search: projects and current donations.

C4: a donation's entry names the donor only through ``Donation.public_donor_name`` (匿名 for an
anonymous donor), exactly as the project page and the open data do; ``donor_name`` is never
read here. Only current rows are indexed: a correction supersedes the row it corrects, and the
superseded row leaves the index.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.registry.models import Organization
from search.registry import DocumentType, Entry, display, register
from search.text import join

from .models import CharityProject, Donation


def _pks(queryset):
    return list(queryset.values_list("pk", flat=True))


def project_entry(project):
    return Entry(
        title=project.name,
        body=join(
            project.organization.name,
            project.description,
            f"受益地区：{display(project, 'area')}",
            display(project, "status"),
            f"募捐方案备案号：{project.plan_filing_number}" if project.plan_filing_number else "",
        ),
        url=reverse("charity:project", args=[project.pk]),
        date=project.starts_on,
        district=display(project, "area"),
        extra=join(project.organization.name, display(project, "status"), sep=" · "),
    )


def donation_entry(donation):
    donor = donation.public_donor_name  # C4: never donation.donor_name
    project = donation.project
    return Entry(
        title=f"{donor} 捐赠 · {project.name}",
        body=join(
            f"捐赠人：{donor}",
            donation.organization.name,
            project.name,
            display(donation, "kind"),
            donation.in_kind_description,
            f"金额或估值 {donation.amount} 元",
            display(donation, "channel"),
            f"票据号：{donation.receipt_number}",
        ),
        url=reverse("charity:project", args=[project.pk]),
        date=donation.donated_on,
        district=display(project, "area"),
        extra=join(f"{donation.amount} 元", donation.organization.name, sep=" · "),
    )


register(
    DocumentType(
        key="charity_project",
        label=_("慈善项目"),
        model=CharityProject,
        queryset=lambda: CharityProject.objects.select_related("organization"),
        entry=project_entry,
        order=30,
        depends_on={Organization: lambda org: _pks(CharityProject.objects.filter(organization=org))},
        depends_on_fields={Organization: ("name",)},
    )
)

register(
    DocumentType(
        key="donation",
        label=_("慈善捐赠"),
        model=Donation,
        queryset=lambda: Donation.objects.current().select_related("project", "organization"),
        entry=donation_entry,
        order=40,
        numerous=True,
        depends_on={
            # A correction supersedes the row it corrects: index that row again (it leaves the index).
            Donation: lambda donation: [donation.corrects_id],
            CharityProject: lambda project: _pks(Donation.objects.filter(project=project)),
            Organization: lambda org: _pks(Donation.objects.filter(organization=org)),
        },
        depends_on_fields={CharityProject: ("name", "area"), Organization: ("name",)},
    )
)
