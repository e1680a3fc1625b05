"""Demo data of the 身后一件事 checklist: the demo family's (13900000002, 王丽) checklist for
the death behind its completed demo order (王建国), part done: two other departments' steps
ticked, the rest left. The platform's own steps show the order, its cremation certificate
and whatever else the other demos made (a 惠民殡葬 application, a memorial, a visit) live.
The demo guides (办事指南) are linked to the steps they explain. Safe to run twice."""

import datetime

from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE
from accounts.models import User
from marketplace.orders import identity
from marketplace.orders.models import Order

from . import services
from .models import ChecklistStep, ChecklistTick, PlatformItem

# The deceased of the completed demo order (marketplace/orders/demo.py, PLAN[0]).
DEMO_DECEASED_ID_FIRST17 = "11010819400315123"
# Two other departments' steps the family has done (titles of the default steps, migration 0002).
TICKED = ("开具死亡医学证明", "注销户口")
# Demo guide pages (cms/demo.py slugs) and the steps they explain.
GUIDES = {PlatformItem.CERTIFICATE: "cremation-certificate", PlatformItem.SUBSIDY: "sea-burial-subsidy"}


def _demo_order(family):
    first17 = DEMO_DECEASED_ID_FIRST17
    digest = identity.digest(first17 + identity.check_character(first17))
    return Order.objects.filter(user=family, deceased_id_hmac=digest).order_by("pk").first()


def _link_guides():
    from cms.locales import find_default_locale
    from cms.models import GuidePage

    locale = find_default_locale()
    for item, slug in GUIDES.items():
        step = ChecklistStep.objects.filter(platform_item=item, guide_page__isnull=True).first()
        guides = GuidePage.objects.live().filter(slug=slug)
        if locale is not None:
            guides = guides.filter(locale=locale)
        guide = guides.first()
        if step is not None and guide is not None:
            step.guide_page = guide
            step.save(update_fields=["guide_page"])


def load(out=None, *, today=None):
    """Build the demo family's checklist. ``load(today=…)`` fixes the day (tests); the demo
    loader calls ``load(stdout)``. Returns the checklist, or ``None`` when the demo family or
    its completed order is missing."""
    if isinstance(out, datetime.date):  # load(some_day) called positionally
        out, today = None, out
    today = today or timezone.localdate()
    write = out.write if out is not None else (lambda text: None)
    family = User.objects.filter(mobile=DEMO_FAMILY_MOBILE).first()
    order = _demo_order(family) if family is not None else None
    if order is None:
        write("  checklist demo: no completed demo order of the demo family; skipped")
        return None
    _link_guides()
    checklist, created = services.start_checklist(family, order=order, today=max(today, order.date_of_death))
    if created:
        for step in ChecklistStep.objects.active().filter(platform_item="", title__in=TICKED):
            services.tick(checklist, step.pk, family)
    write(
        f"  checklist demo: {checklist.reference} for {checklist.deceased_name}"
        f" ({ChecklistTick.objects.filter(checklist=checklist).count()} steps ticked)"
    )
    return checklist
