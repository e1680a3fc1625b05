"""Each bureau officer walks their own admin on the demo data (issue 23, points 5 and 8).

For every model listing the platform registers (ModelViewSets and snippets), and for each
demo officer: the listing answers 200 to every group that may see it and is refused to the
others; the first row's page (inspect where the viewset has one, else edit) answers 200 to
the groups that may see it; and no date-time stored on that row appears on it in UTC: every
admin date and time is Beijing time."""

import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.db import models
from django.utils import timezone
from wagtail.admin.viewsets import viewsets as viewset_registry
from wagtail.admin.viewsets.model import ModelViewSet

from accounts.demo import (
    DEMO_ADMIN_MOBILE,
    DEMO_EDITOR_MOBILE,
    DEMO_FUNERAL_OFFICER_MOBILE,
    DEMO_ORG_OFFICER_MOBILE,
)
from accounts.models import User
from config.settings.base import PROJECT_APPS

pytestmark = pytest.mark.django_db

OFFICERS = (DEMO_FUNERAL_OFFICER_MOBILE, DEMO_ORG_OFFICER_MOBILE, DEMO_EDITOR_MOBILE, DEMO_ADMIN_MOBILE)
VIEW_ACTIONS = ["view", "add", "change", "delete"]


def platform_viewsets():
    """The model viewsets of the platform's own apps (Wagtail's own are Wagtail's business)."""
    labels = {app.rsplit(".", 1)[-1] for app in PROJECT_APPS}
    found = []
    for viewset in viewset_registry.viewsets:
        model = getattr(viewset, "model", None)
        if isinstance(viewset, ModelViewSet) and model is not None and model._meta.app_label in labels:
            found.append(viewset)
    return found


def first_row(viewset):
    return viewset.model._default_manager.order_by("pk").first()


def row_url(viewset, user, instance):
    """The page an officer opens from the listing: inspect if the viewset has one, else edit."""
    policy = viewset.permission_policy
    if getattr(viewset, "inspect_view_enabled", False):
        return viewset.get_url_name("inspect")
    if policy.user_has_permission_for_instance(user, "change", instance):
        return viewset.get_url_name("edit")
    return None


def utc_renderings(instance):
    """Each date-time stored on ``instance`` as it would read if shown in UTC, where that
    differs from Beijing time."""
    texts = []
    for field in instance._meta.concrete_fields:
        if isinstance(field, models.DateTimeField):
            value = getattr(instance, field.attname)
            if value is None or timezone.is_naive(value):
                continue
            utc = value.astimezone(datetime.UTC)
            local = timezone.localtime(value)
            if utc.strftime("%Y-%m-%d %H:%M") != local.strftime("%Y-%m-%d %H:%M"):
                texts.append((field.name, utc))
    return texts


def shows_utc(html, utc):
    """The page shows ``utc`` as a date and a time (ISO, or Django's 中文 DATETIME_FORMAT)."""
    patterns = [
        utc.strftime("%Y-%m-%d %H:%M"),
        f"{utc.year}年{utc.month}月{utc.day}日 {utc.strftime('%H:%M')}",
    ]
    return any(p in html for p in patterns)


def test_each_officer_walks_the_listings_and_rows_they_own_in_beijing_time(client):
    from django.urls import reverse

    call_command("load_demo_data", stdout=io.StringIO())
    client.raise_request_exception = False
    vsets = platform_viewsets()
    assert len(vsets) >= 20  # the walk reaches the platform's listings
    problems = []
    seen_by = {}
    for mobile in OFFICERS:
        user = User.objects.get(mobile=mobile)
        client.force_login(user)
        for viewset in vsets:
            policy = viewset.permission_policy
            allowed = policy.user_has_any_permission(user, VIEW_ACTIONS)
            index = viewset.menu_url
            response = client.get(index)
            if not allowed:
                if response.status_code == 200:
                    problems.append((mobile, index, "shown to a group that may not see it"))
                continue
            seen_by.setdefault(viewset.name, set()).add(mobile)
            if response.status_code != 200:
                problems.append((mobile, index, response.status_code))
                continue
            instance = first_row(viewset)
            if instance is None:
                continue
            url_name = row_url(viewset, user, instance)
            if url_name is None:
                continue
            url = reverse(url_name, args=[instance.pk])
            response = client.get(url)
            if response.status_code != 200:
                problems.append((mobile, url, response.status_code))
                continue
            html = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
            for field, utc in utc_renderings(instance):
                if shows_utc(html, utc):
                    problems.append((mobile, url, f"{field} shown in UTC"))
    assert problems == []
    # Every platform listing has at least one bureau officer who works in it.
    assert {v.name for v in vsets} <= set(seen_by)
