import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.auth.models import User
from dispatch.core.money import MONEY, to_cents
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class AccrualKind(enum.StrEnum):
    REGULAR = "regular"
    OVERTIME = "overtime"
    COMMISSION = "commission"
    MILEAGE = "mileage"
    BONUS = "bonus"
    DEDUCTION = "deduction"


# Hours worked: what overtime is counted over.
HOURS_KINDS = (AccrualKind.REGULAR, AccrualKind.OVERTIME)
# Labour cost in the owner's profit report: everything but mileage, which is reimbursed rather than earned.
LABOUR_COST_KINDS = tuple(kind for kind in AccrualKind if kind != AccrualKind.MILEAGE)
# Entered by the owner, not earned on a work order.
ADJUSTMENT_KINDS = (AccrualKind.BONUS, AccrualKind.DEDUCTION)


class PayRule(db.Model):
    """How a technician is paid from `effective_on` (until `ends_on`, or until the next rule).

    A technician's hourly rate given when they were added is their starting rule: it
    applies on any day no rule covers.
    """

    __tablename__ = "pay_rules"
    __table_args__ = (
        CheckConstraint("hourly_rate >= 0 AND mileage_rate >= 0", name="rates_not_negative"),
        CheckConstraint("overtime_multiplier >= 1", name="overtime_multiplier_at_least_one"),
        CheckConstraint(
            "(weekly_overtime_after_hours IS NULL OR weekly_overtime_after_hours > 0) "
            "AND (daily_overtime_after_hours IS NULL OR daily_overtime_after_hours > 0)",
            name="overtime_thresholds_positive",
        ),
        CheckConstraint(
            "labour_commission_percent >= 0 AND labour_commission_percent <= 100 "
            "AND parts_commission_percent >= 0 AND parts_commission_percent <= 100",
            name="commission_range",
        ),
        CheckConstraint("ends_on IS NULL OR ends_on >= effective_on", name="ends_after_it_starts"),
        # Two rules from the same day would be an overlap the service refuses; this holds under concurrency.
        UniqueConstraint("technician_id", "effective_on", name="uq_pay_rules_technician_id_effective_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    effective_on: Mapped[date]
    ends_on: Mapped[date | None]
    hourly_rate: Mapped[Decimal] = mapped_column(MONEY)
    overtime_multiplier: Mapped[Decimal] = mapped_column(Numeric(4, 2))
    # None: no overtime of that kind (hours over 40 a week is the FLSA's; over 8 a day is California's).
    weekly_overtime_after_hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    daily_overtime_after_hours: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    labour_commission_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    parts_commission_percent: Mapped[Decimal] = mapped_column(Numeric(6, 3))
    mileage_rate: Mapped[Decimal] = mapped_column(MONEY)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def covers(self, day: date) -> bool:
        return self.effective_on <= day and (self.ends_on is None or day <= self.ends_on)

    @property
    def overtime_rate(self) -> Decimal:
        return to_cents(self.hourly_rate * self.overtime_multiplier)


class PayrollRun(db.Model):
    """A pay period paid: its lines totalled into one statement per technician, the period locked."""

    __tablename__ = "payroll_runs"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_it_starts"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unique: two owners running the same period at once make one run, not two.
    starts_on: Mapped[date] = mapped_column(unique=True)
    ends_on: Mapped[date] = mapped_column(unique=True)
    run_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    run_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    run_by: Mapped[User] = relationship(foreign_keys=[run_by_id])
    statements: Mapped[list["PayStatement"]] = relationship(order_by="PayStatement.id", back_populates="run")


class PayStatement(db.Model):
    """What one technician was paid in one payroll run: the lines it paid point at it."""

    __tablename__ = "pay_statements"
    __table_args__ = (UniqueConstraint("payroll_run_id", "technician_id", name="uq_pay_statements_payroll_run_id_technician_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payroll_run_id: Mapped[int] = mapped_column(ForeignKey("payroll_runs.id"), index=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    hours: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    total: Mapped[Decimal] = mapped_column(MONEY)

    run: Mapped[PayrollRun] = relationship(back_populates="statements")
    technician: Mapped[User] = relationship(foreign_keys=[technician_id])
    lines: Mapped[list["PayAccrual"]] = relationship(order_by="PayAccrual.id", viewonly=True)


class PayAccrual(db.Model):
    """One line of pay a technician has earned (or has taken back): never changed, never deleted.

    A correction is a new line: a voided work order's lines are reversed by negative lines
    pointing at them. `worked_on` is the day of the work; `accrued_on` the day the line counts
    in pay, the same unless that day's period was already paid, when it is the first day of the
    next open period (a late line).
    """

    __tablename__ = "pay_accruals"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('regular', 'overtime', 'commission', 'mileage', 'bonus', 'deduction')", name="kind_known"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    work_order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(200))
    hours: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    miles: Mapped[Decimal | None] = mapped_column(Numeric(8, 1))
    # Per hour or per mile; none for commission (its percent is in the description), bonuses and deductions.
    rate: Mapped[Decimal | None] = mapped_column(MONEY)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    worked_on: Mapped[date] = mapped_column(index=True)
    accrued_on: Mapped[date] = mapped_column(index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("pay_accruals.id"), unique=True)
    pay_statement_id: Mapped[int | None] = mapped_column(ForeignKey("pay_statements.id"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def is_late(self) -> bool:
        """Worked in a period already paid, so paid in a later one."""
        return self.accrued_on > self.worked_on
