"""Extension points the catalogue offers to apps above it.

The catalogue never imports the orders app; orders registers what a family can do
with a saved quote (``register_quote_action``) in its ``AppConfig.ready()``.
"""

_quote_actions = []


def register_quote_action(func):
    """``func(request, quote)`` returns ``(label, url)`` or ``None`` when it doesn't apply."""
    if func not in _quote_actions:
        _quote_actions.append(func)
    return func


def quote_actions(request, quote):
    return [action for action in (func(request, quote) for func in _quote_actions) if action]


# Sections of the provider page that higher apps contribute (feedback adds the reviews
# and the complaint statistics). ``context_func(provider, request)`` returns a dict for
# the section's template, or ``None`` to leave the section out; it runs once per page
# view and should use a constant number of queries.
_provider_sections = {}


def register_provider_section(key, template, context_func, order=100):
    _provider_sections[key] = (order, template, context_func)


def provider_sections(provider, request):
    rendered = []
    for key, (_order, template, context_func) in sorted(
        _provider_sections.items(), key=lambda entry: (entry[1][0], entry[0])
    ):
        context = context_func(provider, request)
        if context is not None:
            rendered.append({"key": key, "template": template, "context": context})
    return rendered
