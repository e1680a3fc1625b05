"""Section pages: the CMS's words on the data sections' index pages (issue 18, point 13).

The catalogue (``/funeral/``), the registry (``/orgs/``), credit (``/credit/``) and charity
(``/charity/``) are data views in code, at stable addresses that the whole site reverses and
the public page cache keys on. Editors own what surrounds the data: each section has a
:class:`SectionPage` per language (its title is the page heading, then the introduction, the
help panels, the featured guides and notices, and the SEO title and description).

**Routing.** The Django URL stays: ``/funeral/`` is ``catalogue:index`` in every language.
The section's template asks :func:`section_content` for the live page of the section in the
active language (the default language's page where no translation exists yet, as the guide
lists do) and shows its content around the data; without a page it shows the text in the
template, so a fresh database still works. The page's own URL *is* the section's address
(:meth:`SectionPage.get_url_parts`), and its only route (``RoutablePageMixin``, ``""``) calls
the same data view: Wagtail's preview of a draft shows the draft's words above the live data.
Served outside a preview (a page whose slug differs from the section's path) the route
redirects to the section's address, so the page cache never holds data under the CMS's key.

**Cache.** What a section shows is kept in the page cache's store under the current version
of the page cache's ``cms`` section (:mod:`core.pagecache`): every publish, unpublish, move
or delete of a page gives that section a new version when it commits, and every cached page
shows the ``cms`` section (``PAGE_CACHE_ALWAYS``), so both the content and the whole pages
built with it are stale at once. A warm request reads it with one cache read and no query.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.rich_text import expand_db_html

from core import pagecache

from .links import CheckedLinksPageForm

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul", "h3"]


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    view: str  # the dotted path of the data view

    def url(self):
        return reverse(self.url_name)


SECTIONS = {
    section.key: section
    for section in (
        Section("funeral", _("殡葬服务"), "catalogue:index", "marketplace.catalogue.views.index"),
        Section("orgs", _("社会组织"), "registry:index", "orgs.registry.views.index"),
        Section("credit", _("信用查询"), "credit:index", "orgs.credit.views.index"),
        Section("charity", _("慈善公开"), "charity:index", "orgs.charity.views.index"),
    )
}
SECTION_CHOICES = [(section.key, section.label) for section in SECTIONS.values()]


class HelpPanelBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("标题"), max_length=80)
    body = blocks.RichTextBlock(label=_("内容"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "help"
        label = _("帮助说明")


class SectionPage(RoutablePageMixin, Page):
    """The editors' part of a data section's index page; the data stays in the section's view."""

    base_form_class = CheckedLinksPageForm

    section = models.CharField(
        _("栏目"),
        max_length=20,
        choices=SECTION_CHOICES,
        help_text=_("每种语言每个栏目只有一个栏目页；页面地址就是该栏目的地址，例如 /funeral/。"),
    )
    intro = RichTextField(_("引导语"), features=RICH_TEXT_FEATURES, blank=True)
    help_panels = StreamField(
        [("panel", HelpPanelBlock())],
        verbose_name=_("帮助说明"),
        blank=True,
        help_text=_("显示在数据下方，每一项可以展开阅读。"),
    )
    featured_guides = StreamField(
        [("guide", blocks.PageChooserBlock(label=_("办事指南"), page_type="cms.GuidePage"))],
        verbose_name=_("推荐办事指南"),
        blank=True,
    )
    notice_tag = models.CharField(
        _("通知公告标签"),
        max_length=100,
        blank=True,
        help_text=_("显示带有这个标签的最新通知公告；留空则不显示。"),
    )
    notice_count = models.PositiveSmallIntegerField(_("显示通知公告条数"), default=3)

    content_panels = Page.content_panels + [
        FieldPanel("section"),
        FieldPanel("intro"),
        FieldPanel("help_panels"),
        FieldPanel("featured_guides"),
        MultiFieldPanel([FieldPanel("notice_tag"), FieldPanel("notice_count")], heading=_("通知公告")),
    ]
    parent_page_types = ["cms.HomePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("栏目页")
        verbose_name_plural = _("栏目页")

    @cached_property
    def section_info(self):
        return SECTIONS[self.section]

    def clean(self):
        super().clean()
        if self.section not in SECTIONS:
            return
        others = SectionPage.objects.filter(section=self.section, locale_id=self.locale_id)
        if self.pk:
            others = others.exclude(pk=self.pk)
        if others.exists():
            raise ValidationError({"section": _("这个语言已经有该栏目的栏目页，请编辑原有页面。")})

    def get_url_parts(self, request=None):
        """The section's own address in the page's language: ``/funeral/``, ``/en/funeral/``."""
        parts = super().get_url_parts(request)
        if parts is None or self.section not in SECTIONS:
            return parts
        site_id, root_url, _page_path = parts
        with translation.override(self.locale.language_code):
            return site_id, root_url, self.section_info.url()

    @path("")
    def section_view(self, request):
        """The section's data view, with this page's (perhaps draft) words around the data."""
        if not getattr(request, "is_preview", False):
            return redirect(self.get_url(request))
        request.section_preview = self
        with translation.override(self.locale.language_code):
            return import_string(self.section_info.view)(request)


_NONE = "none"


def section_content(request, section):
    """What the section's index page shows from the CMS in the active language, or ``None``.

    The page being previewed, if this request is its preview; else the live page, from the
    cache while no page has changed (one cache read), remembered on the request."""
    preview = getattr(request, "section_preview", None) if request is not None else None
    if preview is not None and preview.section == section:
        return build_content(preview, request)
    language = translation.get_language() or settings.LANGUAGE_CODE
    memo = getattr(request, "_section_content", None) if request is not None else None
    if memo is not None and (section, language) in memo:
        return memo[(section, language)]
    store = caches[settings.PAGE_CACHE_ALIAS]
    (version,) = pagecache.versions(("cms",))
    key = f"cms:section:{section}:{language}:{version}"
    found = store.get(key)
    if found is None:
        page = live_page(section, language)
        found = _NONE if page is None else build_content(page, request)
        store.set(key, found, settings.PAGE_CACHE_SECONDS)
    content = None if found == _NONE else found
    if request is not None:
        if memo is None:
            memo = request._section_content = {}
        memo[(section, language)] = content
    return content


def live_page(section, language):
    """The live section page in ``language``, else the default language's one, else ``None``."""
    pages = {
        page.locale.language_code: page
        for page in SectionPage.objects.live()
        .filter(section=section, locale__language_code__in={language, settings.LANGUAGE_CODE})
        .select_related("locale")
    }
    return pages.get(language) or pages.get(settings.LANGUAGE_CODE)


def _in_language(pages, language):
    """Each of ``pages`` replaced by its live translation in ``language`` where one exists.
    Pages already in ``language`` (their ``locale`` selected with them) cost no query: the
    common case, the default language."""
    from wagtail.models import Page as BasePage

    if all(page.locale.language_code == language for page in pages):
        return list(pages)
    translations = {
        page.translation_key: page
        for page in BasePage.objects.live()
        .filter(locale__language_code=language, translation_key__in=[p.translation_key for p in pages])
        .specific()
    }
    return [translations.get(page.translation_key, page) for page in pages]


def build_content(page, request=None):
    """The page's content as plain values (rendered HTML, titles and addresses), fit to cache."""
    from .models import GuidePage, NewsPage

    language = translation.get_language() or settings.LANGUAGE_CODE
    # The chosen pages' ids from the stream's raw data: reading the blocks' values would load
    # every chosen page (and its specific page) only to load the live ones again below.
    guide_ids = [block["value"] for block in page.featured_guides.raw_data if block.get("value")]
    live = (
        {g.pk: g for g in GuidePage.objects.live().filter(pk__in=guide_ids).select_related("locale")}
        if guide_ids
        else {}
    )
    guides = _in_language([live[pk] for pk in guide_ids if pk in live], language)
    notices = []
    if page.notice_tag and page.notice_count:
        notices = list(
            NewsPage.objects.live()
            .filter(tags__name=page.notice_tag, locale__language_code=settings.LANGUAGE_CODE)
            .select_related("locale")
            .order_by("-date", "-pk")[: page.notice_count]
        )
        notices = _in_language(notices, language)
    return {
        "title": page.title,
        "seo_title": page.seo_title,
        "search_description": page.search_description,
        "intro": mark_safe(expand_db_html(page.intro)) if page.intro else "",  # noqa: S308 (editor's rich text)
        "help_panels": [
            {"heading": block.value["heading"], "body": mark_safe(block.value["body"].__html__())}  # noqa: S308
            for block in page.help_panels
        ],
        "guides": [
            {"title": guide.title, "url": guide.get_url(request), "summary": getattr(guide, "summary", "")}
            for guide in guides
        ],
        "notices": [
            {"title": notice.title, "url": notice.get_url(request), "date": notice.date} for notice in notices
        ],
    }
