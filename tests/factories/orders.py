"""Builders for orders and contracts: a family, a provider with staff, a saved quote, and an
order driven through the real services to any state (signatures use real SMS codes from the
locmem outbox)."""

import datetime
import re
from decimal import Decimal

from django.utils import timezone

from accounts import sms
from marketplace.catalogue import services as catalogue
from marketplace.catalogue.models import ServiceItem
from marketplace.orders import identity, services
from marketplace.orders.models import Order, Signature
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, make_item, make_member, make_priced_funeral_home

FAMILY_NAME = "王丽"
STAFF_NAME = "赵敏"

LIFECYCLE = [
    "submitted",
    "confirmed",
    "contract_issued",
    "family_signed",
    "countersigned",
    "paid",
    "in_service",
    "completed",
]


def id_number(first17="11010819400315123"):
    return first17 + identity.check_character(first17)


def family_user(**fields):
    fields.setdefault("real_name", FAMILY_NAME)
    fields.setdefault("real_name_verified_at", timezone.now())
    return UserFactory(**fields)


def staff_user(provider, **fields):
    fields.setdefault("real_name", STAFF_NAME)
    return make_member(provider, user=UserFactory(**fields))


def funeral_home(**fields):
    """A published funeral home pricing the standard package (six basic, F7-free items) and an urn."""
    return make_priced_funeral_home(**fields)


def cemetery(**fields):
    provider = ProviderFactory(type="cemetery", name=fields.pop("name", "测试公墓"), **fields)
    make_item(provider, "burial-service", name="落葬仪式", price="800.00", unit="次")
    make_item(provider, "engraving", name="墓碑刻字", price="600.00", unit="次")
    return provider


def items(provider):
    return {item.name: item for item in ServiceItem.objects.filter(provider=provider)}


def make_quote(user, provider, selections=None, *, burial_choice="", resident=False):
    if selections is None:
        selections = {item.pk: 1 for item in ServiceItem.objects.filter(provider=provider, is_active=True)}
    statement = catalogue.compute_statement(
        provider, selections, burial_choice=burial_choice, beijing_resident=resident
    )
    return catalogue.save_quote(user, statement)


def order_details(**overrides):
    today = timezone.localdate()
    details = {
        "deceased_name": "王建国",
        "deceased_gender": "male",
        "deceased_age": 86,
        "date_of_death": today - datetime.timedelta(days=2),
        "deceased_id": id_number(),
        "contact_name": FAMILY_NAME,
        "contact_relation": "女儿",
        "requested_date": today + datetime.timedelta(days=2),
        "requested_time": datetime.time(9, 30),
        "family_note": "",
    }
    details.update(overrides)
    return details


def sent_code():
    return next(
        re.search(r"验证码 (\d{6})", m.text).group(1) for m in reversed(sms.outbox) if "验证码" in m.text
    )


def sign_as(document, user, role, **overrides):
    """Sign through the real flow: request a code by SMS, read it from the locmem outbox, sign."""
    services.send_signing_code(document, user, role)
    name = document.order.contact_name if role == Signature.Role.FAMILY else services.signer_name(user)
    kwargs = {
        "full_name": name,
        "consent": True,
        "code": sent_code(),
        "shown_sha256": document.draft_sha256,
        "ip_address": "203.0.113.9",
        "user_agent": "pytest",
    }
    kwargs.update(overrides)
    signature = services.sign(document, user, role, **kwargs)
    document.refresh_from_db()
    return signature


class Scenario:
    """A family, a provider, its staff member and one order, advanced with :meth:`advance`."""

    def __init__(
        self, provider=None, family=None, staff=None, *, selections=None, burial_choice="", resident=False
    ):
        self.provider = provider or funeral_home()
        self.family = family or family_user()
        self.staff = staff or staff_user(self.provider)
        self.quote = make_quote(
            self.family, self.provider, selections, burial_choice=burial_choice, resident=resident
        )
        self.order = services.submit_order(self.family, self.quote, details=order_details())
        self.template = services.ensure_default_template()

    def refresh(self):
        self.order = Order.objects.get(pk=self.order.pk)
        return self.order

    def advance(self, target):
        steps = LIFECYCLE[LIFECYCLE.index(self.refresh().status) + 1 : LIFECYCLE.index(target) + 1]
        for step in steps:
            order = self.refresh()
            if step == "confirmed":
                services.confirm_order(
                    order,
                    self.staff,
                    service_date=order.requested_date,
                    service_time=order.requested_time,
                    hall="二号告别厅",
                )
            elif step == "contract_issued":
                services.issue_contract(order, self.staff, self.template)
            elif step == "family_signed":
                sign_as(order.contract, self.family, Signature.Role.FAMILY)
            elif step == "countersigned":
                sign_as(order.contract, self.staff, Signature.Role.PROVIDER)
            elif step == "paid":
                services.mark_paid(
                    order, amount=services.balance_due(order), reference=f"PAY-{order.reference}"
                )
            elif step == "in_service":
                services.start_service(order, self.staff)
            elif step == "completed":
                services.complete_order(
                    order, self.staff, event_date=timezone.localdate(), place="测试殡仪馆 1 号炉"
                )
        return self.refresh()


def money(value):
    return Decimal(value).quantize(Decimal("0.01"))
