"""The GOV.UK error summary, in one place for every page.

``base.html`` wraps its content block in ``{% error_summary %}…{% enderror_summary %}``
and starts its ``<title>`` with ``{% error_title_prefix %}``. Both look through the
template context for bound forms (and formsets) with errors, so a view only has to put
its form in the context, as every view already does; no template or view opts in.

The summary goes straight after the page's first ``<h1>`` (or first in the content when
there is none), lists one link per field error to the field's id, and lists non-field
errors too. ``static/js/error-summary.js`` moves the focus to it on load. A page that
renders its own summary (an element with ``id="error-summary"``) keeps it.
"""

import re

from django import forms, template
from django.forms.formsets import BaseFormSet
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

_H1_END = re.compile(r"</h1\s*>", re.IGNORECASE)
_OWN_SUMMARY = 'id="error-summary"'


FORM_TYPES = (forms.BaseForm, BaseFormSet)


def _forms_in(value):
    # type(), not isinstance(): isinstance() reads __class__, which evaluates lazy context
    # values such as csrf_token, and that would set a CSRF cookie on every page.
    kind = type(value)
    if issubclass(kind, FORM_TYPES):
        yield value
    elif kind in (list, tuple):
        for item in value:
            if issubclass(type(item), FORM_TYPES):
                yield item


def _form_errors(form):
    items = []
    for message in form.non_field_errors():
        items.append({"anchor": "", "message": message})
    for bound in form:
        for message in bound.errors:
            label = str(bound.label or "").strip().rstrip(":：")
            text = str(message)
            if label and label.lower() not in text.lower():
                text = f"{label}{gettext('：')}{text}"
            anchor = "" if bound.is_hidden else (bound.id_for_label or bound.auto_id or "")
            items.append({"anchor": anchor, "message": text})
    return items


def form_errors_in_context(context):
    """Every error of every bound form or formset in the context, in the forms' field
    order: ``[{"anchor": field id or "", "message": text}, …]``."""
    seen, items = set(), []
    for value in context.flatten().values():
        for form in _forms_in(value):
            if id(form) in seen or not form.is_bound:
                continue
            seen.add(id(form))
            if isinstance(form, BaseFormSet):
                if form.is_valid():
                    continue
                items.extend({"anchor": "", "message": m} for m in form.non_form_errors())
                for member in form.forms:
                    items.extend(_form_errors(member))
            elif form.errors:
                items.extend(_form_errors(form))
    return items


@register.simple_tag(takes_context=True)
def error_title_prefix(context):
    """ "错误：" / "Error: " before the page title when a form on the page has errors."""
    return gettext("错误：") if form_errors_in_context(context) else ""


class ErrorSummaryNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        content = self.nodelist.render(context)
        if _OWN_SUMMARY in content:
            return content
        errors = form_errors_in_context(context)
        if not errors:
            return content
        # In the order the fields stand on the page (GOV.UK), errors without a field first.
        errors.sort(key=lambda error: content.find(f'id="{error["anchor"]}"') if error["anchor"] else -1)
        summary = render_to_string(
            "includes/error_summary.html", {"errors": errors}, request=context.get("request")
        )
        match = _H1_END.search(content)
        at = match.end() if match else 0
        # Both parts are template output, already escaped by the template engine.
        return mark_safe(content[:at] + "\n" + summary + content[at:])  # noqa: S308 - rendered templates


@register.tag("error_summary")
def do_error_summary(parser, token):
    nodelist = parser.parse(("enderror_summary",))
    parser.delete_first_token()
    return ErrorSummaryNode(nodelist)
