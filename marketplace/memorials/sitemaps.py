"""Public memorials in ``/sitemap.xml`` (M1): ``Memorial.objects.public()`` only, never an
unlisted, private or hidden one."""

from django.contrib.sitemaps import Sitemap

from .models import Memorial


class MemorialSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.3

    def items(self):
        return Memorial.objects.public().order_by("pk").only("token", "updated_at")

    def lastmod(self, memorial):
        return memorial.updated_at
