"""Who may see or change slot records (F11): a funeral home's staff their own funeral home's
resources, slots and bookings only; another funeral home's answer 404 (the workbench fetches
every record through :func:`funeral_home_or_404` and filters by that provider)."""

from django.utils.translation import gettext_noop

from accounts.permissions import get_managed_or_404, register_policy, scope
from marketplace.catalogue.models import Provider, ProviderType
from marketplace.catalogue.permissions import member_provider_ids, provider_type_panels

from .models import Resource

SLOT_PROVIDER_TYPES = (ProviderType.FUNERAL_HOME,)


def register_policies():
    register_policy(
        Resource,
        can_manage=lambda user, resource: resource.provider_id in member_provider_ids(user),
        scope=lambda user, queryset: (
            queryset if user.is_superuser else queryset.filter(provider_id__in=member_provider_ids(user))
        ),
    )


def funeral_homes(user):
    """The funeral homes a user is staff of (all of them for a superuser)."""
    return scope(user, Provider.objects.filter(type__in=SLOT_PROVIDER_TYPES))


def funeral_home_or_404(user, slug):
    """One funeral home the user is staff of; any other slug answers 404."""
    return get_managed_or_404(user, Provider.objects.filter(type__in=SLOT_PROVIDER_TYPES), slug=slug)


# gettext_noop: the panel's texts are translated per request (catalogue.permissions).
workbench_panels = provider_type_panels(
    "order_slots_workbench:provider",
    types=SLOT_PROVIDER_TYPES,
    title=gettext_noop("%(name)s · 服务档期"),
    description=gettext_noop("管理告别厅、火化线和殡仪车，按月发布档期，查看每日预约名单。"),
    kind=gettext_noop("殡仪馆 · %(role)s"),
)
