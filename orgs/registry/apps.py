from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _org_panels(user):
    from django.urls import reverse

    from accounts.workbench import Panel

    from .services import memberships_for

    return [
        Panel(
            title=membership.organization.name,
            url=reverse("registry_workbench:home", args=[membership.organization.uscc]),
            description=str(_("维护机构信息、管理成员")),
            kind=str(membership.get_role_display()),
        )
        for membership in memberships_for(user)
    ]


def _accept_invitations(sender, request, user, **kwargs):
    from .services import accept_pending_invitations

    accept_pending_invitations(user)


class RegistryConfig(AppConfig):
    name = "orgs.registry"
    label = "registry"
    verbose_name = _("社会组织登记")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from accounts import groups
        from accounts.permissions import register_policy
        from accounts.workbench import register_panels
        from core.navigation import register_section
        from core.opendata import Dataset, register_dataset

        from .models import Organization

        register_section("orgs", _("社会组织"), "registry:index", order=20)
        register_panels(_org_panels)
        register_dataset(
            Dataset(
                key="social-organisations",
                title=_("社会组织名录"),
                description=_(
                    "在本市各级民政部门登记的社会组织的登记信息：统一社会信用代码、名称、类型、登记管理机关、状态等。"
                ),
                formats={"csv": "registry:export_csv", "json": "registry:export_json"},
                order=20,
                api="api:organisation-list",
                sections=("orgs",),
            )
        )
        register_policy(
            Organization,
            can_manage=lambda user, org: org.memberships.filter(user=user).exists(),
            scope=lambda user, queryset: queryset.filter(memberships__user=user).distinct(),
        )
        groups.grant(
            groups.SOCIAL_ORG_SECTION,
            "registry.add_organization",
            "registry.change_organization",
            "registry.view_organization",
            "registry.add_registrychange",
            "registry.view_registrychange",
            "registry.add_supervisingunit",
            "registry.change_supervisingunit",
            "registry.view_supervisingunit",
            "registry.add_invitation",
            "registry.view_invitation",
        )
        user_logged_in.connect(_accept_invitations, dispatch_uid="registry.accept_invitations")
