"""The secret tokens in customers' links (an invoice, an estimate): made here, checked here.

The database never holds a link's token. A record keeps a random seed and the token's SHA-256;
the token is the seed signed with SECRET_KEY. A copy of the database alone opens no link, and the
same link can still be emailed again. Changing SECRET_KEY changes every link.
"""
import base64
import hashlib
import hmac
import re
import secrets

from flask import current_app
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.errors import NotFound

# What link tokens look like. Anything else cannot be a link and is not looked up:
# PostgreSQL would answer a NUL in it with an error rather than find nothing.
LINK_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def new_link_token() -> str:
    """Unguessable: 256 random bits. Shown once (a calendar feed's URL); only its digest is kept."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def checked_link_token(token: str | None) -> str:
    """The token, if it could be one of ours; otherwise a plain 404 that says nothing more."""
    if not token or not LINK_TOKEN.fullmatch(token):
        raise NotFound()
    return token


def link_digest_of(token: str | None) -> str:
    """The digest to look a customer's link up by; a plain 404 for what cannot be a link."""
    return token_digest(checked_link_token(token))


class SharedByLink:
    """A record the customer opens through a secret link (/i/<token>, /e/<token>)."""

    link_seed: Mapped[str | None] = mapped_column(String(32))
    link_digest: Mapped[str | None] = mapped_column(String(64), unique=True)

    @property
    def view_token(self) -> str | None:
        if self.link_seed is None:
            return None
        key = current_app.config["SECRET_KEY"].encode()
        signature = hmac.new(key, f"link:{self.link_seed}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(signature).rstrip(b"=").decode()

    def open_link(self) -> None:
        """Give the record its link, once: the same link goes out with every email after."""
        if self.link_seed is None:
            self.link_seed = secrets.token_hex(16)
            self.link_digest = token_digest(self.view_token)
