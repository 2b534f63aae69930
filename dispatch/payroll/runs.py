"""Payroll runs: a pay period totalled per technician, locked, and its statements and export."""
import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Select, func, select

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.auth.models import Role, User
from dispatch.auth.permissions import ensure_visible
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.money import CENT
from dispatch.core.time import company_today
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.payroll.models import HOURS_KINDS, AccrualKind, PayAccrual, PayrollRun, PayStatement
from dispatch.payroll.periods import Period, pay_period_containing

ZERO = Decimal("0.00")
# The payroll provider's import columns: hours and earnings by kind, mileage as a reimbursement.
EXPORT_COLUMNS = (
    "employee_name", "employee_email", "period_start", "period_end", "regular_hours", "overtime_hours",
    "regular_pay", "overtime_pay", "commission", "bonus", "deduction", "reimbursement", "total",
)


def last_run() -> PayrollRun | None:
    return db.session.scalar(select(PayrollRun).order_by(PayrollRun.ends_on.desc()).limit(1))


def next_period_to_run() -> Period:
    """The period after the last run; before any run, the last period that has ended."""
    settings = company_settings()
    previous = last_run()
    if previous is not None:
        starts_on = previous.ends_on + timedelta(days=1)
        # The calendar may have changed since: the period runs from the day after the last one paid.
        return Period(starts_on, pay_period_containing(starts_on, settings).ends_on)
    current = pay_period_containing(company_today(), settings)
    return pay_period_containing(current.starts_on - timedelta(days=1), settings)


def current_period() -> Period:
    return pay_period_containing(company_today(), company_settings())


@transactional
def run_payroll(starts_on: date, actor: User) -> PayrollRun:
    """Pay the period starting `starts_on`: every unpaid line up to its last day goes on a statement."""
    # Every technician's pay is locked while the period closes: a work order filed meanwhile
    # waits, then sees the period closed and accrues into the next one.
    db.session.execute(select(User.id).where(User.role == Role.TECHNICIAN).order_by(User.id).with_for_update(key_share=True))
    period = _period_starting(starts_on)
    if period.ends_on >= company_today():
        raise Conflict(
            f"The pay period {period.starts_on.isoformat()} to {period.ends_on.isoformat()} has not ended: "
            f"run it on {(period.ends_on + timedelta(days=1)).isoformat()} or later."
        )
    run = PayrollRun(starts_on=period.starts_on, ends_on=period.ends_on, run_by_id=actor.id)
    db.session.add(run)
    db.session.flush()
    unpaid = db.session.scalars(
        select(PayAccrual)
        .where(PayAccrual.pay_statement_id.is_(None), PayAccrual.accrued_on <= period.ends_on)
        .order_by(PayAccrual.technician_id, PayAccrual.id)
    )
    by_technician = defaultdict(list)
    for line in unpaid:
        by_technician[line.technician_id].append(line)
    for technician_id, lines in by_technician.items():
        statement = PayStatement(
            payroll_run_id=run.id,
            technician_id=technician_id,
            hours=sum((line.hours for line in lines if line.kind in HOURS_KINDS), ZERO),
            total=sum((line.amount for line in lines), ZERO),
        )
        db.session.add(statement)
        db.session.flush()
        for line in lines:
            line.pay_statement_id = statement.id
    db.session.flush()
    db.session.refresh(run)
    audit.record(
        AuditKind.PAY, "payroll_run", run,
        starts_on=run.starts_on, ends_on=run.ends_on, statements=len(by_technician),
        total=sum((line.amount for lines in by_technician.values() for line in lines), ZERO),
    )
    return run


def _period_starting(starts_on: date) -> Period:
    upcoming = next_period_to_run()
    previous = last_run()
    if previous is not None and starts_on <= previous.ends_on:
        raise Conflict(f"Pay up to {previous.ends_on.isoformat()} has been run already.")
    if previous is not None and starts_on != upcoming.starts_on:
        raise Conflict(f"Payroll runs go in order: the next is for the period starting {upcoming.starts_on.isoformat()}.")
    if previous is not None:
        return upcoming
    period = pay_period_containing(starts_on, company_settings())
    if period.starts_on != starts_on:
        raise InvalidInput.on_field("starts_on", f"No pay period starts that day; the one it falls in starts {period.starts_on.isoformat()}.")
    return period


def list_runs() -> list[PayrollRun]:
    return list(db.session.scalars(runs_query()))


def runs_query() -> Select:
    """Payroll runs, latest period first (ends_on is unique: a stable order to page by)."""
    return select(PayrollRun).order_by(PayrollRun.ends_on.desc())


def get_run(run_id: int) -> PayrollRun:
    run = db.session.get(PayrollRun, run_id)
    if run is None:
        raise NotFound("No such payroll run.")
    return run


def get_statement(statement_id: int, actor: User) -> PayStatement:
    """A pay statement; a technician's are theirs alone (another's is "not found")."""
    statement = db.session.get(PayStatement, statement_id)
    if statement is None:
        raise NotFound("No such pay statement.")
    ensure_visible(actor, statement.technician_id)
    return statement


def find_statements(actor: User, technician_id: int | None) -> list[PayStatement]:
    return list(db.session.scalars(statements_query(actor, technician_id)))


def statements_query(actor: User, technician_id: int | None) -> Select:
    """Statements, newest first (the API reads them a page at a time); a technician sees only their own, the owner everyone's."""
    if actor.is_technician:
        ensure_visible(actor, technician_id if technician_id is not None else actor.id)
        technician_id = actor.id
    query = select(PayStatement).join(PayrollRun).order_by(PayrollRun.ends_on.desc(), PayStatement.id)
    if technician_id is not None:
        query = query.where(PayStatement.technician_id == technician_id)
    return query


def totals_by_kind(lines) -> dict[str, Decimal]:
    totals = {kind.value: ZERO for kind in AccrualKind}
    for line in lines:
        totals[line.kind] += line.amount
    return totals


def year_to_date(statement: PayStatement) -> dict[str, Decimal]:
    """Paid to the technician by kind in the statement's calendar year, this statement included."""
    ends_on = statement.run.ends_on
    rows = db.session.execute(
        select(PayAccrual.kind, func.sum(PayAccrual.amount))
        .join(PayStatement, PayStatement.id == PayAccrual.pay_statement_id)
        .join(PayrollRun)
        .where(PayStatement.technician_id == statement.technician_id, PayrollRun.ends_on.between(date(ends_on.year, 1, 1), ends_on))
        .group_by(PayAccrual.kind)
    )
    totals = {kind.value: ZERO for kind in AccrualKind}
    for kind, total in rows:
        # SQLite sums NUMERIC as a float: back to exact cents through its text form.
        totals[kind] = Decimal(str(total)).quantize(CENT)
    return totals


@dataclass(frozen=True)
class Export:
    filename: str
    text: str


def export_run(run_id: int) -> Export:
    """One row per technician, as a payroll provider imports hours and earnings."""
    run = get_run(run_id)
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for statement in sorted(run.statements, key=lambda statement: statement.technician.name):
        writer.writerow(_export_row(run, statement))
    return Export(f"payroll-{run.starts_on.isoformat()}-to-{run.ends_on.isoformat()}.csv", output.getvalue())


def _export_row(run: PayrollRun, statement: PayStatement) -> list[str]:
    hours = defaultdict(lambda: ZERO)
    for line in statement.lines:
        if line.kind in HOURS_KINDS:
            hours[line.kind] += line.hours
    amounts = totals_by_kind(statement.lines)
    return [
        statement.technician.name,
        statement.technician.email,
        run.starts_on.isoformat(),
        run.ends_on.isoformat(),
        f"{hours[AccrualKind.REGULAR]:.2f}",
        f"{hours[AccrualKind.OVERTIME]:.2f}",
        *(f"{amounts[kind]:.2f}" for kind in ("regular", "overtime", "commission", "bonus", "deduction", "mileage")),
        f"{statement.total:.2f}",
    ]
