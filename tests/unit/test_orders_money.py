"""Orders money follows the platform's one rounding (``core.money.round_money``: half up to the fen)."""

from decimal import Decimal

from marketplace.orders.models import Contract
from marketplace.orders.statements import deposit_amount


def test_f8_deposit_is_rounded_half_up_to_the_fen():
    # 50% of ¥100.05 is ¥50.025: half up gives ¥50.03, the amount the family is asked for and
    # the contract states (banker's rounding would give ¥50.02).
    contract = Contract(total=Decimal("100.05"), deposit_percent=Decimal("50"))
    assert deposit_amount(contract) == Decimal("50.03")
    assert deposit_amount(contract, Decimal("0.01")) == Decimal("0.01")
    assert deposit_amount(Contract(total=Decimal("1000.00"), deposit_percent=Decimal("30"))) == Decimal(
        "300.00"
    )
