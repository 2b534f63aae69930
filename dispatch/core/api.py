"""The project's flask-smorest Api and Blueprint: shared tweaks in one place."""
import flask_smorest
from marshmallow import RAISE
from webargs.flaskparser import FlaskParser

from dispatch.core.money import Money, Percent

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


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint mounted under /api/v1."""

    ARGUMENTS_PARSER = ArgumentsParser()

    def __init__(self, name: str, import_name: str, **kwargs):
        kwargs.setdefault("url_prefix", API_PREFIX)
        super().__init__(name, import_name, **kwargs)
