"""Charity disclosure's public changes (issue 19, the change feed), discovered by ``api``.

- ``project.published``: a charity project is created (projects are public from creation,
  ``/charity/projects/<id>/``);
- ``donation.published``: a donation record is published — imported (``imports.checking.confirm``
  writes with ``bulk_create`` and hands the rows to :func:`api.changes.saved`), entered by the
  charity (``services.publish``) or given online (``giving.record_gift``);
- ``donation.corrected``: a correction record is published (by the charity, or by a refund,
  ``giving.record_refund``).

A donor's name is never part of a change, anonymous or not: the title names the project, the
amount and the date, and the receipt number that keys the donation in the API.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.changes import Change, register_kind, url_or_blank, watch
from core.money import format_money

from .models import CharityProject, Donation

PROJECT_PUBLISHED = "project.published"
DONATION_PUBLISHED = "donation.published"
DONATION_CORRECTED = "donation.corrected"

register_kind(PROJECT_PUBLISHED, _("慈善项目公开"))
register_kind(DONATION_PUBLISHED, _("捐赠记录公开"))
register_kind(DONATION_CORRECTED, _("捐赠记录更正"))


def describe_project(project, created, previous):
    if not created:
        return None
    organization = project.organization

    def title():
        return gettext("%(org)s 公开慈善项目“%(project)s”（%(start)s 至 %(end)s）") % {
            "org": organization.name,
            "project": project.name,
            "start": project.starts_on.isoformat(),
            "end": project.ends_on.isoformat(),
        }

    return Change(
        kind=PROJECT_PUBLISHED,
        key=f"{PROJECT_PUBLISHED}:{project.pk}",
        subject=organization.uscc,
        title=title,
        html_url=url_or_blank("charity:project", pk=project.pk),
        api_url=url_or_blank("api:charity-project-detail", pk=project.pk),
        occurred_at=project.created_at,
    )


def _amount(donation):
    if donation.kind == Donation.Kind.IN_KIND:
        return gettext("物资（估值 ¥%(amount)s）") % {"amount": format_money(donation.amount)}
    return "¥" + format_money(donation.amount)


def _donation_api_url(donation, organization):
    # Receipt numbers are unique per organisation: the organisation tells two apart.
    url = url_or_blank("api:charity-donation-detail", receipt_number=donation.receipt_number)
    return f"{url}?organization={organization.uscc}" if url else ""


def describe_donation(donation, created, previous):
    if not created:
        return None
    project = donation.project
    organization = project.organization
    if donation.corrects_id is None:
        kind = DONATION_PUBLISHED

        def title():
            return gettext("“%(project)s”收到捐赠 %(amount)s（%(date)s，票据号 %(receipt)s）") % {
                "project": project.name,
                "amount": _amount(donation),
                "date": donation.donated_on.isoformat(),
                "receipt": donation.receipt_number,
            }

    else:
        kind = DONATION_CORRECTED

        def title():
            return gettext("“%(project)s”的捐赠记录（票据号 %(receipt)s）更正为 %(amount)s") % {
                "project": project.name,
                "amount": _amount(donation),
                "receipt": donation.receipt_number,
            }

    return Change(
        kind=kind,
        key=f"{kind}:{donation.pk}",
        subject=organization.uscc,
        title=title,
        html_url=url_or_blank("charity:project", pk=project.pk),
        api_url=_donation_api_url(donation, organization),
        occurred_at=donation.created_at,
    )


watch(CharityProject, describe_project)
watch(Donation, describe_donation)
