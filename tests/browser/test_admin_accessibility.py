"""axe (WCAG 2.1 AA) on the admin pages the platform adds (issue 23, acceptance).

The pages are not listed by hand: they are every admin menu item the superuser sees whose
view belongs to one of the platform's own apps (a ModelViewSet, snippet, setting or report
registered in our ``wagtail_hooks``), the dashboard, and for each of those listings the first
edit, inspect or decision page its rows link to (a queue where the demo has an item). A
listing another engineer adds or changes is walked the same way.
"""

from django.conf import settings
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory
from django.urls import Resolver404, resolve
from django.utils import translation

from accounts.demo import DEMO_ADMIN_MOBILE
from tests.browser.helpers import assert_pages_accessible, sign_in

ROW_LINKS = (
    "table tbody a[href*='/inspect/'], table tbody a[href*='/edit/'], "
    "table tbody a[href*='/decide/'], table tbody a[href*='/review/']"
)


def platform_app_labels():
    from django.apps import apps

    names = set(settings.PROJECT_APPS)
    return {config.label for config in apps.get_app_configs() if config.name in names}


def view_model(url):
    """The model an admin URL's view works on, if it says."""
    try:
        match = resolve(url.split("?")[0])
    except Resolver404:
        return None
    for source in (getattr(match.func, "view_initkwargs", {}), getattr(match.func, "initkwargs", {})):
        if source.get("model") is not None:
            return source["model"]
    view_class = getattr(match.func, "view_class", None)
    return getattr(view_class, "model", None)


def platform_menu_urls(user):
    """The superuser's admin menu items that lead to one of the platform's own views."""
    from wagtail.admin.menu import SubmenuMenuItem, admin_menu

    request = RequestFactory().get("/admin/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    labels = platform_app_labels()
    urls = []

    def walk(menu):
        for item in menu.menu_items_for_request(request):
            if isinstance(item, SubmenuMenuItem):
                walk(item.menu)
                continue
            if not item.url.startswith("/admin/"):
                continue
            model = view_model(item.url)
            module = getattr(resolve(item.url.split("?")[0]).func, "__module__", "")
            ours = (model is not None and model._meta.app_label in labels) or module.split(".")[0] in {
                name.split(".")[0] for name in settings.PROJECT_APPS
            }
            if ours and item.url not in urls:
                urls.append(item.url)

    with translation.override("zh-hans"):
        walk(admin_menu)
    return urls


def test_the_platforms_admin_pages_have_no_wcag_violations(demo_site, page):
    from accounts.models import User

    base = demo_site.url
    listings = platform_menu_urls(User.objects.get(mobile=DEMO_ADMIN_MOBILE))
    assert len(listings) >= 15, listings  # the queues, registers and reports of both sections
    assert any("snippets/orders/contracttemplate" in url for url in listings)

    sign_in(page, base, DEMO_ADMIN_MOBILE)
    details = []
    for url in listings:
        page.goto(base + url)
        link = page.locator(ROW_LINKS).first
        if link.count():
            href = link.get_attribute("href")
            if href and href.startswith("/admin/") and href not in details:
                details.append(href)
    assert len(details) >= 10, details  # the demo has items in most queues

    assert_pages_accessible(page, base, ["/admin/", *listings, *details])
