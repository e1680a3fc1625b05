"""Every page of the bureau's admin that takes no object id answers without a server error,
for the superuser: listings, dashboards, reports, "add" forms and choosers (issue 23, point 8:
the contract-template listing answered 500 for everyone). Each listing is walked with a row
in it where the platform seeds one, since a column that can't be looked up fails only when
there is a row to render."""

import pytest
from django.urls import URLResolver, get_resolver

from marketplace.orders.models import ContractTemplate
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db

# Admin URLs that are not pages: they act (log out), or fail on purpose (Wagtail's own
# "error_test" and "failwhale", which raise to test error reporting).
SKIPPED = ("logout/", "login/", "error_test/", "failwhale/")


def admin_routes(patterns=None, prefix=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if route.startswith("admin/") or "admin/".startswith(route):
                yield from admin_routes(pattern.url_patterns, route)
        elif route.startswith("admin/") and "<" not in route and "(?P" not in route and "^" not in route[6:]:
            yield route


def test_every_admin_page_without_an_id_answers_without_a_server_error(client):
    ContractTemplate.objects.create(title="示范文本", body="# 合同\n\n正文", dispute_resolution="协商解决")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    client.raise_request_exception = False
    routes = sorted(set(admin_routes()))
    assert "admin/snippets/orders/contracttemplate/" in routes  # the walk reaches the snippets
    failures = []
    for route in routes:
        if any(route.endswith(skip) for skip in SKIPPED):
            continue
        response = client.get("/" + route.replace("$", ""))
        if response.status_code >= 500:
            failures.append((route, response.status_code))
    assert failures == []


def test_the_admin_shows_times_in_beijing_time_on_inspect_pages(client):
    """Issue 23, point 5: an order submitted at 03:20 UTC was shown as 03:20; it is 11:20 in
    Beijing. Every date-time field of every model has Wagtail's display class that converts."""
    import datetime

    from django.apps import apps
    from django.db import models
    from wagtail.admin.ui.fields import display_class_registry

    from core.admin_display import LocalDateTimeDisplay
    from marketplace.orders import services
    from tests.factories.orders import family_user, funeral_home, make_quote, order_details

    family = family_user()
    order = services.submit_order(family, make_quote(family, funeral_home()), details=order_details())
    utc = datetime.datetime(2026, 12, 2, 6, 37, tzinfo=datetime.UTC)
    Order = apps.get_model("orders", "Order")
    Order.objects.filter(pk=order.pk).update(submitted_at=utc)
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(f"/admin/funeral/orders/inspect/{order.pk}/").content.decode()
    assert "14:37" in html and "06:37" not in html

    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.DateTimeField)
    ]
    assert fields and all(display_class_registry.get(field) is LocalDateTimeDisplay for field in fields)


def test_an_administrator_saves_a_user_without_an_email_or_western_names(client):
    """Issue 23, point 10: the platform never collects an e-mail address; Wagtail's user form
    required one, and a first and last name, so no user could be saved as the platform has
    them."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    staff = UserFactory(mobile="13655500001", email="", first_name="", last_name="")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.post(
        reverse("wagtailusers_users:edit", args=[staff.pk]),
        {"mobile": staff.mobile, "email": "", "first_name": "", "last_name": "", "is_active": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    staff.refresh_from_db()
    assert staff.email == "" and staff.is_active
    created = client.post(
        reverse("wagtailusers_users:add"),
        {
            "mobile": "13655500002",
            "email": "",
            "first_name": "",
            "last_name": "",
            "password1": "Demo-pass-2026!x",
            "password2": "Demo-pass-2026!x",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]

    assert get_user_model().objects.filter(mobile="13655500002", email="").exists()


def test_wagtails_english_default_groups_are_named_in_chinese():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert not names & {"Editors", "Moderators"}
    assert {"页面编辑（Wagtail 默认）", "页面审核（Wagtail 默认）"} <= names
    # Their permissions came with them: the moderators may still publish pages.
    moderators = Group.objects.get(name="页面审核（Wagtail 默认）")
    assert moderators.page_permissions.filter(permission__codename="publish_page").exists()


def test_the_admin_preview_may_be_framed_by_the_admin_and_nothing_else_may(client):
    """Issue 23, point 8: the preview panel was blank. Wagtail renders a preview through the
    middleware with a dummy request for the page's public URL, so the preview carried the
    public pages' ``frame-ancestors 'none'`` and the admin's own frame refused it."""
    from wagtail.models import Page

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    home = Page.objects.filter(depth=2).first().specific
    preview_url = f"/admin/pages/{home.pk}/edit/preview/"
    client.post(preview_url, {"title": home.title, "slug": home.slug})
    preview = client.get(preview_url, {"in_preview_panel": "true"})
    assert preview.status_code == 200 and home.title in preview.content.decode()
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in preview["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in preview["Content-Security-Policy"]
    public = client.get("/")
    assert (
        public["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in public["Content-Security-Policy"]
    )


def test_a_permission_an_administrator_removed_stays_removed_after_the_next_migrate():
    """Issue 23, point 10: group permissions were re-added after every migrate, undoing an
    administrator's change at the next deploy. Each grant is seeded once; a grant registered
    later is still seeded on the next migrate."""
    from django.contrib.auth.models import Group, Permission

    from accounts import groups
    from accounts.models import SeededGrant
    from accounts.signals import apply_group_permissions

    section = Group.objects.get(name=groups.FUNERAL_SECTION)
    flag = Permission.objects.get(content_type__app_label="catalogue", codename="change_priceflag")
    assert section.permissions.filter(pk=flag.pk).exists()  # seeded at migrate
    section.permissions.remove(flag)
    apply_group_permissions()  # what the next deploy's migrate runs
    assert not section.permissions.filter(pk=flag.pk).exists()

    # A grant an app registers after the last migrate is given on the next one, once.
    later = Permission.objects.get(content_type__app_label="catalogue", codename="view_quote")
    assert not section.permissions.filter(pk=later.pk).exists()
    groups.grant(groups.FUNERAL_SECTION, "catalogue.view_quote")
    try:
        apply_group_permissions()
        assert section.permissions.filter(pk=later.pk).exists()
        assert SeededGrant.objects.filter(
            group_name=groups.FUNERAL_SECTION, permission="catalogue.view_quote"
        ).exists()
    finally:
        groups._grants[groups.FUNERAL_SECTION].discard("catalogue.view_quote")
