"""Who may see or change visit records: a cemetery's staff their own cemetery's sessions and
bookings only (another cemetery's answer 404), a family its own bookings only."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.permissions import register_policy
from accounts.workbench import Panel
from marketplace.catalogue.models import ProviderMembership
from marketplace.catalogue.permissions import member_provider_ids

from .models import VISIT_PROVIDER_TYPES, Booking, VisitSession


def register_policies():
    register_policy(
        VisitSession,
        can_manage=lambda user, session: session.provider_id in member_provider_ids(user),
        scope=lambda user, queryset: (
            queryset if user.is_superuser else queryset.filter(provider_id__in=member_provider_ids(user))
        ),
    )
    register_policy(
        Booking,
        can_manage=lambda user, booking: booking.user_id == user.pk,
        scope=lambda user, queryset: queryset.filter(user=user),
    )


def staff_bookings(user, queryset=None):
    """The bookings of the cemeteries a staff member belongs to (the gate and the day sheet)."""
    queryset = queryset if queryset is not None else Booking.objects.all()
    return queryset.filter(session__provider_id__in=member_provider_ids(user))


def workbench_panels(user):
    memberships = (
        ProviderMembership.objects.filter(user=user, provider__type__in=VISIT_PROVIDER_TYPES)
        .select_related("provider")
        .order_by("provider__name")
    )
    return [
        Panel(
            title=_("%(name)s · 预约祭扫") % {"name": membership.provider.name},
            url=reverse("memorial_visits_workbench:provider", kwargs={"slug": membership.provider.slug}),
            description=_("发布祭扫场次，查看每日预约名单，入园核验预约凭证。"),
            kind=_("公墓、骨灰堂 · %(role)s") % {"role": membership.get_role_display()},
        )
        for membership in memberships
    ]
