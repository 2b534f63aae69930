"""URL converters."""
from werkzeug.routing import IntegerConverter

from dispatch.core.schemas import LARGEST_ID


class IdConverter(IntegerConverter):
    """`<int:…>` in a URL only matches ids that could exist: a larger one is a plain 404
    instead of an integer overflow in PostgreSQL."""

    def __init__(self, url_map, **kwargs):
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, **kwargs)
