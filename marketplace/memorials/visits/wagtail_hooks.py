"""The bureau's side of booked visits in the Wagtail admin: festival periods (M3's peak shares
and per-ID limit) and the audit actions of bookings."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin_queues import SafeExportIndexView

from . import admin_load
from .models import FestivalPeriod
from .services import ACTION_BOOKED, ACTION_PASS


class FestivalPeriodViewSet(ModelViewSet):
    model = FestivalPeriod
    icon = "date"
    menu_label = _("祭扫高峰期")
    menu_order = 215
    add_to_admin_menu = True
    index_view_class = SafeExportIndexView
    list_display = ["name", "starts_on", "ends_on", "bookings_per_id", "outdoor_share", "indoor_share"]
    list_export = ["name", "starts_on", "ends_on", "bookings_per_id", "outdoor_share", "indoor_share"]
    export_headings = {
        "name": _("名称"),
        "starts_on": _("开始日期"),
        "ends_on": _("结束日期"),
        "bookings_per_id": _("每个证件可预约次数"),
        "outdoor_share": _("室外容量比例"),
        "indoor_share": _("室内容量比例"),
    }
    export_filename = "festival-periods"
    form_fields = ["name", "starts_on", "ends_on", "bookings_per_id", "outdoor_share", "indoor_share"]
    copy_view_enabled = False


@hooks.register("register_admin_viewset")
def register_visits_admin():
    return FestivalPeriodViewSet("memorial_visits_period")


@hooks.register("register_log_actions")
def register_visit_actions(actions):
    actions.register_action(ACTION_BOOKED, _("预约祭扫"), _("家属预约祭扫场次"))
    actions.register_action(ACTION_PASS, _("出具预约凭证"), _("出具预约祭扫凭证"))


@hooks.register("register_admin_urls")
def register_load_urls():
    return [path("visits/load/", include((admin_load.urlpatterns, "memorial_visits_admin")))]


class LoadMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_load.VIEW)


@hooks.register("register_admin_menu_item")
def register_load_menu_item():
    return LoadMenuItem(_("祭扫预约负荷"), reverse("memorial_visits_admin:load"), icon_name="date", order=216)
