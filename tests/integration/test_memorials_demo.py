"""The demo memorials (M1): public ones including a sea burial and one at a demo cemetery,
one unlisted, one private opened by the documented code, one reported message in the
queue; loading twice changes nothing."""

import io

import pytest
from django.contrib.sessions.backends.db import SessionStore

from accounts import demo as accounts_demo
from marketplace.catalogue import demo as catalogue_demo
from marketplace.memorials import demo, services
from marketplace.memorials.models import Memorial, MemorialReport, RestingKind, Tribute, Visibility

pytestmark = pytest.mark.django_db


def test_memorials_demo_covers_every_kind_and_is_idempotent(catalogue_categories):
    out = io.StringIO()
    accounts_demo.load(out)
    catalogue_demo.load(out)
    demo.load(out)
    counts = (Memorial.objects.count(), Tribute.objects.count(), MemorialReport.objects.count())
    demo.load(out)
    assert (Memorial.objects.count(), Tribute.objects.count(), MemorialReport.objects.count()) == counts
    public = Memorial.objects.public()
    assert public.filter(resting_kind=RestingKind.SEA).exists()
    assert public.filter(
        resting_kind=RestingKind.PROVIDER, resting_provider__slug="demo-xishan-cemetery"
    ).exists()
    assert Memorial.objects.filter(visibility=Visibility.UNLISTED).count() == 1
    private = Memorial.objects.get(visibility=Visibility.PRIVATE)
    assert services.open_reports().count() == 1 and services.open_reports().get().tribute is not None
    services.check_access_code(private, demo.DEMO_ACCESS_CODE, ip="198.51.100.7", session=SessionStore())
    assert demo.DEMO_ACCESS_CODE in out.getvalue()
