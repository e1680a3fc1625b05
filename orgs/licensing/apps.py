from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _licence_panels(user):
    from django.urls import reverse

    from accounts.workbench import Panel
    from orgs.registry.services import memberships_for

    return [
        Panel(
            title=str(_("%(org)s · 电子证照") % {"org": membership.organization.name}),
            url=reverse("licensing_workbench:home", args=[membership.organization.uscc]),
            description=str(_("下载本机构的电子登记证书，查看历次版本和核验码")),
            kind=str(_("电子证照")),
        )
        for membership in memberships_for(user)
    ]


class LicensingConfig(AppConfig):
    name = "orgs.licensing"
    label = "licensing"
    verbose_name = _("电子证照")

    def ready(self):
        from accounts import groups
        from accounts.workbench import register_panels
        from orgs.registry.profile import register_section as register_profile_section
        from orgs.registry.services import on_registration_change

        from .profile import profile_context
        from .services import on_registration_change as issue_on_change

        on_registration_change(issue_on_change)
        register_profile_section(
            "licence", _("电子证照"), "licensing/profile_section.html", profile_context, order=15
        )
        register_panels(_licence_panels)
        groups.grant(groups.SOCIAL_ORG_SECTION, "licensing.add_licence", "licensing.view_licence")
