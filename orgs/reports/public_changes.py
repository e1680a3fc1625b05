"""Annual reports' public changes (issue 19, the change feed), discovered by ``api``.

- ``report.accepted``: the bureau accepts a report with its conclusion (S3,
  ``services.review.accept_report`` writes the accepting ``ReviewDecision`` and moves the report
  to accepted in one transaction). Only accepted reports are public; a submitted or returned
  report, and a return's reasons, never reach the feed.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from api.changes import Change, register_kind, url_or_blank, watch

from .models import ReviewDecision

REPORT_ACCEPTED = "report.accepted"

register_kind(REPORT_ACCEPTED, _("年度报告审核通过"))


def describe_decision(decision, created, previous):
    if not created or decision.action != ReviewDecision.Action.ACCEPT:
        return None
    report = decision.submission.report
    organization = report.organization

    def title():
        return gettext("%(org)s %(year)s 年度报告审核通过，结论：%(conclusion)s") % {
            "org": organization.name,
            "year": report.year,
            "conclusion": decision.get_conclusion_display(),
        }

    return Change(
        kind=REPORT_ACCEPTED,
        key=f"{REPORT_ACCEPTED}:{report.pk}",  # accepted is final: once per report
        subject=organization.uscc,
        title=title,
        html_url=url_or_blank("registry:detail", uscc=organization.uscc),
        api_url=url_or_blank("api:annual-report-detail", key=f"{organization.uscc}-{report.year}"),
        occurred_at=decision.decided_at,
    )


watch(ReviewDecision, describe_decision)
