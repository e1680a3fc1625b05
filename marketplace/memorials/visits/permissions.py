"""Who may see or change visit records: a cemetery's staff their own cemetery's sessions and
bookings only (another cemetery's answer 404), a family its own bookings only."""

from django.utils.translation import gettext_noop

from accounts.permissions import register_policy
from marketplace.catalogue.permissions import member_provider_ids, provider_type_panels

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


# gettext_noop: the panel's texts are translated per request (catalogue.permissions).
workbench_panels = provider_type_panels(
    "memorial_visits_workbench:provider",
    types=VISIT_PROVIDER_TYPES,
    title=gettext_noop("%(name)s · 预约祭扫"),
    description=gettext_noop("发布祭扫场次，查看每日预约名单，入园核验预约凭证。"),
    kind=gettext_noop("公墓、骨灰堂 · %(role)s"),
)
