from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "orgs.credit"
    label = "credit"
    verbose_name = _("社会组织信用")

    def ready(self):
        from accounts import groups
        from accounts.permissions import register_policy
        from accounts.workbench import register_panels
        from core.navigation import register_section
        from orgs.registry.panels import membership_panels
        from orgs.registry.profile import register_section as register_profile_section

        from . import warnings
        from .models import Objection
        from .profile import profile_context

        register_section("credit", _("信用查询"), "credit:index", order=25)
        from core.opendata import Dataset, register_dataset

        from .opendata import DATASET_KEY

        register_dataset(
            Dataset(
                key=DATASET_KEY,
                title=_("社会组织信用名录"),
                description=_(
                    "活动异常名录和严重违法失信名单的每一条列入记录：组织、列入事由、列入和移出日期及决定书文号。"
                ),
                formats={"csv": "credit:lists_csv", "json": "credit:lists_json"},
                order=25,
                api="api:credit-list",
                sections=("orgs",),
            )
        )
        register_profile_section(
            "credit", _("信用信息"), "credit/profile_section.html", profile_context, order=30
        )
        register_panels(
            membership_panels(
                "credit_workbench:home",
                title=_("%(org)s · 信用信息"),
                description=_("查看预警、信用记录和名录情况，对信用记录提出异议"),
                kind=_("信用"),
            )
        )
        register_policy(
            Objection,
            can_manage=lambda user, objection: objection.organization.memberships.filter(user=user).exists(),
            scope=lambda user, queryset: queryset.filter(organization__memberships__user=user).distinct(),
        )
        warnings.register()
        groups.grant(
            groups.SOCIAL_ORG_SECTION,
            "core.view_earlywarning",
            "credit.add_creditrecord",
            "credit.view_creditrecord",
            "credit.add_listentry",
            "credit.change_listentry",
            "credit.view_listentry",
            "credit.change_proposal",
            "credit.view_proposal",
            "credit.add_rating",
            "credit.view_rating",
            "credit.change_objection",
            "credit.view_objection",
        )
