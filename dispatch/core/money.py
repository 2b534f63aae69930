"""Money is Decimal end to end: two places, rounded half-up per line."""
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import fields
from sqlalchemy import Numeric

CENT = Decimal("0.01")

# Every money column: exact, two decimals.
MONEY = Numeric(12, 2)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class Money(fields.Decimal):
    """A money field: read as Decimal, written as a string with two decimals ("127.50").

    Input with more than two decimals is refused rather than silently rounded:
    a price someone typed as 12.345 is a typo worth asking about.
    """

    default_error_messages = {"too_precise": "Use at most two decimal places."}

    def __init__(self, **kwargs):
        super().__init__(places=2, rounding=ROUND_HALF_UP, as_string=True, allow_nan=False, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        amount = super()._deserialize(value, attr, data, **kwargs)
        if amount != Decimal(str(value).strip()):
            raise self.make_error("too_precise")
        return amount
