"""The public page cache (``core.pagecache``, ``core.middleware.PublicPageCacheMiddleware``):
which section versions each cached page shows, and which saves give a section a new version.
``base.py`` imports this module; the environments override it like any base setting."""

from .environment import env, env_bool

# --- Public page cache (core.pagecache, core.middleware.PublicPageCacheMiddleware) ---------
# Whole public pages for visitors who are not signed in, per language, large-text mode, day
# and the version of each section the page shows; a save in an app of PAGE_CACHE_APP_SECTIONS
# gives its sections new versions when it commits. PAGE_CACHE_SECONDS only bounds how long an
# entry occupies the cache; it is never what makes a change visible.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
PAGE_CACHE_ALIAS = env("PAGE_CACHE_ALIAS", "default")
PAGE_CACHE_SECONDS = int(env("PAGE_CACHE_SECONDS", "3600"))
# This deployment's name in the page keys (e.g. the image tag); empty: a digest of the code on disk.
PAGE_CACHE_RELEASE = env("PAGE_CACHE_RELEASE", "")
# Every page shows the CMS's main menu.
PAGE_CACHE_ALWAYS = ("cms",)
PAGE_CACHE_VIEWS = {
    "wagtail_serve": ("cms",),
    "catalogue:index": ("funeral",),
    "catalogue:provider": ("funeral",),
    "catalogue:item_history": ("funeral",),
    "catalogue:compare": ("funeral",),
    "catalogue:packages": ("funeral",),
    "reviews:provider": ("funeral",),
    "complaint_stats:index": ("funeral",),
    "registry:index": ("orgs",),
    "registry:detail": ("orgs",),
    "credit:index": ("orgs",),
    "credit:detail": ("orgs",),
    "charity:index": ("orgs",),
    "charity:project": ("orgs",),
    # The empty form, and each receipt looked up, per query string.
    "charity:lookup": ("orgs",),
    "incubator:index": ("orgs",),
    "incubator:programme": ("orgs",),
    "incubator:offers": ("orgs",),
    "incubator:offer": ("orgs",),
    "incubator:needs": ("orgs",),
    "incubator:statistics": ("orgs",),
    # "opendata" is bumped whenever a stored bulk file is regenerated (core.opendata).
    "opendata:index": ("funeral", "orgs", "opendata"),
    # The search backends bump "search" after every write to the index (search.backends).
    "search:search": ("search",),
}
# "app_label" or "app_label.modelname" -> the sections a save or delete there changes.
PAGE_CACHE_APP_SECTIONS = {
    "catalogue": ("funeral",),
    "feedback": ("funeral",),
    "registry": ("orgs",),
    "reports": ("orgs",),
    "credit": ("orgs",),
    "charity": ("orgs",),
    "incubator": ("orgs",),
    "licensing": ("orgs",),
    "cms": ("cms",),
    "wagtailcore.page": ("cms",),
    "wagtailcore.revision": ("cms",),
    "wagtailcore.pageviewrestriction": ("cms",),
    "wagtailcore.site": ("cms",),
    "wagtailcore.locale": ("cms",),
    "wagtailimages": ("cms",),
    "wagtaildocs": ("cms",),
}
