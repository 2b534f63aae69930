"""Domain errors and how every one of them reaches the client.

Services raise these; one handler turns them into the API's error bodies
(`{"message", "errors"}` with 404/409/422/...) or into an HTML error page.
"""
from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from dispatch.core.body_limits import megabytes

API_PREFIX = "/api/"


class DomainError(Exception):
    status_code = 409
    default_message = "This cannot be done."

    def __init__(self, message: str | None = None, errors: dict | None = None, headers: dict | None = None):
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.errors = errors
        self.headers = headers or {}


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    """Input that is well formed but wrong for the data, e.g. a duplicate SKU."""

    status_code = 422
    default_message = "The input is not valid."

    @classmethod
    def on_field(cls, field: str, message: str) -> "InvalidInput":
        return cls(errors={field: [message]})


class NotFound(DomainError):
    status_code = 404
    default_message = "Not found."


class Forbidden(DomainError):
    status_code = 403
    default_message = "Your role may not do this."


class Unauthenticated(DomainError):
    status_code = 401
    default_message = "Log in first."


class ServiceUnavailable(DomainError):
    status_code = 503
    default_message = "Busy for a moment; try again."


class TooManyRequests(DomainError):
    status_code = 429
    default_message = "Too many attempts; wait and try again."


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _on_domain_error)
    app.register_error_handler(HTTPException, _on_http_exception)


def _is_api_request() -> bool:
    """The API, and a page's script asking for JSON (the phone's queue): they read the error, not a page."""
    asks_for_json = request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"
    return request.path.startswith(API_PREFIX) or asks_for_json


def _on_domain_error(error: DomainError):
    return _error_response(error.status_code, error.message, error.errors, error.headers)


def _on_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    message = data.get("message") or error.description
    if error.code == 422:
        message = "The input is not valid."
    if error.code == 413:
        message = f"Too large: at most {megabytes(request.max_content_length or 0)} can be sent here."
    return _error_response(error.code, message, _by_field(errors), data.get("headers"), error)


def _by_field(errors: dict | None) -> dict | None:
    """webargs nests messages under their location ({"json": {...}}); clients want fields."""
    if not errors:
        return errors
    fields = {}
    for location_errors in errors.values():
        if isinstance(location_errors, dict):
            fields.update(location_errors)
    return fields or errors


def _error_response(status: int, message: str, errors, headers, http_error: HTTPException | None = None):
    if _is_api_request():
        body = {"code": status, "message": message}
        if errors:
            body["errors"] = errors
        response = jsonify(body)
        response.status_code = status
        response.headers.extend(headers or {})
        return response
    if http_error is not None and status in (301, 302, 303, 307, 308):
        return http_error
    page = render_template("errors/error.html", status=status, message=message)
    return page, status, headers or {}
