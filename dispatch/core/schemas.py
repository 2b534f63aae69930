"""The base of every marshmallow schema."""
from marshmallow import RAISE, Schema, ValidationError

from dispatch.core.errors import InvalidInput


class BaseSchema(Schema):
    class Meta:
        # A field the client misspelled is an error, not silently dropped data.
        unknown = RAISE
        ordered = True


def load_form(schema: Schema, form) -> dict:
    """Load an HTML form through a schema; blank inputs count as not given.

    Raises InvalidInput with the schema's field messages, for the view to show.
    """
    submitted = {name: value for name, value in form.items() if name != "csrf_token" and value.strip()}
    try:
        return schema.load(submitted)
    except ValidationError as error:
        raise InvalidInput(errors=error.messages) from error
