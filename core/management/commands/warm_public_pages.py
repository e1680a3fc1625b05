"""Fill the shared public page cache before a peak (the Qingming runbook, ``docs/deployment.md``).

Requests, over HTTP through ``--base-url`` (nginx, or one web node: the page cache is shared,
so one pass warms every node), each public page a visitor is likely to open, in every language
of ``LANGUAGES``:

- every page that ``/sitemap.xml`` lists (the CMS pages, the published providers) and the page
  cache stores, the sitemap fetched from the same address;
- every page of ``PAGE_CACHE_VIEWS`` that takes no argument (the catalogue, the registry, credit,
  charity, the incubator, open data, …).

Nothing is rendered in this process: the pages are stored by the web nodes that serve them, as
for any visitor, so what is warmed is exactly what is served. A page that answers an error is
reported, and the command exits with status 1 if any did."""

import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import NoReverseMatch, Resolver404, resolve, reverse, translate_url
from django.utils import translation

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def fetch(url, timeout):
    """The status and body of a GET of ``url`` (an error status is a result, not an exception)."""
    request = urllib.request.Request(url, headers={"User-Agent": "platform-warm-public-pages"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - the operator's base URL
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""
    except (urllib.error.URLError, OSError):
        return None, b""


def sitemap_paths(base_url, timeout):
    """The paths ``/sitemap.xml`` lists (the address of each ``<loc>`` without its origin: the
    sitemap names the public host, the pages are warmed through ``base_url``)."""
    status, body = fetch(urljoin(base_url, "/sitemap.xml"), timeout)
    if status != 200:
        raise CommandError(f"/sitemap.xml answered {status or 'no response'} at {base_url}")
    paths = []
    for loc in ET.fromstring(body).iter(f"{SITEMAP_NS}loc"):  # noqa: S314 - our own sitemap
        parts = urlsplit(loc.text.strip())
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def cached_views_only(paths):
    """The paths the page cache stores (a view of ``PAGE_CACHE_VIEWS``): warming another page
    (a memorial, which is never shared) would cost its node a render and store nothing."""
    kept = []
    with translation.override(settings.LANGUAGE_CODE):
        for path in paths:
            try:
                name = resolve(urlsplit(path).path).view_name
            except Resolver404:
                continue
            if name in settings.PAGE_CACHE_VIEWS:
                kept.append(path)
    return kept


def index_paths():
    """The pages of ``PAGE_CACHE_VIEWS`` that take no argument, in the default language."""
    paths = []
    with translation.override(settings.LANGUAGE_CODE):
        for name in settings.PAGE_CACHE_VIEWS:
            try:
                paths.append(reverse(name))
            except NoReverseMatch:
                continue  # a page of one object (a provider, a project): the sitemap's, if public
    return paths


def in_every_language(paths):
    """Each path in each language of ``LANGUAGES`` (``/en/…`` for English), once."""
    found = []
    for language, _name in settings.LANGUAGES:
        with translation.override(settings.LANGUAGE_CODE):
            found += [translate_url(path, language) for path in paths]
    return list(dict.fromkeys(found))


class Command(BaseCommand):
    help = "Request every public page once, in every language, so that the shared page cache holds it."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", required=True, help="where to send the requests: nginx, or one web node"
        )
        parser.add_argument("--workers", type=int, default=4, help="requests at a time (4)")
        parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request (30)")

    def handle(self, *args, base_url, workers, timeout, **options):
        base_url = base_url.rstrip("/") + "/"
        paths = in_every_language(index_paths() + cached_views_only(sitemap_paths(base_url, timeout)))
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            results = list(pool.map(lambda path: (path, fetch(urljoin(base_url, path), timeout)[0]), paths))
        statuses = Counter(status for _path, status in results)
        failed = [(path, status) for path, status in results if status != 200]
        for path, status in failed:
            self.stderr.write(f"{status or 'no response'} {path}")
        summary = ", ".join(
            f"{count} × {status or 'no response'}" for status, count in sorted(statuses.items(), key=str)
        )
        self.stdout.write(f"{len(results)} pages requested in {time.monotonic() - started:.1f} s: {summary}")
        if failed:
            raise CommandError(f"{len(failed)} of {len(results)} pages did not answer 200")
