from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LicensingConfig(AppConfig):
    name = "orgs.licensing"
    label = "licensing"
    verbose_name = _("电子证照")

    def ready(self):
        from accounts import groups
        from accounts.workbench import register_panels
        from core.statemachine import transitioned
        from orgs.registry.panels import membership_panels
        from orgs.registry.profile import register_section as register_profile_section
        from orgs.registry.services import on_registration_change

        from . import notifications, warnings
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
        register_panels(registration_panel)
        transitioned.connect(notifications.on_transition, dispatch_uid="licensing.registration_sms")


def registration_panel(user):
    """Everyone who may apply (a real-name, SMS-verified account) sees the registration entry."""
    from django.urls import reverse

    from accounts.workbench import Panel

    from .registration import can_apply

    if not can_apply(user):
        return []
    return [
        Panel(
            title=str(_("社会组织登记申请")),
            url=reverse("registration_workbench:index"),
            description=str(_("在线申请成立、变更或注销登记，上传材料，查看办理进度")),
            kind=str(_("登记申请")),
        )
    ]
