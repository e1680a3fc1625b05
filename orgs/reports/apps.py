from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _report_panels(user):
    from django.urls import reverse

    from accounts.workbench import Panel
    from orgs.registry.services import memberships_for

    return [
        Panel(
            title=str(_("%(org)s · 年度报告") % {"org": membership.organization.name}),
            url=reverse("reports_workbench:list", args=[membership.organization.uscc]),
            description=str(_("在线填报年度报告、上传附件、下载报送回执")),
            kind=str(_("年度报告")),
        )
        for membership in memberships_for(user)
    ]


class ReportsConfig(AppConfig):
    name = "orgs.reports"
    label = "reports"
    verbose_name = _("年度报告")

    def ready(self):
        from accounts import groups
        from accounts.permissions import register_policy
        from accounts.workbench import register_panels
        from core.dates import register_calendar
        from orgs.registry.profile import register_section

        from .holidays import calendar_days
        from .models import AnnualReport
        from .profile import profile_context

        register_calendar(calendar_days)
        register_section("reports", _("年度报告"), "reports/profile_section.html", profile_context, order=20)
        register_panels(_report_panels)
        register_policy(
            AnnualReport,
            can_manage=lambda user, report: report.organization.memberships.filter(user=user).exists(),
            scope=lambda user, queryset: queryset.filter(organization__memberships__user=user).distinct(),
        )
        groups.grant(
            groups.SOCIAL_ORG_SECTION,
            "reports.view_annualreport",
            "reports.change_annualreport",
            "reports.view_reportsubmission",
            "reports.add_calendarday",
            "reports.change_calendarday",
            "reports.delete_calendarday",
            "reports.view_calendarday",
        )
