"""Extension points the orders app offers to apps above it.

Orders never imports feedback (``catalogue`` ← ``orders`` ← ``feedback``); feedback adds what a
family can do about its order (review the provider, complain) with ``register_order_action`` in
its ``AppConfig.ready()``, as orders adds its quote action to the catalogue.
"""

_order_actions = []


def register_order_action(func):
    """``func(request, order)`` returns ``(label, url)`` or ``None`` when it doesn't apply. It runs
    on every view of the family's order page, so it should cost at most one small query."""
    if func not in _order_actions:
        _order_actions.append(func)
    return func


def order_actions(request, order):
    return [action for action in (func(request, order) for func in _order_actions) if action]
