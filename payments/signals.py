"""What the payments app announces. Receivers run inside the database transaction that
records the change, so a failing receiver rolls the change back (the gateway retries).

``payment_succeeded``: ``sender=PaymentIntent``, ``intent`` (now succeeded; its
``payable`` is what was paid for), ``transaction`` (the charge ledger row).

``refund_succeeded``: ``sender=Refund``, ``refund``, ``intent``, ``transaction`` (the
refund ledger row).
"""

from django.dispatch import Signal

payment_succeeded = Signal()
refund_succeeded = Signal()
