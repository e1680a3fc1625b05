"""The URL map. Public URLs are stable (see ARCHITECTURE.md); zh-hans is unprefixed, English under /en/."""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap as PageSitemap
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core import views as core_views
from marketplace.catalogue.sitemaps import ProviderSitemap
from marketplace.memorials.sitemaps import MemorialSitemap

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("robots.txt", core_views.robots_txt, name="robots_txt"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    # CMS pages, and public memorials only (M1: never an unlisted, private or hidden one).
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"pages": PageSitemap, "providers": ProviderSitemap(), "memorials": MemorialSitemap()}},
        name="sitemap",
    ),
    # The open data API: one address in every language (not under /en/), see docs/api.md.
    path("api/v1/", include("api.urls")),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/setlang/", core_views.set_language, name="set_language"),
    path("preferences/large-text/", core_views.toggle_large_text, name="toggle_large_text"),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("accounts.urls")),
    path("workbench/", include("accounts.workbench_urls")),
    path("workbench/funeral/orders/", include("marketplace.orders.workbench_urls")),
    path("workbench/funeral/", include("marketplace.catalogue.workbench_urls")),
    path("workbench/orgs/", include("orgs.registry.workbench_urls")),
    path("workbench/reports/", include("orgs.reports.workbench_urls")),
    path("workbench/credit/", include("orgs.credit.workbench_urls")),
    path("workbench/charity/", include("orgs.charity.workbench_urls")),
    path("workbench/incubator/", include("orgs.incubator.workbench_urls")),
    path("workbench/licences/", include("orgs.licensing.workbench_urls")),
    path("workbench/registration/", include("orgs.licensing.application_urls")),
    path("workbench/funeral/reviews/", include("marketplace.feedback.review_workbench_urls")),
    path("workbench/complaints/", include("marketplace.feedback.complaint_workbench_urls")),
    path("funeral/complaints/", include("marketplace.feedback.complaint_stats_urls")),
    path("workbench/visits/", include("marketplace.memorials.visits.workbench_urls")),
    path("workbench/slots/", include("marketplace.orders.slots.workbench_urls")),
    path("funeral/", include("marketplace.catalogue.urls")),
    path("memorials/visits/", include("marketplace.memorials.visits.urls")),
    path("memorials/", include("marketplace.memorials.urls")),
    path("orders/", include("marketplace.orders.urls")),
    path("benefits/checklist/", include("marketplace.benefits.checklist.urls")),
    path("benefits/", include("marketplace.benefits.urls")),
    path("reviews/", include("marketplace.feedback.review_urls")),
    path("complaints/", include("marketplace.feedback.complaint_urls")),
    path("orgs/registration/", include("orgs.licensing.urls")),
    path("orgs/", include("orgs.registry.urls")),
    path("credit/", include("orgs.credit.urls")),
    path("charity/", include("orgs.charity.urls")),
    path("incubator/", include("orgs.incubator.urls")),
    path("open-data/", include("core.opendata_urls")),
    path("verify/", include("core.verify_urls")),
    path("search/", include("search.urls")),
    # Pay pages follow the visitor's language like every page (/en/payments/… in English).
    # Gateways call the unprefixed URLs (notify, the simulator's gateway.do), which
    # resolve in the default language; notify URLs are always built unprefixed.
    path("payments/", include("payments.urls")),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

if settings.DEBUG:
    # As site/nginx.conf does: the charity files' former public address goes to the checking view.
    urlpatterns += [
        re_path(
            r"^media/charity/(?P<name>.+)$",
            RedirectView.as_view(url="/charity/media/%(name)s", permanent=True, query_string=False),
        )
    ]
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
