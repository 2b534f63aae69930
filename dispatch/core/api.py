"""The project's flask-smorest Api and Blueprint: shared tweaks in one place."""
import flask_smorest
from flask import current_app, request
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from dispatch.core.money import Money, Percent
from dispatch.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PAGE_ARGUMENTS, RowsPage, mark_paged

API_PREFIX = "/api/v1"


class Api(flask_smorest.Api):
    def init_app(self, app, *args, **kwargs):
        super().init_app(app, *args, **kwargs)
        # Money travels as a string ("127.50"): say so in the OpenAPI document.
        self.register_field(Money, "string", "decimal")
        self.register_field(Percent, "string", "decimal")

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

    def paginate(self, pager=RowsPage, **kwargs):
        """Page the list the view returns (see dispatch.core.pagination); use it under @blp.response."""
        paginate = super().paginate(pager, **kwargs)
        return lambda view: mark_paged(paginate(view))
