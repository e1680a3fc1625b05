"""Demo orders for the demo family (13900000002, 王丽) in several states, including a completed
order with its sealed contract, a signed change order and a cremation certificate.

Idempotent: each demo order is keyed by the (demo) identity number of its deceased.
Signing uses one-time codes made here with a known value, the same check as a real signature.
"""

import datetime
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE
from accounts.models import OneTimeCode, User
from marketplace.catalogue import services as catalogue
from marketplace.catalogue.demo import (
    DEMO_CEMETERY_ADMIN_MOBILE,
    DEMO_PROVIDER_ADMIN_MOBILE,
    FIRST_FUNERAL_HOME,
)
from marketplace.catalogue.models import Provider, ServiceItem

from . import identity
from .models import Order, Signature
from .services.changes import propose_change
from .services.fulfilment import complete_order, start_service
from .services.history import balance_due, mark_paid
from .services.placing import confirm_order, submit_order
from .services.signing import code_purpose, ensure_default_template, issue_contract, sign, signer_name

DEMO_CODE = "246810"


def demo_id(first17):
    return first17 + identity.check_character(first17)


FUNERAL_ITEMS = {
    "殡仪车接运（60公里以内）": 1,
    "遗体冷藏": 3,
    "普通整容": 1,
    "普通告别室（30分钟）": 1,
    "普通火化炉火化": 1,
    "骨灰寄存（1年）": 1,
}
CEMETERY_ITEMS = {"卧式墓位（B区，单穴）": 1, "墓位维护管理费": 20, "墓碑刻字": 1, "落葬仪式": 1}

# id (first 17 digits), provider slug, staff mobile, items, extras, burial choice, resident, target state, deceased
PLAN = [
    (
        "11010819400315123",
        FIRST_FUNERAL_HOME,
        DEMO_PROVIDER_ADMIN_MOBILE,
        FUNERAL_ITEMS,
        {"实木骨灰盒（普通）": 1},
        "ordinary",
        True,
        "completed",
        ("王建国", "male", 86),
    ),
    (
        "11010519380702234",
        FIRST_FUNERAL_HOME,
        DEMO_PROVIDER_ADMIN_MOBILE,
        FUNERAL_ITEMS,
        {"环保可降解骨灰盒": 1},
        "sea",
        True,
        "contract_issued",
        ("李秀英", "female", 91),
    ),
    (
        "11010219450101345",
        "demo-dongjiao-funeral-home",
        None,
        FUNERAL_ITEMS,
        {"花圈": 2},
        "ordinary",
        True,
        "submitted",
        ("张德明", "male", 79),
    ),
    (
        "11010819420512456",
        "demo-xishan-cemetery",
        DEMO_CEMETERY_ADMIN_MOBILE,
        CEMETERY_ITEMS,
        {},
        "ordinary",
        True,
        "countersigned",
        ("王建国", "male", 86),
    ),
]


def _sign(document, user, role):
    OneTimeCode.objects.create(
        user=user,
        purpose=code_purpose(document, role),
        code_hash=make_password(DEMO_CODE),
        expires_at=timezone.now() + timedelta(minutes=5),
    )
    name = document.order.contact_name if role == Signature.Role.FAMILY else signer_name(user)
    sign(
        document,
        user,
        role,
        full_name=name,
        consent=True,
        code=DEMO_CODE,
        shown_sha256=document.draft_sha256,
        ip_address="127.0.0.1",
        user_agent="demo-data",
    )
    document.refresh_from_db()


def _quote(family, provider, wanted, burial_choice, resident):
    items = dict(ServiceItem.objects.filter(provider=provider, name__in=wanted).values_list("name", "pk"))
    selections = {items[name]: quantity for name, quantity in wanted.items() if name in items}
    statement = catalogue.compute_statement(
        provider, selections, burial_choice=burial_choice, beijing_resident=resident
    )
    return catalogue.save_quote(family, statement)


def _advance(order, staff, family, target, template, extras):
    steps = [
        "confirmed",
        "contract_issued",
        "family_signed",
        "countersigned",
        "paid",
        "in_service",
        "completed",
    ]
    goal = steps.index(target) if target in steps else -1
    today = timezone.localdate()
    if goal >= 0:
        confirm_order(
            order,
            staff,
            service_date=order.requested_date,
            service_time=order.requested_time,
            hall="二号告别厅",
        )
    if goal >= 1:
        issue_contract(order, staff, template)
    order.refresh_from_db()
    if goal >= 2:
        _sign(order.contract, family, Signature.Role.FAMILY)
    if goal >= 3:
        _sign(order.contract, staff, Signature.Role.PROVIDER)
    order.refresh_from_db()
    if goal >= 4 and order.status == "countersigned":
        mark_paid(order, amount=balance_due(order), reference=f"DEMO-{order.reference}-1")
    if goal >= 5:
        start_service(order, staff)
        added = dict(
            ServiceItem.objects.filter(provider=order.provider, name__in=extras).values_list("pk", "name")
        )
        if added:
            change = propose_change(
                order,
                staff,
                additions={pk: extras[name] for pk, name in added.items()},
                removals={},
                reason="家属到场后要求增加骨灰盒",
            )
            _sign(change, family, Signature.Role.FAMILY)
            _sign(change, staff, Signature.Role.PROVIDER)
            order.refresh_from_db()
            mark_paid(order, amount=balance_due(order), reference=f"DEMO-{order.reference}-2")
    if goal >= 6:
        complete_order(order, staff, event_date=today, place=f"{order.provider.name} 3 号火化炉")


def load(out):
    """Load the demo orders (idempotent: an order is found again by the deceased's ID digest)."""
    family = User.objects.get(mobile=DEMO_FAMILY_MOBILE)
    template = ensure_default_template()
    today = timezone.localdate()
    made = 0
    for index, (first17, slug, staff_mobile, wanted, extras, burial, resident, target, deceased) in enumerate(
        PLAN
    ):
        number = demo_id(first17)
        if Order.objects.filter(user=family, deceased_id_hmac=identity.digest(number)).exists():
            continue
        provider = Provider.objects.get(slug=slug)
        staff = User.objects.get(mobile=staff_mobile) if staff_mobile else None
        with transaction.atomic():
            quote = _quote(family, provider, wanted, burial, resident)
            completed = target == "completed"
            order = submit_order(
                family,
                quote,
                details={
                    "deceased_name": deceased[0],
                    "deceased_gender": deceased[1],
                    "deceased_age": deceased[2],
                    "date_of_death": today - timedelta(days=3 + index),
                    "deceased_id": number,
                    "contact_name": family.real_name,
                    "contact_relation": "女儿",
                    "requested_date": today if completed else today + timedelta(days=2 + index),
                    "requested_time": datetime.time(9, 30),
                    "family_note": "",
                },
            )
            _advance(order, staff, family, target, template, extras)
        made += 1
    out.write(f"  funeral orders: {made} demo orders created for the family {DEMO_FAMILY_MOBILE}")
