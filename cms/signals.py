"""Invalidation of the cached main menu (``cms.templatetags.cms_tags.main_menu``).

The menu's page entries are cached per site and language under a version read from one
key in Django's cache. Anything that can change what the menu lists — a page published,
unpublished, moved (or reordered), deleted, a privacy restriction added or removed, a
site's root page changed — writes a new version, so every process rebuilds the menu on
its next request. A version is a random token, not a counter: a version key evicted from
the cache comes back as a new token and can never match an old entry.

The version is written at once (the same process and the tests see it immediately) and
again when the transaction commits, so a request that rebuilt the menu from the database
between the two, before the change was visible to it, can't keep the old entries.
"""

import uuid

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_unpublished, post_page_move, pre_page_move

MENU_VERSION_KEY = "cms:main_menu:version"


def main_menu_version():
    """The current menu version; a fresh one if the cache has none."""
    version = cache.get(MENU_VERSION_KEY)
    if version is None:
        cache.add(MENU_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(MENU_VERSION_KEY)
    return version


def invalidate_main_menu():
    """Make every cached menu stale, now and once the current transaction commits."""
    _new_version()
    transaction.on_commit(_new_version)


def _new_version():
    cache.set(MENU_VERSION_KEY, uuid.uuid4().hex, None)


@receiver(page_published)
@receiver(page_unpublished)
@receiver(pre_page_move)
@receiver(post_page_move)
def _page_changed(sender, **kwargs):
    invalidate_main_menu()


@receiver(post_delete)
def _page_deleted(sender, instance, **kwargs):
    if isinstance(instance, Page):
        invalidate_main_menu()


@receiver(post_save, sender=PageViewRestriction)
@receiver(post_delete, sender=PageViewRestriction)
@receiver(post_save, sender=Site)
@receiver(post_delete, sender=Site)
def _visibility_or_site_changed(sender, **kwargs):
    invalidate_main_menu()
