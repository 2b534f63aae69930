"""Money is Decimal end to end: two places, rounded half-up per line."""
from decimal import ROUND_HALF_UP, Decimal

from marshmallow import fields, validate
from sqlalchemy import Numeric

CENT = Decimal("0.01")

PLACES_IN_WORDS = {1: "one", 2: "two", 3: "three"}

# Every money column: exact, two decimals.
MONEY = Numeric(12, 2)


def to_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class ExactDecimal(fields.Decimal):
    """A decimal read exactly and written as a string.

    Input with more decimals than the column keeps is refused rather than
    silently rounded (a price typed as 12.345 is a typo worth asking about), and
    so is a number larger than the column holds.
    """

    def __init__(self, places: int, largest: Decimal, **kwargs):
        given = kwargs.pop("validate", None)
        given = [given] if callable(given) else list(given or [])
        super().__init__(
            places=places, rounding=ROUND_HALF_UP, as_string=True, allow_nan=False,
            validate=[validate.Range(max=largest), *given], **kwargs,
        )
        self.error_messages["too_precise"] = f"Use at most {PLACES_IN_WORDS[places]} decimal places."

    def _deserialize(self, value, attr, data, **kwargs):
        number = super()._deserialize(value, attr, data, **kwargs)
        if number != Decimal(str(value).strip()):
            raise self.make_error("too_precise")
        return number


class Money(ExactDecimal):
    """A money field: "127.50" in JSON, Decimal in Python, Numeric(12, 2) in the database."""

    def __init__(self, **kwargs):
        super().__init__(2, Decimal("9999999999.99"), **kwargs)


class Percent(ExactDecimal):
    """A percentage with up to three decimals ("8.875")."""

    def __init__(self, **kwargs):
        super().__init__(3, Decimal("999.999"), **kwargs)
