"""Idempotency-Key for POSTs from phones that lose their connection (IETF draft semantics).

The first request with a key claims it (committed at once, so a concurrent
duplicate sees the claim); its answer is stored in the same transaction as its
work. A retry with the same key and body gets that answer again, a different
body 422, and a retry while the first is still running 409. A request that
fails releases its key, so it can be sent again once the problem is fixed.

A request that could not release its key (the database went away mid-request)
leaves an unanswered claim. On PostgreSQL the running request holds its claim's
row lock for its whole transaction, so an unlocked unanswered claim belongs to
a request that is gone and a retry takes it over at once; whoever then locks the
row first does the work, the other replays its answer. SQLite has no row locks:
there a claim is taken over once it is ABANDONED_AFTER old.
"""
import functools
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import g, jsonify, request

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.errors import Conflict, InvalidInput
from dispatch.core.sql import is_postgresql
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.core.tx import transaction
from dispatch.extensions import db

# A claim this old without an answer belongs to a request that died: it may be taken over.
ABANDONED_AFTER = timedelta(minutes=5)
KEPT_FOR = timedelta(hours=24)


class IdempotencyKey(db.Model):
    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_fingerprint: Mapped[str] = mapped_column(String(64))
    # None while the first request is still being processed.
    status_code: Mapped[int | None]
    response_body: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


def fingerprint(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def claim(user_id: int, key: str, request_fingerprint: str) -> IdempotencyKey | None:
    """Claim `key` for this request: None if it is ours now, else the finished earlier answer."""
    try:
        with transaction():
            db.session.add(IdempotencyKey(user_id=user_id, key=key, request_fingerprint=request_fingerprint))
        return None
    except Conflict:
        pass
    with transaction():
        earlier = db.session.scalar(_claim_of(user_id, key))
        if earlier is None:  # released between our insert and this read: try once more
            db.session.add(IdempotencyKey(user_id=user_id, key=key, request_fingerprint=request_fingerprint))
            return None
        if earlier.request_fingerprint != request_fingerprint:
            raise InvalidInput.on_field("Idempotency-Key", "This key was already used for a different request.")
        if earlier.status_code is not None:
            return earlier
        if is_postgresql():
            # Locked by the request working on it: still running. Not locked: that request is gone.
            earlier = db.session.scalar(_claim_of(user_id, key).with_for_update(skip_locked=True).execution_options(
                populate_existing=True))
            if earlier is not None and earlier.status_code is not None:
                return earlier
        elif earlier.created_at <= utcnow() - ABANDONED_AFTER:
            earlier = db.session.scalar(_claim_of(user_id, key).with_for_update())
        else:
            earlier = None
        if earlier is None:
            raise Conflict(
                "A request with this Idempotency-Key is still being processed; retry shortly.", headers={"Retry-After": "2"}
            )
        earlier.created_at = utcnow()
        return None


def _claim_of(user_id: int, key: str):
    return select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)


def _hold(user_id: int, key: str) -> IdempotencyKey | None:
    """Lock our claim for the rest of the use case's transaction: the sign, on PostgreSQL, that it is running."""
    return db.session.scalar(_claim_of(user_id, key).with_for_update().execution_options(populate_existing=True))


def record_answer(user_id: int, key: str, status_code: int, response_body: dict) -> None:
    """Store the answer with the work it describes: call inside the use case's transaction."""
    claimed = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key))
    claimed.status_code = status_code
    claimed.response_body = response_body


def release(user_id: int, key: str) -> None:
    with transaction():
        db.session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.user_id == user_id, IdempotencyKey.key == key, IdempotencyKey.status_code.is_(None)
            )
        )


def forget_expired() -> int:
    """Drop keys past their 24 hours; run from cron."""
    with transaction():
        return db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - KEPT_FOR)).rowcount


HEADER = "Idempotency-Key"


def run_once(user_id: int, key: str, request_fingerprint: str, work: Callable[[], tuple[int, dict]]) -> tuple[int, dict, bool]:
    """Do `work` (answering status and body) once per key: (status, body, whether it was a replay)."""
    earlier = claim(user_id, key, request_fingerprint)
    if earlier is not None:
        return earlier.status_code, earlier.response_body, True
    try:
        with transaction():
            held = _hold(user_id, key)
            if held is None:  # our claim was taken over and released by a failed retry: let the client send again
                raise Conflict("This request's Idempotency-Key was released; send it again.", headers={"Retry-After": "1"})
            if held.status_code is not None:  # taken over by a retry that has finished the work
                return held.status_code, held.response_body, True
            status_code, body = work()
            record_answer(user_id, key, status_code, body)
    except BaseException:
        release(user_id, key)
        raise
    return status_code, body, False


def idempotent(view):
    """Decorator for a POST view of the API: honour the Idempotency-Key header, if the client sent one.

    Goes between @blp.arguments (bad input is refused before a key is claimed)
    and @blp.response (so the answer recorded is exactly the one sent).
    """

    @functools.wraps(view)
    def answer_once(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            # Answered inside the use case's transaction, as a keyed request is: the answer is
            # serialised from the objects just written, not read back again after the commit.
            with transaction():
                return view(*args, **kwargs)
        if not 1 <= len(key) <= 255:
            raise InvalidInput.on_field(HEADER, "Use between 1 and 255 characters.")
        answered = []

        def work():
            answered.append(view(*args, **kwargs))
            return answered[0].status_code, answered[0].get_json()

        status_code, body, is_replay = run_once(g.api_actor.id, key, fingerprint(request.get_json(silent=True)), work)
        return _replay(status_code, body) if is_replay else answered[0]

    return answer_once


def _replay(status_code: int, body: dict):
    response = jsonify(body)
    response.status_code = status_code
    response.headers["Idempotent-Replayed"] = "true"
    return response
