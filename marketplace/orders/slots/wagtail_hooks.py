"""The bureau's side of service slots in the Wagtail admin (F11): the load per funeral home."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import admin_load


@hooks.register("register_admin_urls")
def register_load_urls():
    return [path("slots/load/", include((admin_load.urlpatterns, "order_slots_admin")))]


class LoadMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(admin_load.VIEW)


@hooks.register("register_admin_menu_item")
def register_load_menu_item():
    return LoadMenuItem(_("殡仪馆档期负荷"), reverse("order_slots_admin:load"), icon_name="date", order=217)
