"""The base of every marshmallow schema, and the fields and checks every domain shares."""
import re

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate

from dispatch.core.errors import InvalidInput

# The largest Integer key PostgreSQL holds: a larger id would fail in the database instead of finding nothing.
LARGEST_ID = 2**31 - 1
# A "YYYY-MM" month: ASCII digits only (\d would take "２０２６"), the whole string (a "$" would let
# "2026-11\n" through), and a year the calendar and the company's timezone can handle (there is no year 0).
MONTH = validate.Regexp(r"\A(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])\Z", flags=re.ASCII, error="Use YYYY-MM, e.g. 2026-11.")


class BaseSchema(Schema):
    class Meta:
        # A field the client misspelled is an error, not silently dropped data.
        unknown = RAISE
        ordered = True

    @pre_load
    def refuse_nul_characters(self, submitted, **_kwargs):
        """PostgreSQL cannot store text containing NUL: refuse it here, by field, not with a 500."""
        if isinstance(submitted, dict):
            bad = {name: ["Contains a NUL character."] for name, value in submitted.items() if isinstance(value, str) and "\x00" in value}
            if bad:
                raise ValidationError(bad)
        return submitted


class Id(fields.Integer):
    """The id of a row: a whole number that could exist. Strict in JSON bodies;
    pass strict=False for query strings, where every value is text."""

    def __init__(self, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=validate.Range(min=1, max=LARGEST_ID), **kwargs)


def not_blank(value: str) -> None:
    """A name of spaces only would be saved as an empty name: refuse it."""
    if not value.strip():
        raise ValidationError("Must not be blank.")


def errors_by_input(errors: dict, prefix: str = "") -> dict:
    """Field errors keyed as a form names its inputs: {"parts": {0: {"quantity": [...]}}} → "parts_0_quantity"."""
    flat = {}
    for key, messages in errors.items():
        if isinstance(messages, dict):
            flat.update(errors_by_input(messages, f"{prefix}{key}_"))
        else:
            flat[f"{prefix}{key}"] = messages
    return flat


def load_form(schema: Schema, form) -> dict:
    """Load an HTML form through a schema; blank inputs count as not given.

    Raises InvalidInput with the schema's field messages, for the view to show.
    """
    submitted = {name: value for name, value in form.items() if name != "csrf_token" and value.strip()}
    try:
        return schema.load(submitted)
    except ValidationError as error:
        raise InvalidInput(errors=error.messages) from error
