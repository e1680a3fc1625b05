"""Who may see or change catalogue records: provider staff their own provider only."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import register_policy
from accounts.workbench import Panel

from .models import (
    PackageMapping,
    PriceFlag,
    PriceVersion,
    Provider,
    ProviderMembership,
    Quote,
    ServiceItem,
)


def member_provider_ids(user, *, admin_only=False):
    """The ids of the providers a user belongs to (cached on the user object per request)."""
    attr = "_catalogue_admin_provider_ids" if admin_only else "_catalogue_provider_ids"
    if not hasattr(user, attr):
        memberships = ProviderMembership.objects.filter(user=user)
        if admin_only:
            memberships = memberships.filter(role=ProviderMembership.Role.ADMIN)
        setattr(user, attr, set(memberships.values_list("provider_id", flat=True)))
    return getattr(user, attr)


def is_provider_admin(user, provider):
    return user.is_superuser or provider.pk in member_provider_ids(user, admin_only=True)


def _by_provider(field):
    def can_manage(user, obj):
        return getattr(obj, field) in member_provider_ids(user)

    def scope(user, queryset):
        if user.is_superuser:
            return queryset
        return queryset.filter(**{f"{field}__in": member_provider_ids(user)})

    return can_manage, scope


def register_policies():
    for model, field in (
        (Provider, "pk"),
        (ServiceItem, "provider_id"),
        (PriceVersion, "provider_id"),
        (PriceFlag, "provider_id"),
        (PackageMapping, "provider_id"),
    ):
        can_manage, scope = _by_provider(field)
        register_policy(model, can_manage=can_manage, scope=scope)
    register_policy(
        Quote,
        can_manage=lambda user, quote: quote.user_id == user.pk,
        scope=lambda user, queryset: queryset.filter(user=user),
    )


def workbench_panels(user):
    memberships = (
        ProviderMembership.objects.filter(user=user).select_related("provider").order_by("provider__name")
    )
    return [
        Panel(
            title=membership.provider.name,
            url=reverse("catalogue_workbench:provider", kwargs={"slug": membership.provider.slug}),
            description=_("维护机构信息、服务项目和价格，查看价格异常标记。"),
            kind=_("殡葬服务机构 · %(role)s") % {"role": membership.get_role_display()},
        )
        for membership in memberships
    ]


def provider_type_panels(url_name, *, types, title, description, kind):
    """A provider for ``accounts.workbench.register_panels``: one panel per provider of
    ``types`` the user is staff of, titled ``title % {"name": …}``, linking to ``url_name`` with
    the provider's slug, of kind ``kind % {"role": …}``. Texts are gettext msgids, translated in
    the language of the request (visits, slots)."""

    def panels(user):
        from django.urls import reverse
        from django.utils.translation import gettext

        from accounts.workbench import Panel

        from .models import ProviderMembership

        memberships = (
            ProviderMembership.objects.filter(user=user, provider__type__in=types)
            .select_related("provider")
            .order_by("provider__name")
        )
        return [
            Panel(
                title=gettext(title) % {"name": membership.provider.name},
                url=reverse(url_name, kwargs={"slug": membership.provider.slug}),
                description=gettext(description),
                kind=gettext(kind) % {"role": membership.get_role_display()},
            )
            for membership in memberships
        ]

    return panels
