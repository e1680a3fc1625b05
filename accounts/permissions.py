"""A small permission API that apps with membership models implement.

An app that scopes records to an organisation or a provider registers one
*policy* per model (in ``AppConfig.ready()``)::

    register_policy(ServiceItem, can_view=..., can_manage=..., scope=...)

Views then ask ``can_manage(user, obj)`` or filter with ``scope(user, Model)``.
Nothing is allowed unless a policy says so: an unregistered model is denied to
everyone but superusers.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404


@dataclass(frozen=True)
class Policy:
    can_view: Callable[[Any, Any], bool]
    can_manage: Callable[[Any, Any], bool]
    scope: Callable[[Any, Any], Any] | None = None


_policies: dict[type, Policy] = {}


def register_policy(model, *, can_manage, can_view=None, scope=None):
    _policies[model] = Policy(can_view=can_view or can_manage, can_manage=can_manage, scope=scope)


def _policy_for(model):
    for klass in model.__mro__:
        if klass in _policies:
            return _policies[klass]
    return None


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def can_view(user, obj):
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    policy = _policy_for(type(obj))
    return bool(policy and policy.can_view(user, obj))


def can_manage(user, obj):
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    policy = _policy_for(type(obj))
    return bool(policy and policy.can_manage(user, obj))


def scope(user, model_or_queryset):
    """The records of a model the user may manage, as a queryset (empty when none)."""
    queryset = (
        model_or_queryset if hasattr(model_or_queryset, "model") else model_or_queryset._default_manager.all()
    )
    if not _active(user):
        return queryset.none()
    policy = _policy_for(queryset.model)
    if policy is None or policy.scope is None:
        return queryset if user.is_superuser else queryset.none()
    return policy.scope(user, queryset)


def get_managed_or_404(user, queryset, **lookup):
    """Fetch one record the user may manage. Another party's record answers 404, not 403,
    so that its existence isn't disclosed."""
    try:
        obj = scope(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc
    if not can_manage(user, obj):
        raise Http404
    return obj
