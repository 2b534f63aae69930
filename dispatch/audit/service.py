"""Writing and reading the audit log.

record() is called by the services that change money, stock, pay, prices, settings or access,
inside their own transaction: the entry is committed with the change, or rolled back with it.
Entries wait in the session and are written as the transaction commits, all in one INSERT: a
filing records half a dozen, and its subjects need not be flushed one by one for their ids.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Select, event, insert, select
from sqlalchemy.orm import Session, SessionTransaction, joinedload

from dispatch.audit.models import AuditEntry, AuditKind
from dispatch.core.pagination import DEFAULT_PAGE_SIZE
from dispatch.core.time import company_timezone, utcnow
from dispatch.extensions import db

PENDING = "dispatch.audit_pending"


@dataclass(frozen=True)
class _PendingEntry:
    entry: dict  # every column but the subject's id, which it may not have yet
    subject: object
    savepoint: SessionTransaction | None  # rolling this back takes the entry with it


def record(kind: AuditKind, action: str, subject, *, actor=None, **changes) -> None:
    """Log `action` on `subject` (a model object, flushed or not) with the amounts or quantities it changed.

    `actor` is for the one who acts before the request knows them (logging in); by default the log
    names the request's user."""
    session = db.session()
    entry = {
        "recorded_at": utcnow(),
        "user_id": actor.id if actor is not None else _acting_user_id(),
        "kind": kind,
        "action": action,
        "subject_type": type(subject).__name__,
        "changes": {name: _plain(value) for name, value in changes.items()},
    }
    session.info.setdefault(PENDING, []).append(_PendingEntry(entry, subject, session.get_nested_transaction()))


@event.listens_for(db.session, "before_commit")
def _write_pending_entries(session: Session) -> None:
    # Also called as a savepoint is released: the entries wait for the transaction itself.
    if session.get_nested_transaction() is not None or not session.info.get(PENDING):
        return
    pending = session.info.pop(PENDING)
    if any(waiting.subject.id is None for waiting in pending):
        session.flush()
    session.execute(insert(AuditEntry), [{**waiting.entry, "subject_id": waiting.subject.id} for waiting in pending])


@event.listens_for(db.session, "after_soft_rollback")
def _forget_rolled_back_entries(session: Session, rolled_back: SessionTransaction) -> None:
    pending = session.info.get(PENDING)
    if pending and rolled_back.nested:
        session.info[PENDING] = [waiting for waiting in pending if not _inside(waiting.savepoint, rolled_back)]


@event.listens_for(db.session, "after_transaction_end")
def _forget_entries_of_ended_transaction(session: Session, ended: SessionTransaction) -> None:
    if ended.parent is None:  # committed (the entries were written), rolled back or closed
        session.info.pop(PENDING, None)


def _inside(savepoint: SessionTransaction | None, rolled_back: SessionTransaction) -> bool:
    while savepoint is not None:
        if savepoint is rolled_back:
            return True
        savepoint = savepoint.parent
    return False


def differences(before: dict, after: dict) -> dict:
    """An edit as record() takes it: {name: {"before": old, "after": new}} for each value in `after`
    that differs from `before` (numerically for Decimals: 8.25 and 8.250 are the same rate)."""
    return {name: {"before": before.get(name), "after": value} for name, value in after.items() if value != before.get(name)}


def entries_query(
    kind: AuditKind | None = None,
    user_id: int | None = None,
    from_on: date | None = None,
    to_on: date | None = None,
) -> Select:
    """Newest first; `from_on` and `to_on` are days in the company's timezone, both included."""
    query = select(AuditEntry).options(joinedload(AuditEntry.user))
    if kind is not None:
        query = query.where(AuditEntry.kind == kind)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if from_on is not None:
        query = query.where(AuditEntry.recorded_at >= _start_of(from_on))
    if to_on is not None:
        query = query.where(AuditEntry.recorded_at < _start_of(to_on + timedelta(days=1)))
    return query.order_by(AuditEntry.recorded_at.desc(), AuditEntry.id.desc())


def find_entries(page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, **filters) -> list[AuditEntry]:
    """One page of entries_query(**filters): the log grows without end, so it is never read whole."""
    query = entries_query(**filters).limit(page_size).offset((page - 1) * page_size)
    return list(db.session.scalars(query))


def _acting_user_id() -> int | None:
    """The user of this request (bearer token or session). Services are not all handed the actor,
    and the log must not depend on each remembering to pass it; outside a request it is the system."""
    if not has_request_context():
        return None
    actor = g.get("api_actor")
    if actor is None and current_user.is_authenticated:
        actor = current_user
    return actor.id if actor is not None else None


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, company_timezone())


def _plain(value):
    """JSON for the changes column: money and dates as text, as the API writes them."""
    if isinstance(value, dict):
        return {name: _plain(inner) for name, inner in value.items()}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
