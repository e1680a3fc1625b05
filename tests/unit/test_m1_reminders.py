"""The keepers' yearly anniversary SMS (issue 17): opt-in only, sent once a year however often
the daily job runs, never for a memorial the bureau hid, 29 February on 28 February in common
years, and the number of days before is the setting."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.http import Http404
from django.test import override_settings

from accounts import sms
from marketplace.memorials.models import AnniversaryReminder, Memorial, MemorialStatus
from marketplace.memorials.services.reminders import send_anniversary_reminders, set_reminder
from marketplace.memorials.tasks import send_anniversary_reminders_task
from tests.factories.memorials import make_memorial
from tests.factories.orders import family_user

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2030, 4, 2)


@pytest.fixture(autouse=True)
def _outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def opted_in(death_date, **fields):
    keeper = family_user(mobile=fields.pop("mobile", "13712345678"))
    memorial = make_memorial(
        keeper, death_date=death_date, birth_date=datetime.date(1940, 1, 1), sea_date=death_date, **fields
    )
    set_reminder(memorial, keeper, True)
    return keeper, memorial


@override_settings(M1_ANNIVERSARY_SMS_DAYS_BEFORE=3)
def test_m1_an_opted_in_keeper_gets_one_sms_before_the_anniversary_once_a_year():
    keeper, memorial = opted_in(datetime.date(2021, 4, 5))
    family_user(mobile="13700000009")  # another family, not opted in: nothing
    assert send_anniversary_reminders(TODAY - datetime.timedelta(days=1)) == 0
    assert send_anniversary_reminders(TODAY) == 1
    assert send_anniversary_reminders(TODAY) == 0  # a second run the same day
    assert [m.mobile for m in sms.outbox] == [keeper.mobile]
    assert memorial.name in sms.outbox[0].text and "9 周年" in sms.outbox[0].text
    assert AnniversaryReminder.objects.get().year == 2030


@override_settings(M1_ANNIVERSARY_SMS_DAYS_BEFORE=0)
def test_m1_no_reminder_without_opt_in_or_for_a_hidden_memorial():
    keeper, memorial = opted_in(datetime.date(2021, 4, 2))
    set_reminder(memorial, keeper, False)
    assert send_anniversary_reminders(TODAY) == 0
    set_reminder(memorial, keeper, True)
    Memorial.objects.filter(pk=memorial.pk).update(status=MemorialStatus.HIDDEN, status_reason="测试")
    assert send_anniversary_reminders(TODAY) == 0
    assert sms.outbox == []


@override_settings(M1_ANNIVERSARY_SMS_DAYS_BEFORE=0)
def test_m1_a_death_on_29_february_is_remembered_on_28_february_in_common_years():
    opted_in(datetime.date(2024, 2, 29))
    assert send_anniversary_reminders(datetime.date(2029, 2, 28)) == 1
    assert send_anniversary_reminders(datetime.date(2029, 3, 1)) == 0


@override_settings(M1_ANNIVERSARY_SMS_DAYS_BEFORE=0)
def test_m1_the_task_and_the_command_send_the_days_reminders():
    opted_in(datetime.date(2021, 4, 2))
    assert send_anniversary_reminders_task.enqueue(TODAY.isoformat()).return_value == {"sent": 1}
    out = io.StringIO()
    call_command("send_memorial_reminders", "--date", TODAY.isoformat(), stdout=out)
    assert "sent: 0" in out.getvalue() and len(sms.outbox) == 1


def test_m1_only_a_keeper_sets_their_own_reminder():
    _keeper, memorial = opted_in(datetime.date(2021, 4, 2))
    with pytest.raises(Http404):
        set_reminder(memorial, family_user(mobile="13799998888"), True)
