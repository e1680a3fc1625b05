"""F11 in a browser at phone size: a family picks a hall slot while ordering, the slot is held
and fixes the time, the order requests it, and the funeral home's confirmation books it. The
pages pass axe and fit the phone's width."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from marketplace.orders.models import Order
from marketplace.orders.slots.models import Booking, BookingStatus, Resource, ResourceKind
from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow, phone_page, sign_in
from tests.factories.orders import id_number

pytestmark = pytest.mark.django_db(transaction=True)

FAMILY = "13900000002"
STAFF = "13910000001"  # 京西示例殡仪馆 admin (catalogue demo)
PROVIDER = "demo-jingxi-funeral-home"


def test_f11_pick_a_slot_while_ordering_and_the_funeral_home_books_it(demo_site, new_page):
    base = demo_site.url
    hall = Resource.objects.filter(
        provider__slug=PROVIDER, kind=ResourceKind.HALL, items__isnull=False
    ).first()
    assert hall is not None, "the demo links a hall of 京西 to the items it serves"
    item = hall.items.first()
    family = phone_page(new_page)
    sign_in(family, base, FAMILY)

    family.goto(f"{base}/funeral/quote/?provider={PROVIDER}")
    family.get_by_label(item.name, exact=True).check()
    family.get_by_role("button", name="生成费用明细").first.click()
    expect(family.get_by_role("heading", name="费用明细")).to_be_visible()
    reference = re.search(r"/quote/([0-9A-F]+)/", family.url).group(1)

    family.goto(f"{base}/orders/new/?quote={reference}")
    family.get_by_role("link", name="选择服务档期").click()
    expect(family.get_by_role("heading", name="选择服务档期")).to_be_visible()
    assert_accessible(family)
    assert_no_horizontal_overflow(family)
    family.locator("fieldset.slot-choices").filter(has_text=hall.name).locator(
        "input[type=radio]"
    ).first.check()
    family.get_by_role("button", name="暂留所选档期").click()
    expect(family.locator(".messages")).to_contain_text("已为您暂留")
    held = Booking.objects.get(user__mobile=FAMILY, status=BookingStatus.HELD, resource=hall)
    starts = timezone.localtime(held.starts_at)
    expect(family.get_by_label("希望服务时间")).to_be_disabled()
    expect(family.get_by_label("希望服务时间")).to_have_value(starts.strftime("%H:%M"))
    assert_accessible(family)

    family.get_by_label("逝者姓名").fill("刘德顺")
    family.get_by_label("逝者性别").select_option("male")
    family.get_by_label("逝者年龄").fill("88")
    family.get_by_label("死亡日期").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    family.get_by_label("逝者居民身份证号").fill(id_number("11010819380315777"))
    family.get_by_label("与逝者关系").fill("女儿")
    family.get_by_role("button", name="下一步：核对订单").click()
    expect(family.locator("#slot")).to_contain_text(hall.name)
    family.get_by_role("button", name="确认下单").click()
    expect(family.locator(".messages")).to_contain_text("订单已提交")
    order = Order.objects.get(quote__reference=reference)
    expect(family.locator("#slot-bookings")).to_contain_text("已随订单提交，待机构确认")
    assert_no_horizontal_overflow(family)

    staff = new_page()
    sign_in(staff, base, STAFF)
    staff.goto(f"{base}/workbench/funeral/orders/{order.reference}/confirm/")
    expect(staff.get_by_label("礼厅")).to_have_value(hall.name)
    staff.get_by_role("button", name="确认订单").click()
    expect(staff.locator(".messages")).to_contain_text("已确认订单")

    family.goto(f"{base}/orders/{order.reference}/")
    expect(family.locator("#slot-bookings")).to_contain_text("已预约")
    assert Booking.objects.get(pk=held.pk).status == BookingStatus.BOOKED
    assert_accessible(family)
