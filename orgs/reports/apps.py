from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "orgs.reports"
    label = "reports"
    verbose_name = _("年度报告")

    def ready(self):
        from accounts import groups
        from accounts.permissions import register_policy
        from accounts.workbench import register_panels
        from core.dates import register_calendar
        from orgs.registry.panels import membership_panels
        from orgs.registry.profile import register_section

        from .holidays import calendar_days
        from .models import AnnualReport
        from .profile import profile_context

        register_calendar(calendar_days)
        register_section("reports", _("年度报告"), "reports/profile_section.html", profile_context, order=20)
        register_panels(
            membership_panels(
                "reports_workbench:list",
                title=_("%(org)s · 年度报告"),
                description=_("在线填报年度报告、上传附件、下载报送回执"),
                kind=_("年度报告"),
            )
        )
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
