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
