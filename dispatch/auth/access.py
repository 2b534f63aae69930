"""Who is asking, and may they: used by every API and HTML blueprint.

The JSON API authenticates with bearer tokens only, never with the session
cookie, so a page on another site cannot make a logged-in browser call it.
"""
import functools
from collections.abc import Callable

from flask import current_app, g, request
from flask_login import current_user

from dispatch.auth.models import Role, User
from dispatch.auth.service import user_for_token
from dispatch.core.api import API_PREFIX
from dispatch.core.errors import Forbidden, Unauthenticated

PUBLIC_BLUEPRINTS = {"api-docs"}


def public(view: Callable) -> Callable:
    """Mark an API endpoint as open to callers without a token (logging in)."""
    view.is_public = True
    return view


def authenticate_api_request() -> None:
    """before_request: every /api/v1 call but the public ones needs a valid bearer token."""
    if not request.path.startswith(API_PREFIX + "/"):
        return
    view = current_app.view_functions.get(request.endpoint)
    if request.blueprint in PUBLIC_BLUEPRINTS or getattr(view, "is_public", False) or view is None:
        return
    g.api_actor = _bearer_user()


def _bearer_user() -> User:
    scheme, _, raw_token = request.headers.get("Authorization", "").partition(" ")
    user = user_for_token(raw_token.strip()) if scheme.lower() == "bearer" and raw_token else None
    if user is None:
        raise Unauthenticated("A valid bearer token is required.", headers={"WWW-Authenticate": "Bearer"})
    return user


def bearer_token() -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def current_actor() -> User:
    """The user making this request: the token's owner on the API, the session's on pages."""
    actor = g.get("api_actor")
    if actor is None and current_user.is_authenticated:
        actor = current_user._get_current_object()
    if actor is None:
        raise Unauthenticated()
    return actor


def require_role(*roles: Role) -> Callable:
    """Decorator: only these roles may call the view (403 for the others)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            if not current_actor().has_role(*roles):
                raise Forbidden()
            return view(*args, **kwargs)

        return guarded

    return decorate
