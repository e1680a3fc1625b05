"""B1: the payment instruction of an approved cash subsidy (or of a waiver whose service was
already complete): the bureau's finance office pays the named payee the approved amount. The
instruction number is unique and written once, under the application's row lock."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.money import round_money

from .models import BenefitApplication


def _new_number(day):
    prefix = f"ZF{day:%Y%m%d}"
    taken = BenefitApplication.objects.filter(instruction_number__startswith=prefix).count()
    return f"{prefix}{taken + 1:04d}"


def instruct_payment(application, amount, *, user=None):
    """Record the payment instruction on ``application`` (locked by the caller), once."""
    if application.instruction_number:
        return application
    now = timezone.now()
    application.amount = round_money(amount)
    application.instructed_at = now
    for _attempt in range(5):
        application.instruction_number = _new_number(timezone.localdate(now))
        try:
            with transaction.atomic():
                application.save(update_fields=["amount", "instructed_at", "instruction_number"])
            return application
        except IntegrityError:
            continue  # two instructions took the same number at once; take the next one
    raise IntegrityError("could not allot a payment instruction number")
