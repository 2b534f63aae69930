"""Pay accruals: what each technician has earned, line by line, and what voiding a job takes back.

Overtime is counted over the work week, not per work order: each filing looks at the
hours already in the week and accrues as overtime only what its own hours add to it.
"""
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, select

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.auth.models import User
from dispatch.auth.permissions import ensure_visible
from dispatch.company.service import company_settings
from dispatch.core.errors import InvalidInput
from dispatch.core.money import CENT, to_cents
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.payroll.models import HOURS_KINDS, AccrualKind, PayAccrual, PayRule
from dispatch.payroll.overtime import overtime_hours
from dispatch.payroll.periods import Period, work_week_containing
from dispatch.payroll.rules import last_paid_day, lock_technician, rule_on, technician

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PayableWork:
    """What a filed work order pays its technician on: hours, billed labour and parts, miles."""

    technician_id: int
    work_order_id: int
    work_order_number: str
    worked_on: date
    minutes: int
    billed_labour: Decimal
    billed_parts: Decimal
    miles: Decimal


def open_day_for(day: date) -> date:
    """`day`, or the first day after the last payroll run if that day's pay has been run."""
    paid_until = last_paid_day()
    return day if paid_until is None or day > paid_until else paid_until + timedelta(days=1)


def accrue_work_order_pay(work: PayableWork) -> list[PayAccrual]:
    """Regular hours, overtime, commission and mileage for one work order. Joins the caller's transaction.

    Hours are rounded to the hundredth first, so hours × rate on the pay statement
    gives exactly the amount paid.
    """
    user = lock_technician(work.technician_id)
    rule = rule_on(user, work.worked_on)
    number = work.work_order_number
    hours = (Decimal(work.minutes) / 60).quantize(CENT)
    lines = []
    if hours:
        overtime = _overtime_added(user.id, rule, work.worked_on, hours)
        if hours - overtime:
            lines.append(_line(AccrualKind.REGULAR, f"{number} regular hours", hours=hours - overtime, rate=rule.hourly_rate))
        if overtime:
            lines.append(_line(AccrualKind.OVERTIME, f"{number} overtime ×{rule.overtime_multiplier.normalize():f}", hours=overtime, rate=rule.overtime_rate))
    for base, percent, billed in ((work.billed_labour, rule.labour_commission_percent, "labour"), (work.billed_parts, rule.parts_commission_percent, "parts")):
        if base and percent:
            description = f"{number} commission {percent.normalize():f} % of billed {billed} {base:,.2f}"
            lines.append(_line(AccrualKind.COMMISSION, description, amount=to_cents(base * percent / 100)))
    if work.miles and rule.mileage_rate:
        lines.append(_line(AccrualKind.MILEAGE, f"{number} mileage {work.miles.normalize():f} mi", miles=work.miles, rate=rule.mileage_rate))
    return _save(lines, user.id, work.work_order_id, work.worked_on)


def _line(kind: AccrualKind, description: str, hours=None, miles=None, rate=None, amount=None) -> PayAccrual:
    quantity = hours if hours is not None else miles
    if amount is None:
        amount = to_cents(quantity * rate)
    return PayAccrual(kind=kind, description=description, hours=hours, miles=miles, rate=rate, amount=amount)


def _save(lines: list[PayAccrual], technician_id: int, work_order_id: int | None, worked_on: date) -> list[PayAccrual]:
    accrued_on = open_day_for(worked_on)
    for line in lines:
        line.technician_id, line.work_order_id = technician_id, work_order_id
        line.worked_on, line.accrued_on = worked_on, accrued_on
    db.session.add_all(lines)
    for line in lines:
        _audit(line)
    return lines


def _audit(line: PayAccrual) -> None:
    action = "pay_reversed" if line.reverses_id else f"pay_{line.kind}"
    audit.record(
        AuditKind.PAY, action, line,
        technician_id=line.technician_id, work_order_id=line.work_order_id, hours=line.hours, amount=line.amount,
    )


def _overtime_added(technician_id: int, rule: PayRule, worked_on: date, hours: Decimal) -> Decimal:
    """How many of `hours` worked on `worked_on` are overtime, given the week's hours so far."""
    week = work_week_containing(worked_on, company_settings())
    by_day, overtime_so_far = _week_hours(technician_id, week)
    by_day[worked_on] += hours
    owed = overtime_hours(by_day, rule) - overtime_so_far
    return min(max(owed, ZERO), hours)


def _week_hours(technician_id: int, week: Period) -> tuple[defaultdict, Decimal]:
    """Hours worked each day of the week (reversals netted out), and the overtime hours accrued for it."""
    lines = db.session.scalars(
        select(PayAccrual).where(
            PayAccrual.technician_id == technician_id,
            PayAccrual.kind.in_(HOURS_KINDS),
            PayAccrual.worked_on.between(week.starts_on, week.ends_on),
        )
    )
    by_day, overtime = defaultdict(lambda: ZERO), ZERO
    for line in lines:
        by_day[line.worked_on] += line.hours
        if line.kind == AccrualKind.OVERTIME:
            overtime += line.hours
    return by_day, overtime


def reverse_work_order_pay(work_order_id: int) -> list[PayAccrual]:
    """Negative lines for everything a (voided) work order accrued; joins the caller's transaction.

    Nothing is deleted or changed. A reversal counts in the original's period while that is
    open, else in the next open one. Taking the hours out of the week can leave other jobs
    with overtime the week no longer has: that overtime is recounted as regular hours, on the
    jobs that had it. A second call finds nothing left to reverse.
    """
    originals = list(db.session.scalars(select(PayAccrual).where(PayAccrual.work_order_id == work_order_id).order_by(PayAccrual.id)))
    if not originals or any(line.reverses_id is not None for line in originals):
        return []
    user = lock_technician(originals[0].technician_id)
    reversals = [_reversal_of(line) for line in originals]
    db.session.add_all(reversals)
    db.session.flush()
    for line in reversals:
        _audit(line)
    worked_days = {line.worked_on for line in originals if line.kind in HOURS_KINDS}
    settings = company_settings()
    for week in {work_week_containing(day, settings) for day in worked_days}:
        reversals += _recount_overtime(user, week)
    return reversals


def _reversal_of(line: PayAccrual) -> PayAccrual:
    return PayAccrual(
        technician_id=line.technician_id,
        work_order_id=line.work_order_id,
        kind=line.kind,
        description=f"Void: {line.description}"[:200],
        hours=-line.hours if line.hours is not None else None,
        miles=-line.miles if line.miles is not None else None,
        rate=line.rate,
        amount=-line.amount,
        worked_on=line.worked_on,
        accrued_on=max(line.accrued_on, open_day_for(line.worked_on)),
        reverses_id=line.id,
    )


def _recount_overtime(user: User, week: Period) -> list[PayAccrual]:
    """Turn overtime the week no longer has back into regular hours, newest overtime first."""
    by_day, overtime_so_far = _week_hours(user.id, week)
    latest_day = max((day for day, hours in by_day.items() if hours), default=week.starts_on)
    excess = overtime_so_far - overtime_hours(by_day, rule_on(user, latest_day))
    lines = []
    for overtime in _overtime_lines_newest_first(user.id, week):
        if excess <= 0:
            break
        taken = min(excess, overtime.hours)
        excess -= taken
        regular_rate = rule_on(user, overtime.worked_on).hourly_rate
        recount = [
            _line(AccrualKind.OVERTIME, f"Overtime recounted after a void: {overtime.description}"[:200], hours=-taken, rate=overtime.rate),
            _line(AccrualKind.REGULAR, f"Recounted as regular hours: {overtime.description}"[:200], hours=taken, rate=regular_rate),
        ]
        lines += _save(recount, user.id, overtime.work_order_id, overtime.worked_on)
    return lines


def _overtime_lines_newest_first(technician_id: int, week: Period) -> list[PayAccrual]:
    """Overtime lines still standing in the week: not reversed, not themselves corrections."""
    reversed_ids = select(PayAccrual.reverses_id).where(PayAccrual.reverses_id.isnot(None))
    return list(
        db.session.scalars(
            select(PayAccrual)
            .where(
                PayAccrual.technician_id == technician_id,
                PayAccrual.kind == AccrualKind.OVERTIME,
                PayAccrual.hours > 0,
                PayAccrual.reverses_id.is_(None),
                PayAccrual.id.not_in(reversed_ids),
                PayAccrual.worked_on.between(week.starts_on, week.ends_on),
            )
            .order_by(PayAccrual.id.desc())
        )
    )


@transactional
def enter_adjustment(technician_id: int, kind: AccrualKind, amount: Decimal, description: str, worked_on: date, actor: User) -> PayAccrual:
    """A flat bonus or deduction the owner enters; a deduction is a negative line."""
    technician(technician_id)
    if kind not in (AccrualKind.BONUS, AccrualKind.DEDUCTION):
        raise InvalidInput.on_field("kind", "Must be bonus or deduction.")
    signed = amount if kind == AccrualKind.BONUS else -amount
    line = PayAccrual(kind=kind, description=description.strip(), amount=signed, entered_by_id=actor.id)
    [line] = _save([line], technician_id, None, worked_on)
    return line


def unpaid_accruals(technician_id: int) -> list[PayAccrual]:
    """Lines no payroll run has paid yet: the current period's pay, late lines included."""
    return list(
        db.session.scalars(
            select(PayAccrual)
            .where(PayAccrual.technician_id == technician_id, PayAccrual.pay_statement_id.is_(None))
            .order_by(PayAccrual.accrued_on, PayAccrual.id)
        )
    )


def pay_accruals_query(actor, technician_id: int | None, on_or_after: date | None, on_or_before: date | None) -> Select:
    """Accruals by date (the API reads them a page at a time); a technician sees only their own, the owner everyone's."""
    if actor.is_technician:
        ensure_visible(actor, technician_id if technician_id is not None else actor.id)
        technician_id = actor.id
    query = select(PayAccrual).order_by(PayAccrual.accrued_on, PayAccrual.id)
    if technician_id is not None:
        query = query.where(PayAccrual.technician_id == technician_id)
    if on_or_after is not None:
        query = query.where(PayAccrual.accrued_on >= on_or_after)
    if on_or_before is not None:
        query = query.where(PayAccrual.accrued_on <= on_or_before)
    return query
