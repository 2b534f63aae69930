"""The one place that commits: a use case runs inside transaction().

Nested transaction() blocks join the outermost one, so a service that is a use
case of its own (receiving stock) can also run inside a bigger one (filing a
work order) and still commit exactly once. Side effects wait for the commit:
after_commit() callbacks run only if the whole transaction committed;
after_rollback() callbacks undo what lives outside the database (a stored file) if it did not.
"""
import functools
from collections.abc import Callable
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError, OperationalError

from dispatch.core.errors import Conflict, ServiceUnavailable
from dispatch.extensions import db

DEPTH = "dispatch.tx_depth"
AFTER_COMMIT = "dispatch.after_commit"
AFTER_ROLLBACK = "dispatch.after_rollback"


@contextmanager
def transaction():
    session = db.session()
    depth = session.info.get(DEPTH, 0)
    session.info[DEPTH] = depth + 1
    try:
        yield session
        if depth == 0:
            session.commit()
    except IntegrityError as error:
        if depth:
            raise
        _roll_back(session)
        # A unique or check constraint caught what a concurrent request changed
        # between our reads and our writes: a conflict, never a 500.
        raise Conflict("This change conflicts with data saved at the same moment; reload and try again.") from error
    except OperationalError as error:
        if depth:
            raise
        # Rolled back whatever it was: a lost connection must not leave the session unusable
        # for what the request does next (releasing its idempotency key, rendering the error).
        _roll_back(session)
        if not _is_transient(error):
            raise
        # The database chose this transaction to give way (deadlock, serialization): nothing
        # was written, and the same request sent again will go through.
        raise ServiceUnavailable(headers={"Retry-After": "1"}) from error
    except BaseException:
        if depth == 0:
            _roll_back(session)
        raise
    finally:
        session.info[DEPTH] = depth
    if depth == 0:
        session.info.pop(AFTER_ROLLBACK, None)
        for callback in session.info.pop(AFTER_COMMIT, []):
            callback()


def transactional(use_case: Callable) -> Callable:
    """Run a service function as one use case: all of it is committed, or none."""

    @functools.wraps(use_case)
    def run_in_transaction(*args, **kwargs):
        with transaction():
            return use_case(*args, **kwargs)

    return run_in_transaction


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current transaction has committed; never on rollback."""
    _on_outcome(AFTER_COMMIT, callback, "after_commit")


def after_rollback(callback: Callable[[], None]) -> None:
    """Run `callback` if the current transaction rolls back; never once it has committed."""
    _on_outcome(AFTER_ROLLBACK, callback, "after_rollback")


def _on_outcome(key: str, callback: Callable[[], None], name: str) -> None:
    session = db.session()
    if not session.info.get(DEPTH):
        raise RuntimeError(f"{name}() outside transaction(): nothing would ever commit or roll it back")
    session.info.setdefault(key, []).append(callback)


# PostgreSQL's SQLSTATEs for "try again": serialization failure and deadlock detected.
TRANSIENT_SQLSTATES = {"40001", "40P01"}


def _is_transient(error: OperationalError) -> bool:
    return getattr(error.orig, "sqlstate", None) in TRANSIENT_SQLSTATES


def _roll_back(session) -> None:
    session.info.pop(AFTER_COMMIT, None)
    session.rollback()
    for callback in session.info.pop(AFTER_ROLLBACK, []):
        callback()
