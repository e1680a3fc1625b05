from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import PERMISSION, reindex_index, reindex_resume, reindex_start, reindex_stop


@hooks.register("register_admin_urls")
def register_reindex_urls():
    return [
        path("search-index/", reindex_index, name="search_admin_reindex"),
        path("search-index/start/", reindex_start, name="search_admin_reindex_start"),
        path("search-index/<int:pk>/resume/", reindex_resume, name="search_admin_reindex_resume"),
        path("search-index/<int:pk>/stop/", reindex_stop, name="search_admin_reindex_stop"),
    ]


class ReindexMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(PERMISSION)


@hooks.register("register_settings_menu_item")
def register_reindex_menu_item():
    return ReindexMenuItem(
        gettext_lazy("搜索索引重建"), reverse("search_admin_reindex"), icon_name="search", order=900
    )
