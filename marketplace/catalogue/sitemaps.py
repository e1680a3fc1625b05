"""Published providers in ``/sitemap.xml``: ``Provider.objects.public()`` only, never a provider
the bureau has not published (or has withdrawn)."""

from django.contrib.sitemaps import Sitemap

from .models import Provider


class ProviderSitemap(Sitemap):
    changefreq = "weekly"
    priority = 0.6

    def items(self):
        return Provider.objects.public().order_by("pk").only("slug")
