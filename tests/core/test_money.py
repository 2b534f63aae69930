"""Money is Decimal: two places, half-up, strings in JSON, never a float."""
from decimal import Decimal

import pytest
from marshmallow import Schema, ValidationError

from dispatch.core.money import Money, to_cents


class PriceSchema(Schema):
    price = Money()


@pytest.mark.parametrize(("amount", "cents"), [("2.675", "2.68"), ("2.665", "2.67"), ("-2.675", "-2.68"), ("0.004", "0.00")])
def test_rounding_is_half_up_to_the_cent(amount, cents):
    assert to_cents(Decimal(amount)) == Decimal(cents)


@pytest.mark.parametrize(("sent", "read"), [("127.5", Decimal("127.50")), (12.5, Decimal("12.50")), ("0", Decimal("0.00"))])
def test_money_is_read_as_decimal(sent, read):
    price = PriceSchema().load({"price": sent})["price"]
    assert isinstance(price, Decimal)
    assert price == read


@pytest.mark.parametrize("sent", ["12.345", "abc", "NaN", "Infinity", "", None, True])
def test_bad_amounts_are_refused(sent):
    with pytest.raises(ValidationError):
        PriceSchema().load({"price": sent})


def test_money_is_written_as_a_string_with_two_decimals():
    assert PriceSchema().dump({"price": Decimal("127.5")}) == {"price": "127.50"}
