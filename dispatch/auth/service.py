"""Users, passwords, logins and API tokens."""
import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.auth.models import ApiToken, FailedLogin, Role, User
from dispatch.core.errors import InvalidInput, NotFound, TooManyRequests
from dispatch.core.time import utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.inventory import service as inventory


def password_hasher() -> PasswordHasher:
    """argon2id; the defaults (t=3, m=64 MiB, p=4) are above OWASP ASVS 5's floor.

    Tests lower the cost through ARGON2_* settings so that hundreds of logins stay fast.
    """
    config = current_app.config
    return PasswordHasher(
        time_cost=config.get("ARGON2_TIME_COST", 3),
        memory_cost=config.get("ARGON2_MEMORY_COST", 65536),
        parallelism=config.get("ARGON2_PARALLELISM", 4),
    )


def normalise_email(email: str) -> str:
    return email.strip().lower()


@transactional
def create_user(email: str, name: str, password: str, role: Role, hourly_rate: Decimal | None = None) -> User:
    """Add a user; a technician also gets a van to carry stock in."""
    email = normalise_email(email)
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise InvalidInput.on_field("email", "A user with this email already exists.")
    user = User(
        email=email,
        name=name.strip(),
        role=role,
        password_hash=password_hasher().hash(password),
        hourly_rate=hourly_rate,
    )
    db.session.add(user)
    db.session.flush()
    # Who gave someone a role, and at what pay; never their password.
    audit.record(AuditKind.ACCESS, "user_added", user, email=email, name=user.name, role=role, hourly_rate=hourly_rate)
    if user.is_technician:
        inventory.open_van(user)
    return user


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.name)))


@transactional
def attempt_login(email: str, password: str, address: str) -> User | None:
    """The user if the password is right; None otherwise, with the failure recorded.

    Whether the email exists or the password was wrong is never told apart,
    neither in the answer nor in the time it takes.
    """
    email = normalise_email(email)
    _refuse_if_too_many_failures(email, address)
    user = db.session.scalar(select(User).where(User.email == email))
    hasher = password_hasher()
    if user is None or not user.is_active:
        _burn_equal_time(hasher, password)
    elif _password_matches(hasher, user, password):
        return user
    db.session.add(FailedLogin(email=email, address=address))
    return None


def _password_matches(hasher: PasswordHasher, user: User, password: str) -> bool:
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


def _burn_equal_time(hasher: PasswordHasher, password: str) -> None:
    hasher.hash(password)


def _refuse_if_too_many_failures(email: str, address: str) -> None:
    config = current_app.config
    window = config["LOGIN_FAILURE_WINDOW_SECONDS"]
    since = utcnow() - timedelta(seconds=window)
    recent = select(func.count(FailedLogin.id)).where(FailedLogin.attempted_at >= since)
    by_account = db.session.scalar(recent.where(FailedLogin.email == email))
    by_address = db.session.scalar(recent.where(FailedLogin.address == address))
    if by_account >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] or by_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]:
        raise TooManyRequests(
            "Too many failed logins; wait a few minutes and try again.",
            headers={"Retry-After": str(window)},
        )


def _token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode()).hexdigest()


@transactional
def issue_token(user: User) -> str:
    """A new bearer token for `user`; the raw token is shown this once and never stored."""
    raw_token = secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, token_hash=_token_digest(raw_token))
    db.session.add(token)
    db.session.flush()
    # The token's id and whose it is, never the token: the one logging in is not the request's user yet.
    audit.record(AuditKind.ACCESS, "token_issued", token, actor=user, user_id=user.id)
    return raw_token


def user_for_token(raw_token: str) -> User | None:
    # The user comes with the token in one query: every API request asks this.
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == _token_digest(raw_token), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user))
    )
    if token is None or not token.user.is_active:
        return None
    return token.user


@transactional
def revoke_token(raw_token: str) -> None:
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_digest(raw_token)))
    if token is None:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(AuditKind.ACCESS, "token_revoked", token, user_id=token.user_id)
