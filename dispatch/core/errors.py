"""Domain errors and how every one of them reaches the client.

Services raise these; one handler turns them into the API's error bodies
(`{"message", "errors"}` with 404/409/422/...) or into an HTML error page.
A database that cannot be reached (restarting, down, out of connections) is a
503 with Retry-After the same way, never a 500.
"""
from flask import Flask, current_app, jsonify, render_template, request
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
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


# PostgreSQL's SQLSTATE classes of an outage: connection exception, insufficient resources
# (too many connections), operator intervention (shutting down, starting up, terminated).
OUTAGE_SQLSTATE_CLASSES = {"08", "53", "57"}
DATABASE_RETRY_AFTER_SECONDS = "5"


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, _on_domain_error)
    app.register_error_handler(HTTPException, _on_http_exception)
    app.register_error_handler(SQLAlchemyError, _on_database_error)


def is_database_outage(error: SQLAlchemyError) -> bool:
    """The database could not answer (down, restarting, overloaded): the same request may succeed later."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    original = error.orig
    if hasattr(original, "sqlstate"):  # psycopg: no SQLSTATE means the client lost or never got the connection
        sqlstate = original.sqlstate
        return isinstance(error, OperationalError | InterfaceError) and (sqlstate is None or sqlstate[:2] in OUTAGE_SQLSTATE_CLASSES)
    return getattr(original, "sqlite_errorname", None) in ("SQLITE_BUSY", "SQLITE_LOCKED")


def _is_api_request() -> bool:
    """The API, and a page's script asking for JSON (the phone's queue): they read the error, not a page."""
    asks_for_json = request.accept_mimetypes.best_match(("text/html", "application/json")) == "application/json"
    return request.path.startswith(API_PREFIX) or asks_for_json


def _on_domain_error(error: DomainError):
    return _error_response(error.status_code, error.message, error.errors, error.headers)


def _on_database_error(error: SQLAlchemyError):
    if not is_database_outage(error):
        raise error  # a defect: Flask answers 500 and logs it
    message = "The database is not answering for a moment; try again shortly."
    headers = {"Retry-After": DATABASE_RETRY_AFTER_SECONDS}
    if _is_api_request():
        return _error_response(503, message, None, headers)
    # Rendered without the context processors: they ask the database who is logged in.
    page = current_app.jinja_env.get_template("errors/unavailable.html").render(message=message)
    return page, 503, headers


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
