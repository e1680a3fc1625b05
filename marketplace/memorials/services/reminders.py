"""Yearly anniversary reminders by SMS (issue 17): a keeper or co-keeper who opts in for a
memorial gets one SMS a year, ``M1_ANNIVERSARY_SMS_DAYS_BEFORE`` days before the anniversary
of the death, through the configured SMS backend. Run daily (``manage.py
send_memorial_reminders`` or the task ``send_anniversary_reminders_task``). A reminder row is
unique per keeper and year, so running twice a day, or again after a failure, never sends one
twice; a memorial hidden by the bureau sends none. A death on 29 February is remembered on
28 February in common years."""

import calendar
import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.sms import send_sms

from ..models import AnniversaryReminder, MemorialMember, MemorialStatus
from .memorials import KEEPER_ROLES


def set_reminder(memorial, user, on):
    """A keeper opts in or out for themselves; anyone else's memorial answers 404."""
    updated = MemorialMember.objects.filter(memorial=memorial, user=user, role__in=KEEPER_ROLES).update(
        anniversary_sms=bool(on)
    )
    if not updated:
        raise Http404
    return bool(on)


def _anniversary_filter(day):
    match = Q(memorial__death_date__month=day.month, memorial__death_date__day=day.day)
    if day.month == 2 and day.day == 28 and not calendar.isleap(day.year):
        match |= Q(memorial__death_date__month=2, memorial__death_date__day=29)
    return match


def due_members(today=None):
    today = today or timezone.localdate()
    day = today + datetime.timedelta(days=settings.M1_ANNIVERSARY_SMS_DAYS_BEFORE)
    return (
        MemorialMember.objects.filter(
            _anniversary_filter(day),
            anniversary_sms=True,
            role__in=KEEPER_ROLES,
            memorial__status=MemorialStatus.ACTIVE,
            memorial__death_date__lt=day,
        )
        .exclude(reminders__year=day.year)
        .select_related("memorial", "user"),
        day,
    )


def send_anniversary_reminders(today=None):
    """Send the day's reminders; return how many were sent."""
    members, day = due_members(today)
    sent = 0
    for member in members:
        if not member.user.mobile:
            continue
        years = day.year - member.memorial.death_date.year
        text = _(
            "【北京市民政公共服务平台】%(date)s 是 %(name)s 逝世 %(years)s 周年。"
            "您可登录平台网上祭扫，为其献花、点烛、留言。"
        ) % {"date": day.strftime("%m-%d"), "name": member.memorial.name, "years": years}
        try:
            with transaction.atomic():
                AnniversaryReminder.objects.create(member=member, year=day.year)
                send_sms(member.user.mobile, text)  # a gateway error rolls the row back: retried next run
        except IntegrityError:
            continue  # another run sent it
        sent += 1
    return sent
