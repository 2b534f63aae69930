"""Idempotency keys: kept a day, scoped to their user, taken over when their request died."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from dispatch.core.errors import Conflict
from dispatch.core.idempotency import IdempotencyKey, claim, forget_expired
from dispatch.core.time import utcnow
from dispatch.core.tx import transaction
from dispatch.extensions import db

pytestmark = pytest.mark.usefixtures("app_context")


def age_key(key: str, by: timedelta) -> None:
    with transaction():
        stored = db.session.scalar(select(IdempotencyKey).where(IdempotencyKey.key == key))
        stored.created_at = utcnow() - by


def test_keys_are_kept_for_a_day_then_forgotten(make_user):
    user = make_user()
    claim(user.id, "yesterday", "a")
    claim(user.id, "this-morning", "b")
    age_key("yesterday", timedelta(hours=24, minutes=1))
    age_key("this-morning", timedelta(hours=23))
    assert forget_expired() == 1
    assert db.session.scalars(select(IdempotencyKey.key)).all() == ["this-morning"]


def test_a_claim_whose_request_died_can_be_taken_over(make_user):
    user = make_user()
    claim(user.id, "crashed", "same body")
    if db.engine.dialect.name == "postgresql":
        # The request working on a claim holds its row lock; once it is gone, a retry takes over at once.
        with db.engine.connect() as running_request:
            running_request.execute(select(IdempotencyKey).where(IdempotencyKey.key == "crashed").with_for_update())
            with pytest.raises(Conflict):
                claim(user.id, "crashed", "same body")
            running_request.rollback()
        assert claim(user.id, "crashed", "same body") is None
        return
    with pytest.raises(Conflict):
        claim(user.id, "crashed", "same body")
    age_key("crashed", timedelta(minutes=10))
    assert claim(user.id, "crashed", "same body") is None
