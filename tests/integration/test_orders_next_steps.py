"""Issue 18, point 6: tell the family what happens next.

After ordering there was only "请等待机构确认". Now the family sees when the provider usually
confirms (the provider's own setting, else ``ORDERS_DEFAULT_CONFIRMATION_HOURS``), and gets an
SMS at each status change of the order and each step of its contract and change orders: on the
account's proven number, after the transaction commits, and never during the demo's loading.
"""

import datetime

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts import sms
from core.demo import loading
from marketplace.orders import services
from marketplace.orders.notifications import expected_confirmation
from tests.factories.orders import Scenario, funeral_home, items

pytestmark = pytest.mark.django_db

PREFIX = "【北京市民政公共服务平台】您的订单 "


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def texts_to(mobile):
    return [message.text for message in sms.outbox if message.mobile == mobile]


def test_submitting_texts_when_the_provider_usually_confirms_and_the_order_page_says_it(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        scenario = Scenario(provider=funeral_home(confirmation_hours=6))
    order = scenario.order
    expected = timezone.localtime(order.submitted_at) + datetime.timedelta(hours=6)
    assert expected_confirmation(order) == expected
    when = expected.strftime("%Y-%m-%d %H:%M")
    [text] = texts_to(scenario.family.mobile)
    assert text.startswith(PREFIX + order.reference) and "6 小时内" in text and when in text

    client.force_login(scenario.family)
    page = client.get(order.get_absolute_url()).content.decode()
    assert "该机构通常在 6 小时内确认" in page and f"预计 {when} 前" in page


@override_settings(ORDERS_DEFAULT_CONFIRMATION_HOURS=36)
def test_a_provider_without_its_own_setting_uses_the_platform_default(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        scenario = Scenario()
    assert scenario.provider.confirmation_hours is None
    assert "36 小时内" in texts_to(scenario.family.mobile)[0]


def test_each_step_of_the_order_and_its_contract_texts_the_account_number_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        scenario = Scenario()
    steps = [
        "confirmed",
        "contract_issued",
        "family_signed",
        "countersigned",
        "paid",
        "in_service",
        "completed",
    ]
    expected_words = [
        "已确认服务时间",
        "合同已出具",
        "您已签署合同",
        "合同已生效",
        "已收到付款",
        "服务已开始",
        "服务已完成",
    ]
    for step, words in zip(steps, expected_words, strict=True):
        before = len(sms.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            scenario.advance(step)
        new = [message for message in sms.outbox[before:] if PREFIX in message.text]
        assert len(new) == 1, (step, [m.text for m in new])
        assert new[0].mobile == scenario.family.mobile and words in new[0].text, (step, new[0].text)
    # Status texts go to the ordering account's number only (signing codes go to each signer).
    assert {message.mobile for message in sms.outbox if PREFIX in message.text} == {scenario.family.mobile}


def test_a_change_order_is_texted_when_proposed_and_when_declined(django_capture_on_commit_callbacks):
    scenario = Scenario()
    scenario.advance("paid")
    with django_capture_on_commit_callbacks(execute=True):
        change = services.propose_change(
            scenario.order,
            scenario.staff,
            additions={items(scenario.provider)["骨灰盒"].pk: 1},
            removals={},
            reason="加骨灰盒",
        )
    assert "提出了合同变更" in sms.outbox[-1].text and change.display_number in sms.outbox[-1].text
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_change(change, scenario.family)
    assert "您已拒绝合同变更" in sms.outbox[-1].text and "原合同继续有效" in sms.outbox[-1].text


def test_a_move_that_is_rolled_back_texts_no_one(django_capture_on_commit_callbacks):
    scenario = Scenario()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        scenario.advance("confirmed")
        raise RuntimeError("the rest of the request failed")
    assert not sms.outbox
    assert scenario.refresh().status == "submitted"


def test_nothing_is_texted_while_the_demo_loads_or_when_switched_off(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), loading():
        Scenario().advance("confirmed")
    with override_settings(ORDERS_STATUS_SMS=False), django_capture_on_commit_callbacks(execute=True):
        Scenario().advance("confirmed")
    assert not sms.outbox
