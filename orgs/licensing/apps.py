from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "orgs.licensing"
    label = "licensing"
    verbose_name = _("电子证照")

    def ready(self):
        from accounts import groups
        from accounts.workbench import register_panels
        from orgs.registry.panels import membership_panels
        from orgs.registry.profile import register_section as register_profile_section
        from orgs.registry.services import on_registration_change

        from . import warnings
        from .profile import profile_context
        from .services import on_registration_change as issue_on_change

        on_registration_change(issue_on_change)
        register_profile_section(
            "licence", _("电子证照"), "licensing/profile_section.html", profile_context, order=15
        )
        register_panels(
            membership_panels(
                "licensing_workbench:home",
                title=_("%(org)s · 电子证照"),
                description=_("下载本机构的电子登记证书，查看历次版本和核验码"),
                kind=_("电子证照"),
            )
        )
        groups.grant(groups.SOCIAL_ORG_SECTION, "licensing.add_licence", "licensing.view_licence")
        groups.grant(
            groups.SOCIAL_ORG_SECTION,
            "licensing.view_registrationapplication",
            "licensing.change_registrationapplication",
        )
        warnings.register()
