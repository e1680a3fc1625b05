"""The demo reviews (R1): verified reviews across providers, with replies, one held in the
bureau's queue and one rejected with its reason; the demo family's own order stays open for
review; loading twice changes nothing."""

import os
from importlib import import_module
from importlib.util import find_spec

import pytest
from django.conf import settings

from accounts.demo import DEMO_FAMILY_MOBILE
from accounts.models import User
from marketplace.catalogue.models import Provider
from marketplace.feedback import demo_reviews
from marketplace.feedback.models import Review, ReviewReplyVersion, ReviewStatus
from marketplace.feedback.services.reviews import eligible_orders

pytestmark = pytest.mark.django_db


def _load_up_to_orders(out):
    """The demo data the reviews stand on (every app up to orders), loaded the way
    ``load_demo_data`` does, without the apps after them."""
    for app in settings.PROJECT_APPS:
        if app == "marketplace.feedback":
            break
        if app != "core" and find_spec(f"{app}.demo") is not None:
            import_module(f"{app}.demo").load(out)


def test_demo_reviews_span_providers_with_replies_one_held_and_one_rejected():
    with open(os.devnull, "w") as devnull:
        _load_up_to_orders(devnull)
        demo_reviews.load(devnull)
        count = Review.objects.count()
        demo_reviews.load(devnull)  # idempotent
    assert Review.objects.count() == count == 8
    published = Review.objects.filter(status=ReviewStatus.PUBLISHED)
    assert published.values("provider").distinct().count() == 3
    assert ReviewReplyVersion.objects.values("reply").distinct().count() >= 3
    rejected = Review.objects.get(status=ReviewStatus.REJECTED)
    assert rejected.decision_reason and rejected.decided_by is not None
    assert Review.objects.filter(status=ReviewStatus.HELD).count() == 1
    for provider in Provider.objects.filter(reviews__isnull=False).distinct():
        assert provider.review_count == provider.reviews.filter(status=ReviewStatus.PUBLISHED).count()
        assert sum(provider.rating_distribution) == provider.review_count
    family = User.objects.get(mobile=DEMO_FAMILY_MOBILE)
    assert eligible_orders(family).count() == 1
