"""Properties of money rounding a customer or bookkeeper would notice if they broke (hypothesis)."""
from decimal import Decimal

from hypothesis import given, strategies as st
from marshmallow import Schema, ValidationError

from dispatch.core.money import CENT, Money, to_cents

HALF_CENT = Decimal("0.005")
# Any amount a calculation can produce before it is rounded: many places, both signs.
amounts = st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6, allow_nan=False, allow_infinity=False)
# Amounts as stored and sent: two places, within Numeric(12, 2).
stored_amounts = st.decimals(min_value=0, max_value=Decimal("9999999999.99"), places=2)


class PriceSchema(Schema):
    price = Money()


@given(amounts)
def test_rounding_lands_on_a_whole_cent_within_half_a_cent(amount):
    rounded = to_cents(amount)
    assert rounded == rounded.quantize(CENT)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - amount) <= HALF_CENT


@given(amounts)
def test_rounding_twice_changes_nothing_and_the_sign_does_not_bias_it(amount):
    assert to_cents(to_cents(amount)) == to_cents(amount)
    assert to_cents(-amount) == -to_cents(amount)


@given(amounts, amounts)
def test_a_larger_amount_never_rounds_below_a_smaller_one(first, second):
    smaller, larger = sorted((first, second))
    assert to_cents(smaller) <= to_cents(larger)


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_an_exact_half_cent_rounds_away_from_zero(cents):
    halfway = Decimal(cents) / 100 + (HALF_CENT if cents >= 0 else -HALF_CENT)
    assert abs(to_cents(halfway)) == abs(Decimal(cents) / 100) + CENT


@given(stored_amounts)
def test_an_amount_survives_the_json_round_trip_exactly(amount):
    sent = PriceSchema().dump({"price": amount})["price"]
    assert isinstance(sent, str) and sent.split(".")[1].__len__() == 2
    assert PriceSchema().load({"price": sent})["price"] == amount


@given(stored_amounts, st.integers(min_value=1, max_value=9))
def test_an_amount_with_a_third_decimal_is_refused_not_rounded(amount, thousandth):
    typed = f"{amount}{thousandth}"
    try:
        PriceSchema().load({"price": typed})
    except ValidationError as error:
        assert "at most two decimal places" in error.messages["price"][0]
    else:
        raise AssertionError(f"{typed} was taken")
