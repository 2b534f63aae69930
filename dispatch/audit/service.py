"""Writing and reading the audit log.

record() is called by the services that change money, stock, pay, prices, settings or access,
inside their own transaction: the entry is committed with the change, or rolled back with it.
"""
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from flask import g, has_request_context
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from dispatch.audit.models import AuditEntry, AuditKind
from dispatch.core.pagination import DEFAULT_PAGE_SIZE
from dispatch.core.time import company_timezone
from dispatch.extensions import db


def record(kind: AuditKind, action: str, subject, *, actor=None, **changes) -> None:
    """Log `action` on `subject` (a flushed model object) with the amounts or quantities it changed.

    `actor` is for the one who acts before the request knows them (logging in); by default the log
    names the request's user."""
    db.session.add(
        AuditEntry(
            user_id=actor.id if actor is not None else _acting_user_id(),
            kind=kind,
            action=action,
            subject_type=type(subject).__name__,
            subject_id=subject.id,
            changes={name: _plain(value) for name, value in changes.items()},
        )
    )


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
