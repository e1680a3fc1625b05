from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MemorialsConfig(AppConfig):
    """Online memorials (网上祭扫, M1): real-name memorials for the deceased, with public,
    unlisted or private visibility, free tributes and moderation.

    ``orders`` ← ``memorials``: a memorial may cite a certificate or an order of the family's;
    neither orders nor the catalogue imports this app. Booked cemetery visits (预约祭扫, M3) are
    the sibling app ``marketplace.memorials.visits``.
    """

    name = "marketplace.memorials"
    label = "memorials"
    verbose_name = _("网上祭扫")

    def ready(self):
        from accounts.groups import FUNERAL_SECTION, grant
        from core.navigation import register_account_link, register_section

        register_section("memorials", _("网上祭扫"), "memorials:index", order=12)
        register_account_link("memorials", _("我的纪念馆"), "memorials:mine", order=30)
        # The bureau's funeral section moderates reports (wagtail_hooks.py).
        grant(
            FUNERAL_SECTION,
            "memorials.view_memorialreport",
            "memorials.change_memorialreport",
            "memorials.view_tribute",
            "memorials.change_tribute",
        )
