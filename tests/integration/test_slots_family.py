"""F11 over HTTP, the family's side: the order form offers the slots of the quote's services, a
chosen slot is held and fixes the wanted date and time, confirming the order requests it, a lapsed
hold places no order, and a move the provider proposes waits for the family's answer."""

import datetime
import re

import pytest
from django.utils import timezone

from marketplace.orders import services as orders
from marketplace.orders.models import Order
from marketplace.orders.slots import services
from marketplace.orders.slots.models import Booking, BookingStatus, Slot
from tests.factories.orders import family_user, funeral_home, make_quote, order_details, staff_user
from tests.factories.slots import at, hall, published
from tests.integration.test_orders_views import confirm_order, form_data

pytestmark = pytest.mark.django_db
B = BookingStatus


def tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


def setup_quote(provider=None):
    provider = provider or funeral_home()
    resource = published(hall(provider), days=3)
    family = family_user()
    quote = make_quote(family, provider)
    resource.items.set([line.item_id for line in quote.lines.all()][:1])
    return provider, resource, family, quote


def slot_at(resource, hour, day=None):
    return Slot.objects.get(resource=resource, starts_at=at(day or tomorrow(), hour))


def test_f11_the_order_form_offers_slots_and_a_chosen_slot_is_held_and_ordered(client):
    provider, resource, family, quote = setup_quote()
    client.force_login(family)
    page = client.get(f"/orders/new/?quote={quote.reference}").content.decode()
    assert "选择服务档期" in page
    page = client.get(f"/orders/new/slots/?quote={quote.reference}").content.decode()
    assert "福寿厅" in page and "08:00–09:00" in page and "11:00–12:00" in page
    response = client.post("/orders/new/slots/", {"quote": quote.reference, "slot": slot_at(resource, 10).pk})
    assert response.status_code == 302
    booking = Booking.objects.get(user=family, status=B.HELD)
    page = client.get(response["Location"]).content.decode()
    assert "已为您暂留" in page and "福寿厅" in page
    assert re.search(r'name="requested_time"[^>]*disabled', page)
    # The posted wanted time is ignored: the held slot is the time.
    client.post("/orders/new/", form_data(quote, requested_time="15:00"))
    response = confirm_order(client, quote)
    order = Order.objects.get(quote=quote)
    booking.refresh_from_db()
    assert (booking.status, booking.order) == (B.REQUESTED, order)
    assert (order.requested_date, order.requested_time) == (tomorrow(), datetime.time(10))
    assert "已随订单提交" in client.get(order.get_absolute_url()).content.decode()


def test_f11_choosing_another_slot_releases_the_first_only_once_the_new_one_is_held(client):
    _provider, resource, family, quote = setup_quote()
    client.force_login(family)
    client.post("/orders/new/slots/", {"quote": quote.reference, "slot": slot_at(resource, 8).pk})
    services.hold(slot_at(resource, 9), family_user())  # another family is quicker
    client.post("/orders/new/slots/", {"quote": quote.reference, "slot": slot_at(resource, 9).pk})
    assert list(Booking.objects.filter(user=family).values_list("status", flat=True)) == [B.HELD]
    client.post("/orders/new/slots/", {"quote": quote.reference, "slot": slot_at(resource, 11).pk})
    statuses = dict(Booking.objects.filter(user=family).values_list("starts_at", "status"))
    assert statuses == {at(tomorrow(), 8): B.RELEASED, at(tomorrow(), 11): B.HELD}


def test_f11_a_lapsed_hold_places_no_order(client, settings):
    settings.F11_HOLD_MINUTES = 15
    _provider, resource, family, quote = setup_quote()
    client.force_login(family)
    client.post("/orders/new/slots/", {"quote": quote.reference, "slot": slot_at(resource, 10).pk})
    client.post("/orders/new/", form_data(quote))
    Booking.objects.filter(user=family).update(held_until=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(f"/orders/new/check/?quote={quote.reference}")
    assert response.status_code == 302 and response["Location"].startswith("/orders/new/?")
    assert any("已超过 15 分钟" in str(m) for m in response.wsgi_request._messages)
    assert not Order.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "选择服务档期" in page and not re.search(r'name="requested_time"[^>]*disabled', page)


def test_f11_another_familys_quote_or_another_providers_slot_is_404(client):
    _provider, resource, family, quote = setup_quote()
    _other, elsewhere, _stranger, _their_quote = setup_quote()
    client.force_login(family_user())
    assert client.get(f"/orders/new/slots/?quote={quote.reference}").status_code == 404
    assert (
        client.post(
            "/orders/new/slots/", {"quote": quote.reference, "slot": slot_at(resource, 8).pk}
        ).status_code
        == 404
    )
    client.force_login(family)
    response = client.post("/orders/new/slots/", {"quote": quote.reference, "slot": slot_at(elsewhere, 8).pk})
    assert response.status_code == 404
    assert not Booking.objects.exists()


def test_f11_the_family_answers_a_proposed_move_on_the_order_page(client):
    provider, resource, family, quote = setup_quote()
    order = orders.submit_order(
        family, quote, details=order_details(), hold=services.hold(slot_at(resource, 8), family)
    )
    booking = Booking.objects.get(order=order)
    services.propose_move(booking, slot_at(resource, 11), staff_user(provider), note="礼厅检修")
    client.force_login(family_user())
    url = f"/orders/{order.reference}/slots/{booking.pk}/accept-move/"
    assert client.post(url).status_code == 404
    client.force_login(family)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "机构提议改约至" in page and "礼厅检修" in page
    client.post(f"/orders/{order.reference}/slots/{booking.pk}/decline-move/")
    booking.refresh_from_db()
    assert booking.proposed_slot is None and booking.status == B.REQUESTED
    services.propose_move(booking, slot_at(resource, 11), staff_user(provider), note="礼厅检修")
    client.post(url)
    booking.refresh_from_db()
    assert booking.status == B.MOVED and booking.moved_to.starts_at == at(tomorrow(), 11)


def test_f11_the_slot_page_is_flat_in_queries(client, django_assert_max_num_queries):
    provider, resource, family, quote = setup_quote()
    for n in range(3):
        extra = hall(provider, name=f"厅{n}")
        published(extra, days=3)
        extra.items.set(resource.items.all())
    client.force_login(family)
    with django_assert_max_num_queries(20):
        assert client.get(f"/orders/new/slots/?quote={quote.reference}").status_code == 200


def test_f11_the_provider_confirms_the_booked_hall_prefilled_and_sees_a_pending_move(client):
    provider, resource, family, quote = setup_quote()
    staff = staff_user(provider)
    order = orders.submit_order(
        family, quote, details=order_details(), hold=services.hold(slot_at(resource, 9), family)
    )
    client.force_login(staff)
    page = client.get(f"/workbench/funeral/orders/{order.reference}/confirm/").content.decode()
    assert 'value="福寿厅"' in page
    booking = Booking.objects.get(order=order)
    services.propose_move(booking, slot_at(resource, 11), staff, note="礼厅检修")
    page = client.get(f"/workbench/funeral/orders/{order.reference}/").content.decode()
    assert "机构提议改约至" in page and "等待家属同意" in page and "accept-move" not in page


def test_f11_a_malformed_slot_or_day_is_answered_not_a_server_error(client):
    _provider, _resource, family, quote = setup_quote()
    client.force_login(family)
    assert (
        client.post("/orders/new/slots/", {"quote": quote.reference, "slot": "1 OR 1=1"}).status_code == 404
    )
    assert client.get(f"/orders/new/slots/?quote={quote.reference}&day=2026-13-45").status_code == 200
    assert not Booking.objects.exists()
