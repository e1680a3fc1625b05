"""How the bureau's admin names and links what a payment pays for (issue 23, point 3).

``payments`` never imports the apps it is paid for. An app that wants its payables linked from
a payment's page registers, from its ``wagtail_hooks`` module, a label and an admin URL::

    admin_payables.register(
        Order,
        label=lambda order: _("殡葬服务订单 %(ref)s") % {"ref": order.reference},
        url=lambda order: reverse("orders_admin:inspect", args=[order.pk]),
        permission="orders.view_order",
    )

Anything else falls back to its model name and ``str()``, and to Wagtail's own
``AdminURLFinder`` (the edit page, when the officer may edit it).
"""

from dataclasses import dataclass

from django.utils.text import capfirst
from wagtail.admin.admin_url_finder import AdminURLFinder

_registry = {}


@dataclass(frozen=True)
class PayableLink:
    label: str
    url: str | None
    kind: str


def register(model, *, label, url, permission=None):
    _registry[model._meta.label_lower] = (label, url, permission)


def link_for(payable, user) -> PayableLink | None:
    """The label and admin URL of ``payable`` as ``user`` may see it (URL ``None`` if not)."""
    if payable is None:
        return None
    kind = str(capfirst(payable._meta.verbose_name))
    entry = _registry.get(payable._meta.label_lower)
    if entry is not None:
        label, url, permission = entry
        allowed = permission is None or user.has_perm(permission)
        return PayableLink(str(label(payable)), url(payable) if allowed else None, kind)
    return PayableLink(str(payable), AdminURLFinder(user).get_edit_url(payable), kind)


def payables_for(intents):
    """Each intent's payable, read with one query per payable model (not one per intent)."""
    by_model = {}
    for intent in intents:
        if intent.content_type_id:
            by_model.setdefault(intent.content_type_id, set()).add(intent.object_id)
    found = {}
    from django.contrib.contenttypes.models import ContentType

    for content_type_id, ids in by_model.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None:
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            found[(content_type_id, str(obj.pk))] = obj
    return {intent.pk: found.get((intent.content_type_id, intent.object_id)) for intent in intents}
