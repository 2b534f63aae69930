"""The secret tokens in customers' links (an invoice, an estimate): made here, checked here."""
import re
import secrets

from dispatch.core.errors import NotFound

# What new_link_token makes. Anything else cannot be a link and is not looked up:
# PostgreSQL would answer a NUL in it with an error rather than find nothing.
LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_link_token() -> str:
    """Unguessable: 256 random bits."""
    return secrets.token_urlsafe(32)


def checked_link_token(token: str | None) -> str:
    """The token, if it could be one of ours; otherwise a plain 404 that says nothing more."""
    if not token or not LINK_TOKEN.fullmatch(token):
        raise NotFound()
    return token
