"""Issue 18, point 12: English is complete and consistent.

A walk over ``/en/`` with the demo data, as a visitor and signed in as each kind of user: no
English page shows Chinese characters or full-width punctuation, except

(a) inside an element marked ``lang="zh-Hans"`` (or ``zh``): text that is Chinese on purpose,
    such as a provider's terms or a notice that has no English version (WCAG 3.1.2), and
(b) content that people typed: the values of the free-text fields of the project's own models
    (names of providers, items, organisations, memorials, reports' text …), collected from the
    database by introspection and taken out of the page text before the check.

CMS pages (the ``cms`` app) are not in (b): an English CMS page is an editor's English copy
(Wagtail's Translate action), so Chinese left on it is a gap. English pages link to English
pages. Then the price-change reasons: a chosen list, translated, whose hash rule keeps the old
chains valid.
"""

import io
import re
from collections import deque
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve
from django.utils import translation
from lxml import html as lxml_html
from wagtail.fields import StreamField

from accounts.demo import DEMO_FAMILY_MOBILE
from marketplace.catalogue.demo import DEMO_PROVIDER_ADMIN_MOBILE
from orgs.registry.demo import DEMO_ORG_ADMIN_MOBILE

pytestmark = pytest.mark.django_db

# Chinese characters, CJK punctuation (、。〈〉《》「」【】〔〕 …) and full-width forms (：，（）！？).
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")

PUBLIC_SEEDS = (
    "/en/",
    "/en/guides/",
    "/en/news/",
    "/en/news/notice-1/",
    "/en/funeral/",
    "/en/funeral/compare/",
    "/en/funeral/packages/",
    "/en/funeral/quote/",
    "/en/funeral/chain-heads/",
    "/en/orgs/",
    "/en/credit/",
    "/en/charity/",
    "/en/charity/lookup/",
    "/en/open-data/",
    "/en/verify/",
    "/en/search/?q=funeral",
    "/en/memorials/",
    "/en/complaints/new/",
    "/en/accounts/login/",
    "/en/accounts/signup/",
)
SIGNED_IN_SEEDS = ("/en/accounts/profile/", "/en/workbench/", "/en/orders/", "/en/funeral/quote/")

# Not pages: files, feeds, the API, the admin (Wagtail's own, Chinese for the bureau's staff),
# and links that change state.
SKIP = re.compile(
    r"^/(en/)?(admin|api|static|media|documents|i18n|preferences|cms-admin|django-admin)/"
    r"|\.(pdf|csv|json|xml|xlsx|txt|atom|ico|png|jpg|svg|pem|cer|zip)$"
    r"|/logout/?$"
)
# Text that is never shown: scripts, styles, and what is hidden from everyone.
INVISIBLE = {"script", "style", "template", "noscript"}
# Attributes people read or hear.
READ_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


def user_typed_values():
    """Every value of a free-text field (CharField/TextField without choices) of the project's
    models outside ``cms``, that contains Chinese. Longest first, so a longer value is taken
    out of a text before a shorter one inside it."""
    values = set()
    for config in apps.get_app_configs():
        if config.name not in settings.PROJECT_APPS or config.label == "cms":
            continue
        for model in config.get_models():
            if model._meta.proxy:
                continue
            fields = [
                field.attname
                for field in model._meta.concrete_fields
                if (isinstance(field, models.CharField | models.TextField) and not field.choices)
                or isinstance(field, models.JSONField | StreamField)
            ]
            if not fields:
                continue
            for row in model._base_manager.values_list(*fields):
                for value in row:
                    for text in _strings(value):
                        if IDEOGRAPH.search(text):
                            values.add(text.strip())
    # Tags are typed by editors and shared by both languages of a page.
    from taggit.models import Tag

    values.update(name for name in Tag.objects.values_list("name", flat=True) if IDEOGRAPH.search(name))
    return sorted(values, key=len, reverse=True)


def _strings(value):
    """The strings in a field's value: the value itself, or the leaves of JSON and of a
    StreamField (rich text without its tags, one line at a time)."""
    if value is None:
        return
    if isinstance(value, str):
        text = re.sub(r"<[^>]+>", "\n", value) if "<" in value else value
        yield text
        yield from (line for line in text.splitlines() if line.strip())
        return
    if hasattr(value, "raw_data"):  # a StreamValue
        value = list(value.raw_data)
    if isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _texts(tree):
    """(text, element) for every visible text node and read attribute, outside ``lang="zh…"``."""

    def walk(element, chinese):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in INVISIBLE or element.get("hidden") is not None:
            return
        lang = (element.get("lang") or "").lower()
        if lang:
            chinese = lang.startswith("zh")
        if not chinese:
            if element.text and element.text.strip():
                yield element.text.strip(), element
            for attribute in READ_ATTRIBUTES:
                if element.get(attribute):
                    yield element.get(attribute).strip(), element
        for child in element:
            yield from walk(child, chinese)
            if not chinese and child.tail and child.tail.strip():
                yield child.tail.strip(), element

    yield from walk(tree, False)


def offending_texts(content, typed):
    """The pieces of an English page that are Chinese but neither marked nor typed by people."""
    tree = lxml_html.fromstring(content)
    found_here = [value for value in typed if value in content or _unescaped(value) in content]
    corpus = "\x00".join(typed)
    offending = []
    for text, _element in _texts(tree):
        if not CJK.search(text):
            continue
        # A whole text node out of a typed value (a name, or a shortened description).
        core = text.rstrip("…").rstrip(".").strip()
        if IDEOGRAPH.search(core) and core in corpus:
            continue
        rest = text
        for value in found_here:
            if value in rest:
                rest = rest.replace(value, " ")
        for line in rest.splitlines():
            line = line.strip()
            if line and IDEOGRAPH.search(line) and line.rstrip("…").strip() in corpus:
                rest = rest.replace(line, " ")
        if CJK.search(rest):
            offending.append(re.sub(r"\s+", " ", text)[:120])
    return offending


def _unescaped(value):
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _page_kind(path):
    with translation.override("en"):
        try:
            match = resolve(path)
        except Resolver404:
            return None
    if match.url_name == "wagtail_serve":
        return ("page", path)
    return (match.view_name, tuple(sorted(match.kwargs)))


def _links(tree):
    found = []
    for anchor in tree.iter("a"):
        href = anchor.get("href") or ""
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIP.search(parts.path):
            continue
        found.append((parts.path + (f"?{parts.query}" if parts.query else ""), anchor))
    return found


def walk_english(client, seeds, typed, *, limit=200):
    """Open each kind of English page reachable from ``seeds`` once. Returns the pages visited
    and the problems: Chinese text (page, text) and links from English to Chinese pages."""
    queue = deque(seeds)
    seen = set()
    visited, problems = [], []
    while queue and len(visited) < limit:
        path = queue.popleft()
        kind = _page_kind(urlsplit(path).path)
        if kind is None or kind in seen:
            continue
        seen.add(kind)
        response = client.get(path)
        if response.status_code == 404 and path in seeds:
            problems.append((path, "404"))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        visited.append(path)
        content = response.content.decode()
        problems.extend((path, text) for text in offending_texts(content, typed))
        tree = lxml_html.fromstring(content)
        for link, anchor in _links(tree):
            if link.startswith("/en/"):
                queue.append(link)
            elif anchor.get("hreflang") is None and _is_chinese_content_page(link):
                problems.append((path, f"links to the Chinese page {link}"))
    return visited, problems


def _is_chinese_content_page(path):
    """A CMS page (guide, notice …) served in Chinese: the English site should link to its
    English copy."""
    with translation.override("zh-hans"):
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            return False
    return match.url_name == "wagtail_serve" and urlsplit(path).path not in ("/",)


def _report(problems):
    pages_by_text = {}
    for page, text in problems:
        pages_by_text.setdefault(text, []).append(page)
    lines = [
        f"{text!r} on {len(pages)} page(s), e.g. {', '.join(sorted(set(pages))[:3])}"
        for text, pages in sorted(pages_by_text.items())
    ]
    return "Chinese on English pages:\n" + "\n".join(lines)


@pytest.fixture
def demo():
    call_command("load_demo_data", stdout=io.StringIO())
    return user_typed_values()


def test_every_english_page_is_in_english_for_visitors_and_each_kind_of_user(demo):
    from accounts.models import User

    visited, problems = walk_english(Client(), PUBLIC_SEEDS, demo)
    # The walk really covers the public site, not a handful of pages.
    assert len(visited) >= 35, visited
    for must in ("/en/funeral/", "/en/orgs/", "/en/memorials/"):
        assert must in visited, (must, visited)
    for mobile in (DEMO_FAMILY_MOBILE, DEMO_PROVIDER_ADMIN_MOBILE, DEMO_ORG_ADMIN_MOBILE):
        client = Client()
        client.force_login(User.objects.get(mobile=mobile))
        signed_in, found = walk_english(client, SIGNED_IN_SEEDS, demo, limit=100)
        assert len(signed_in) >= 8, (mobile, signed_in)
        visited += signed_in
        problems += found
    assert not problems, _report(problems)


# --- Price-change reasons: a chosen list, translated, and the chains stay valid -----------------


def _historical_price_versions():
    """The PriceVersion of migration 0008 (a plain manager, as a data migration sees it)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    state = MigrationExecutor(connection).loader.project_state(("catalogue", "0008_price_reason_codes"))
    return state.apps, state.apps.get_model("catalogue", "PriceVersion")


def _problems():
    from marketplace.catalogue.services.chain import verify_chain

    return [(p.sequence, p.problem) for p in verify_chain(check_heads=False)]


def test_old_free_text_reasons_map_to_codes_and_their_chains_still_verify():
    import importlib

    from marketplace.catalogue import services
    from marketplace.catalogue.models import PriceVersion
    from tests.factories.catalogue import ProviderFactory, make_item

    migration = importlib.import_module("marketplace.catalogue.migrations.0008_price_reason_codes")
    item = make_item(ProviderFactory(), "urn", price="100")  # "首次公示": no label, stays free text
    services.publish_price(item, price=Decimal("105"), effective_from=_today(), reason="人工与材料成本上涨")
    historical_apps, Historical = _historical_price_versions()
    # As the rows were before the codes existed: free text only.
    Historical.objects.update(reason_code="")
    assert _problems() == []
    migration.map_reasons(historical_apps, None)
    codes = dict(PriceVersion.objects.values_list("reason", "reason_code"))
    assert codes == {"首次公示": "", "人工与材料成本上涨": "costs"}
    assert _problems() == []  # the mapped version hashes as before
    migration.unmap_reasons(historical_apps, None)
    assert set(PriceVersion.objects.values_list("reason_code", flat=True)) == {""}
    assert _problems() == []


def test_changing_the_reason_code_of_any_version_breaks_its_chain():
    from marketplace.catalogue import services
    from tests.factories.catalogue import ProviderFactory, make_item

    item = make_item(ProviderFactory(), "urn", price="100")
    with_words = services.publish_price(
        item, price=Decimal("110"), effective_from=_today(), reason_code="costs", reason="燃气价格上涨"
    )
    label_only = services.publish_price(
        item, price=Decimal("90"), effective_from=_today(), reason_code="correction"
    )
    assert label_only.reason == "" and label_only.reason_code == "correction"
    assert _problems() == []
    _apps, Historical = _historical_price_versions()
    Historical.objects.filter(pk=with_words.pk).update(reason_code="policy")
    Historical.objects.filter(pk=label_only.pk).update(reason_code="initial")
    assert _problems() == [(with_words.sequence, "hash"), (label_only.sequence, "hash")]


def test_the_reason_other_needs_the_providers_own_words():
    from django.core.exceptions import ValidationError

    from marketplace.catalogue import services
    from marketplace.catalogue.forms import PriceForm
    from tests.factories.catalogue import ProviderFactory, make_item

    data = {"price": "10", "effective_from": _today().isoformat(), "reason_code": "other", "reason": " "}
    form = PriceForm(data)
    assert not form.is_valid() and "reason" in form.errors
    assert PriceForm({**data, "reason_code": "costs"}).is_valid()
    assert not PriceForm({**data, "reason_code": "made-up"}).is_valid()
    item = make_item(ProviderFactory(), "urn", price="100")
    with pytest.raises(ValidationError) as error:
        services.publish_price(item, price=Decimal("120"), effective_from=_today(), reason_code="other")
    assert "reason" in error.value.message_dict


def test_english_history_shows_the_chosen_reason_translated_and_the_words_marked_chinese(client):
    from marketplace.catalogue import services
    from marketplace.catalogue.models import PriceChangeReason
    from tests.factories.catalogue import ProviderFactory, make_item

    item = make_item(ProviderFactory(), "urn", price="100")
    services.publish_price(
        item, price=Decimal("110"), effective_from=_today(), reason_code="costs", reason="燃气价格上涨"
    )
    # In Chinese the provider's words carry no language of their own ...
    tree = lxml_html.fromstring(client.get(item.get_history_url()).content)
    assert tree.xpath('//td/span[@class="reason-code"][text()="人工与材料成本上涨"]')
    assert tree.xpath('//td/span[not(@lang)][text()="燃气价格上涨"]')
    # ... in English the chosen reason is translated and the words are marked as Chinese.
    tree = lxml_html.fromstring(client.get(f"/en{item.get_history_url()}").content)
    with translation.override("en"):
        label = str(PriceChangeReason.COSTS.label)
    assert tree.xpath(f'//td/span[@class="reason-code"][text()="{label}"]')
    assert tree.xpath('//td/span[@lang="zh-Hans"][text()="燃气价格上涨"]')


# --- Language of parts and the footer ----------------------------------------------------------


def test_english_provider_page_marks_the_providers_chinese_terms(client):
    from tests.factories.catalogue import ProviderFactory

    provider = ProviderFactory(cancellation_terms="Free cancellation before the service.")
    terms = '//section[@aria-labelledby="terms-heading"]//dd'
    tree = lxml_html.fromstring(client.get(provider.get_absolute_url()).content)
    assert tree.xpath(terms) and not tree.xpath(f"{terms}[@lang]")
    tree = lxml_html.fromstring(client.get(f"/en{provider.get_absolute_url()}").content)
    marks = {dd.text_content().strip(): dd.get("lang") for dd in tree.xpath(terms)}
    assert marks["不收定金。"] == "zh-Hans" and marks["未用项目全额退款。"] == "zh-Hans"
    assert marks["Free cancellation before the service."] is None  # English text needs no mark


def test_footer_shows_the_bureaus_english_name_and_address_or_marks_the_chinese(client):
    from wagtail.models import Site

    from cms.models import BureauSettings
    from tests.factories.cms import make_home_page

    make_home_page()
    bureau = BureauSettings.for_site(Site.objects.get(is_default_site=True))
    bureau.bureau_name, bureau.address = "北京市民政局", "北京市通州区运河东大街 57 号"
    bureau.save()

    def footer(path):
        tree = lxml_html.fromstring(client.get(path).content)
        return tree.xpath('//footer[@class="site-footer"]')[0]

    chinese = footer("/").text_content()
    assert "北京市民政局" in chinese and "运河东大街" in chinese
    # No English yet: the Chinese shows, marked as Chinese, with no full-width spacing around it.
    english = footer("/en/")
    assert english.xpath('.//span[@lang="zh-Hans"][text()="北京市通州区运河东大街 57 号"]')
    assert "\u3000" not in english.text_content()
    bureau.bureau_name_en, bureau.address_en = (
        "Beijing Civil Affairs Bureau",
        "57 Yunhe East Street, Tongzhou",
    )
    bureau.save()
    text = footer("/en/").text_content()
    assert "Beijing Civil Affairs Bureau" in text and "57 Yunhe East Street, Tongzhou" in text
    assert "北京市民政局" not in text and "运河东大街" not in text


def _today():
    from django.utils import timezone

    return timezone.localdate()
