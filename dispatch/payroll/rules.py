"""Pay rules: each technician's rates, overtime, commission and mileage, with the days they apply."""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.auth.models import Role, User
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.locks import lock_for_no_key_update
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.payroll.models import PayRule, PayrollRun

# What a technician added with just an hourly rate is paid on: FLSA overtime, no commission, no mileage.
STARTING_TERMS = {
    "overtime_multiplier": Decimal("1.50"),
    "weekly_overtime_after_hours": Decimal("40.00"),
    "daily_overtime_after_hours": None,
    "labour_commission_percent": Decimal("0.000"),
    "parts_commission_percent": Decimal("0.000"),
    "mileage_rate": Decimal("0.00"),
}


def technician(technician_id: int) -> User:
    user = db.session.get(User, technician_id)
    if user is None or user.role != Role.TECHNICIAN:
        raise NotFound("No such technician.")
    return user


def lock_technician(technician_id: int) -> User:
    """One pay change at a time per technician: overtime counted by two filings at once would count neither's hours.

    FOR NO KEY UPDATE: rows inserted meanwhile that refer to the technician (a follow-up
    visit) take a key-share lock on them, which this must not wait on, or filings deadlock.
    """
    lock_for_no_key_update(User, technician_id)
    return technician(technician_id)


def last_paid_day() -> date | None:
    return db.session.scalar(select(PayrollRun.ends_on).order_by(PayrollRun.ends_on.desc()).limit(1))


def starting_rule(user: User) -> PayRule:
    """The rate given when the technician was added, as a rule; never saved (it has no first day)."""
    return PayRule(technician_id=user.id, effective_on=date.min, hourly_rate=user.hourly_rate or Decimal("0.00"), **STARTING_TERMS)


def rule_on(user: User, day: date) -> PayRule:
    """The rule in force on `day`: the one covering it, or else the starting rule."""
    covering = db.session.scalar(
        select(PayRule)
        .where(PayRule.technician_id == user.id, PayRule.effective_on <= day, or_(PayRule.ends_on.is_(None), PayRule.ends_on >= day))
        .limit(1)
    )
    return covering or starting_rule(user)


def list_pay_rules(technician_id: int) -> list[PayRule]:
    technician(technician_id)
    return list(db.session.scalars(select(PayRule).where(PayRule.technician_id == technician_id).order_by(PayRule.effective_on)))


@transactional
def add_pay_rule(technician_id: int, actor: User, effective_on: date, ends_on: date | None = None, **terms) -> PayRule:
    """A new rule from `effective_on`. An open-ended rule already running is ended the day before
    (a raise); any other overlap is refused. Lines already accrued are never recomputed, and a day
    already paid can get no new rule."""
    lock_technician(technician_id)
    if ends_on is not None and ends_on < effective_on:
        raise InvalidInput.on_field("ends_on", "Must be on or after the first day.")
    paid_until = last_paid_day()
    if paid_until is not None and effective_on <= paid_until:
        raise InvalidInput.on_field(
            "effective_on", f"Pay up to {paid_until.isoformat()} has been run: a rule can start on {(paid_until + timedelta(days=1)).isoformat()} or later."
        )
    for rule in _overlapping(technician_id, effective_on, ends_on):
        if rule.ends_on is None and ends_on is None and rule.effective_on < effective_on:
            rule.ends_on = effective_on - timedelta(days=1)
            continue
        until = rule.ends_on.isoformat() if rule.ends_on else "onwards"
        raise Conflict(f"This overlaps the rule from {rule.effective_on.isoformat()} {'to ' if rule.ends_on else ''}{until}.")
    terms = {**STARTING_TERMS, **terms}
    rule = PayRule(technician_id=technician_id, effective_on=effective_on, ends_on=ends_on, created_by_id=actor.id, **terms)
    db.session.add(rule)
    db.session.flush()
    audit.record(AuditKind.PAY, "pay_rule_added", rule, technician_id=technician_id, effective_on=effective_on, ends_on=ends_on, **terms)
    return rule


def _overlapping(technician_id: int, starts_on: date, ends_on: date | None) -> list[PayRule]:
    query = select(PayRule).where(
        PayRule.technician_id == technician_id, or_(PayRule.ends_on.is_(None), PayRule.ends_on >= starts_on)
    )
    if ends_on is not None:
        query = query.where(PayRule.effective_on <= ends_on)
    return list(db.session.scalars(query.order_by(PayRule.effective_on)))
