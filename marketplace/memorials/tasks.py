"""The daily anniversary reminders on Django's tasks framework (schedule once a day, e.g. from
cron: ``manage.py send_memorial_reminders``, or enqueue ``send_anniversary_reminders_task``)."""

import datetime

from django.tasks import task

from .services.reminders import send_anniversary_reminders


@task
def send_anniversary_reminders_task(today=None):
    """Send the yearly anniversary SMS due today. ``today`` is an ISO date."""
    day = datetime.date.fromisoformat(today) if today else None
    return {"sent": send_anniversary_reminders(day)}
