"""The project's flask-smorest Api and Blueprint: shared tweaks in one place."""
import flask_smorest
from flask import current_app, request
from marshmallow import RAISE, fields
from webargs.flaskparser import FlaskParser

from dispatch.core.money import Money, Percent
from dispatch.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_ARGUMENTS, RowsPage, mark_paged

API_PREFIX = "/api/v1"
# For @blp.doc(**CSV_ON_REQUEST): a JSON list that `format=csv` turns into a file.
CSV_ON_REQUEST = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


class Api(flask_smorest.Api):
    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        # Money travels as a string ("127.50"): say so in the OpenAPI document.
        self.register_field(Money, "string", "decimal")
        self.register_field(Percent, "string", "decimal")
        # So does every other decimal dumped as a string (hours, quantities, miles, rates).
        self.ma_plugin.converter.add_attribute_function(_decimal_as_string)

    def _register_error_handlers(self):
        """Errors are rendered by dispatch.core.errors for API and HTML alike."""


class ArgumentsParser(FlaskParser):
    # A misspelt filter (?technician=5 for ?technician_id=5) must be an error, not a list of everything.
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": RAISE, "querystring": RAISE}

    def load_querystring(self, req, schema):
        """On a paged list, ?page= and ?page_size= belong to the pager, not to the view's own filters."""
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "is_paged", False):
            return super().load_querystring(req, schema)
        filters = req.args.copy()
        for name in PAGE_ARGUMENTS:
            filters.pop(name, None)
        return self._makeproxy(filters, schema)


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint mounted under /api/v1."""

    ARGUMENTS_PARSER = ArgumentsParser()
    DEFAULT_PAGINATION_PARAMETERS = {"page": 1, "page_size": DEFAULT_PAGE_SIZE, "max_page_size": MAX_PAGE_SIZE}

    def __init__(self, name: str, import_name: str, **kwargs):
        kwargs.setdefault("url_prefix", API_PREFIX)
        super().__init__(name, import_name, **kwargs)

    def _document_pagination_metadata(self, spec, resp_doc):
        """X-Pagination carries its metadata as JSON text: say so, rather than call the header an object."""
        metadata = {"$ref": "#/components/schemas/PaginationMetadata"}
        resp_doc.setdefault("headers", {})[self.PAGINATION_HEADER_NAME] = {
            "description": "Pagination metadata, as JSON: total, total_pages, first_page, last_page, page, previous_page, next_page.",
            "content": {"application/json": {"schema": metadata}},
        }

    def paginate(self, pager=RowsPage, **kwargs):
        """Page the list the view returns (see dispatch.core.pagination); use it under @blp.response."""
        paginate = super().paginate(pager, **kwargs)
        return lambda view: mark_paged(paginate(view))


def _decimal_as_string(_converter, field, ret: dict, **_kwargs) -> dict:
    if not (isinstance(field, fields.Decimal) and field.as_string):
        return {}
    # minimum/maximum apply to JSON numbers, not to these strings (and a Decimal bound would be
    # written as a string, which is no valid bound); the API still refuses values out of range.
    ret.pop("minimum", None)
    ret.pop("maximum", None)
    places = -field.places.as_tuple().exponent if field.places is not None else None
    decimals = rf"(\.[0-9]{{1,{places}}})?" if places else r"(\.[0-9]+)?"
    return {"type": "string", "format": "decimal", "pattern": rf"^-?[0-9]+{decimals}$"}
