"""A pluggable SMS sender, shaped like Django's e-mail backends.

``settings.SMS_BACKEND`` names a class with ``send_messages(messages)``. The
platform ships a console backend (development), a locmem backend (tests; messages
collect in ``accounts.sms.outbox``) and the interface a real gateway implements:
subclass :class:`BaseSmsBackend` and return how many messages were accepted.
"""

import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list = []  # filled by the locmem backend


@dataclass(frozen=True)
class SmsMessage:
    mobile: str
    text: str


class BaseSmsBackend(ABC):
    """The interface of an SMS gateway. ``send_messages`` returns the number sent and
    raises on a gateway error so the caller can tell the user to try again."""

    def __init__(self, **options):
        self.options = options

    @abstractmethod
    def send_messages(self, messages):
        """Send every message; return how many the gateway accepted."""


def get_backend():
    return import_string(settings.SMS_BACKEND)(**getattr(settings, "SMS_BACKEND_OPTIONS", {}))


def send_sms(mobile, text):
    return get_backend().send_messages([SmsMessage(mobile=mobile, text=text)])


def send_sms_on_commit(mobile, text, *, what="notice"):
    """Send a notice once the current transaction commits (a move rolled back tells no one). A
    failure is logged with the number masked and never undoes what already happened: the page
    the person opens says the same."""
    from django.db import transaction

    def deliver():
        try:
            send_sms(mobile, text)
        except Exception:
            logging.getLogger(__name__).exception("%s SMS to %s****%s failed", what, mobile[:3], mobile[-4:])

    transaction.on_commit(deliver)
