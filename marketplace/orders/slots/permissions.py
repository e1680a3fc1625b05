"""Who may see or change slot records (F11): a funeral home's staff their own funeral home's
resources, slots and bookings only; another funeral home's answer 404 (the workbench fetches
every record through :func:`funeral_home_or_404` and filters by that provider)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import get_managed_or_404, register_policy, scope
from accounts.workbench import Panel
from marketplace.catalogue.models import Provider, ProviderMembership, ProviderType
from marketplace.catalogue.permissions import member_provider_ids

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


def workbench_panels(user):
    memberships = (
        ProviderMembership.objects.filter(user=user, provider__type__in=SLOT_PROVIDER_TYPES)
        .select_related("provider")
        .order_by("provider__name")
    )
    return [
        Panel(
            title=_("%(name)s · 服务档期") % {"name": membership.provider.name},
            url=reverse("order_slots_workbench:provider", kwargs={"slug": membership.provider.slug}),
            description=_("管理告别厅、火化线和殡仪车，按月发布档期，查看每日预约名单。"),
            kind=_("殡仪馆 · %(role)s") % {"role": membership.get_role_display()},
        )
        for membership in memberships
    ]
