from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_member(user, organization_id):
    from orgs.registry.services import memberships_for

    return any(m.organization_id == organization_id for m in memberships_for(user))


class IncubatorConfig(AppConfig):
    name = "orgs.incubator"
    label = "incubator"
    verbose_name = _("孵化培育")

    def ready(self):
        from accounts import groups
        from accounts.permissions import register_policy
        from accounts.workbench import register_panels
        from core.navigation import register_section
        from core.opendata import Dataset, register_dataset
        from orgs.registry.panels import membership_panels
        from orgs.registry.profile import register_section as register_profile_section

        from . import warnings
        from .models import Application, Need, OfferApplication
        from .profile import profile_context

        register_section("incubator", _("孵化培育"), "incubator:index", order=35)
        register_profile_section(
            "incubator", _("孵化培育"), "incubator/profile_section.html", profile_context, order=50
        )
        warnings.register()
        register_panels(
            membership_panels(
                "incubator_workbench:home",
                title=_("%(org)s · 孵化培育"),
                description=_("查看可申请的孵化项目和本机构的资格核验结果，在线申请并跟踪审核进度"),
                kind=_("孵化培育"),
            )
        )
        for model in (Application, OfferApplication, Need):
            register_policy(
                model,
                can_manage=lambda user, record: _is_member(user, record.organization_id),
                scope=lambda user, queryset: queryset.filter(organization__memberships__user=user).distinct(),
            )
        register_dataset(
            Dataset(
                key="incubator-grants",
                title=_("孵化培育资源授予"),
                description=_(
                    "资源配置平台的每一项授予：政府购买服务、基金会资助、场地和专业服务，"
                    "含金额、期限、获得机构和提供方；字段名采用 360Giving 数据标准。"
                ),
                formats={"csv": "incubator:grants_csv", "json": "incubator:grants_json"},
                order=50,
                sections=("orgs",),
            )
        )
        groups.grant(
            groups.SOCIAL_ORG_SECTION,
            "incubator.add_programme",
            "incubator.change_programme",
            "incubator.view_programme",
            "incubator.view_application",
            "incubator.change_application",
            "incubator.score_application",
            "incubator.add_rubricitem",
            "incubator.change_rubricitem",
            "incubator.view_rubricitem",
            "incubator.add_offer",
            "incubator.change_offer",
            "incubator.view_offer",
            "incubator.view_offerapplication",
            "incubator.change_offerapplication",
            "incubator.view_need",
            "incubator.add_milestone",
            "incubator.change_milestone",
            "incubator.delete_milestone",
            "incubator.view_milestone",
        )
