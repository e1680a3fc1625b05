"""The demo of booked visits (M3): a festival period a few days ahead with peak sessions at two
demo cemeteries, open for booking today, and bookings with passes; loading twice changes nothing."""

import datetime
import io

import pytest
from django.utils import timezone

from accounts.demo import load as load_accounts
from marketplace.catalogue.demo import load as load_catalogue
from marketplace.memorials.visits import demo, services
from marketplace.memorials.visits.models import Booking, FestivalPeriod, VisitSession

pytestmark = pytest.mark.django_db


def test_visits_demo_has_an_open_festival_with_bookings_and_is_idempotent():
    out = io.StringIO()
    load_accounts(out)
    load_catalogue(out)
    demo.load(out)
    counts = (FestivalPeriod.objects.count(), VisitSession.objects.count(), Booking.objects.count())
    demo.load(out)
    assert (FestivalPeriod.objects.count(), VisitSession.objects.count(), Booking.objects.count()) == counts
    period = FestivalPeriod.objects.get()
    today = timezone.localdate()
    assert period.starts_on > today and (period.starts_on - today).days < 7
    providers = set(VisitSession.objects.values_list("provider__slug", flat=True))
    assert providers == {"demo-xishan-cemetery", "demo-chaobai-columbarium"}
    peak = VisitSession.objects.filter(period=period, provider__slug="demo-xishan-cemetery").first()
    assert (peak.normal_capacity, peak.capacity) == (200, 140)
    indoor = VisitSession.objects.filter(period=period, provider__slug="demo-chaobai-columbarium").first()
    assert indoor.capacity == 50
    assert services.open_sessions().filter(period=period).exists()
    assert Booking.objects.count() == 3
    assert all(booking.pass_document_id for booking in Booking.objects.all())
    assert period.ends_on - period.starts_on == datetime.timedelta(days=6)
