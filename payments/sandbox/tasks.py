"""Delivery of the simulator's asynchronous notifications, retried with backoff.

The first attempt is made in the request that records the payment (so the usual case
needs no worker); later attempts go through Django's tasks framework. A backend that
can defer (django_tasks_db in development) runs each retry at its due time; one that
cannot (the ImmediateBackend used by the tests) waits out the delay in-process, which
is bounded by the length of ``PAYMENTS_SANDBOX_NOTIFY_BACKOFF``.
"""

import logging
import time
from datetime import timedelta

import requests
from django.conf import settings
from django.tasks import task
from django.utils import timezone

from .models import SandboxNotification

logger = logging.getLogger("payments.sandbox")


def deliver_once(notification):
    """POST the notification once; delivered only when the merchant answers exactly ``success``."""
    notification.attempts += 1
    notification.last_attempt_at = timezone.now()
    try:
        response = requests.post(
            notification.url,
            data=notification.body.encode("utf-8"),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
            timeout=10,
        )
        notification.last_status = response.status_code
        notification.last_response = response.text[:200]
        notification.delivered = response.status_code == 200 and response.text == "success"
    except requests.RequestException as exc:
        notification.last_status = None
        notification.last_response = str(exc)[:200]
    notification.save(
        update_fields=["attempts", "last_attempt_at", "last_status", "last_response", "delivered"]
    )
    if not notification.delivered:
        logger.warning(
            "sandbox notification %s attempt %s not acknowledged: %s",
            notification.notify_id,
            notification.attempts,
            notification.last_response,
        )
    return notification.delivered


def schedule_retry(notification):
    """Queue the next attempt after the backoff delay; False once attempts are used up."""
    delays = settings.PAYMENTS_SANDBOX_NOTIFY_BACKOFF
    if notification.delivered or notification.attempts > len(delays):
        return False
    delay = delays[notification.attempts - 1]
    if deliver_notification.get_backend().supports_defer:
        deliver_notification.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
            notification.pk
        )
    else:
        time.sleep(delay)
        deliver_notification.enqueue(notification.pk)
    return True


@task
def deliver_notification(notification_pk):
    notification = SandboxNotification.objects.get(pk=notification_pk)
    if notification.delivered:
        return "delivered"
    if deliver_once(notification):
        return "delivered"
    return "retrying" if schedule_retry(notification) else "given up"
