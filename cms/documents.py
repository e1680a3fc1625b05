"""What the CMS shows in the site-wide search: live, public service guides, notices and
standard pages (title, search description and body text), each in its own language.

A Chinese page also stands in for the languages it has no live translation in, as the page
tree falls back to it, so the English search still finds a guide nobody has translated yet.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail.signals import post_page_move

from search.index import index_objects
from search.registry import DocumentType, Entry, display, register
from search.text import join, plain_text

from .models import GuidePage, NewsPage, StandardPage

PAGE_TYPES = (GuidePage, NewsPage, StandardPage)


def public_pages(model):
    return model.objects.live().public().select_related("locale")


def _languages(page):
    own = page.locale.language_code
    if own != Locale.get_default().language_code:
        return (own,)
    translated = set(
        Page.objects.live()
        .public()
        .filter(translation_key=page.translation_key)
        .exclude(pk=page.pk)
        .values_list("locale__language_code", flat=True)
    )
    return (own, *(code for code, _name in settings.LANGUAGES if code != own and code not in translated))


def _body(page):
    if isinstance(page, GuidePage):
        return join(
            page.service_name,
            page.summary,
            plain_text(page.legal_basis),
            plain_text(page.eligibility),
            plain_text(page.materials),
            plain_text(page.steps),
            page.fees,
            page.where_to_apply,
            plain_text(page.faqs),
        )
    if isinstance(page, NewsPage):
        return join(page.document_number, page.summary, plain_text(page.body))
    if isinstance(page, StandardPage):
        return join(page.intro, plain_text(page.body))
    return ""


def page_entry(page):
    url = page.get_url()
    if not url:
        return None
    if isinstance(page, NewsPage):
        day, extra = page.date, page.document_number
    else:
        day = timezone.localdate(page.last_published_at) if page.last_published_at else None
        extra = display(page, "topic") if isinstance(page, GuidePage) else ""
    return Entry(
        title=page.title,
        body=join(page.search_description, _body(page)),
        url=url,
        date=day,
        extra=str(extra),
        languages=_languages(page),
    )


def _same_page_and_translations(model):
    """A save of any page class (a generic ``Page`` too, as when unpublishing from the tree)
    indexes that page again, and its translations: where the source page stands in changes."""
    return lambda page: model.objects.filter(translation_key=page.translation_key).values_list(
        "pk", flat=True
    )


def _below(model):
    """A privacy setting hides or shows the page and everything below it."""
    return lambda restriction: model.objects.descendant_of(restriction.page, inclusive=True).values_list(
        "pk", flat=True
    )


for key, label, model, order in (
    ("guide", _("办事指南"), GuidePage, 50),
    ("news", _("通知公告"), NewsPage, 60),
    ("page", _("普通页面"), StandardPage, 70),
):
    register(
        DocumentType(
            key=key,
            label=label,
            model=model,
            queryset=lambda model=model: public_pages(model),
            entry=page_entry,
            order=order,
            depends_on={Page: _same_page_and_translations(model), PageViewRestriction: _below(model)},
        )
    )


def _moved(sender, instance, **kwargs):
    """A move changes the URLs of the page and everything below it."""
    index_objects(Page.objects.descendant_of(instance, inclusive=True).type(*PAGE_TYPES))


post_page_move.connect(_moved, dispatch_uid="cms.search.page_moved")
