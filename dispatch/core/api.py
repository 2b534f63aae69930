"""The project's flask-smorest Api and Blueprint: shared tweaks in one place."""
import flask_smorest

API_PREFIX = "/api/v1"


class Api(flask_smorest.Api):
    def _register_error_handlers(self):
        """Errors are rendered by dispatch.core.errors for API and HTML alike."""


class Blueprint(flask_smorest.Blueprint):
    """An API blueprint mounted under /api/v1."""

    def __init__(self, name: str, import_name: str, **kwargs):
        kwargs.setdefault("url_prefix", API_PREFIX)
        super().__init__(name, import_name, **kwargs)
