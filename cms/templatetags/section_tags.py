"""``{% section_content "funeral" as section %}``: the CMS's words for a data section's index
page (:mod:`cms.section_pages`), or ``None`` when no section page is published."""

from django import template

from cms.section_pages import section_content as content_for

register = template.Library()


@register.simple_tag(takes_context=True)
def section_content(context, section):
    return content_for(context.get("request"), section)


@register.simple_tag(takes_context=True)
def section_title(context, section, default):
    """The page's ``<title>``: the section page's SEO title, else its title, else ``default``."""
    content = content_for(context.get("request"), section)
    if content:
        return content["seo_title"] or content["title"]
    return default
