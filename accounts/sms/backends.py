import logging
import sys

from . import BaseSmsBackend, outbox

logger = logging.getLogger(__name__)


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: print each message to stdout."""

    def send_messages(self, messages):
        for message in messages:
            sys.stdout.write(f"[SMS to {message.mobile}] {message.text}\n")
        sys.stdout.flush()
        return len(messages)


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: keep messages in ``accounts.sms.outbox``."""

    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)
