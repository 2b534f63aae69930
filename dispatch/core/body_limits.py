"""How large a request body may be: MAX_CONTENT_LENGTH (1 MB: a JSON work order with a hundred
lines is a few kilobytes) by default, larger only where files are uploaded.

Werkzeug refuses a body over the limit with 413 before anything reads it, so nothing is
written; dispatch.core.errors turns that into a JSON error or a page saying the limit.
"""
from flask import current_app, request

MEGABYTE = 1024 * 1024
# One file of at most 10 MB (dispatch.core.files) and the form fields around it.
ONE_FILE = 11 * MEGABYTE
# A work order filed from the phone: the signature and up to 12 photos, made smaller on the phone.
FILING_WITH_PHOTOS = 40 * MEGABYTE


def accepts_body_up_to(largest: int):
    """Mark a view (directly under its route) as taking bodies up to `largest` bytes."""

    def mark(view):
        view.largest_body = largest
        return view

    return mark


def apply_body_limit() -> None:
    """Before any hook reads the body (CSRF reads forms): the limit of the view asked for."""
    view = current_app.view_functions.get(request.endpoint)
    request.max_content_length = getattr(view, "largest_body", current_app.config["MAX_CONTENT_LENGTH"])


def megabytes(size: int) -> str:
    return f"{size / MEGABYTE:g} MB"
