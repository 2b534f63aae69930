"""Pay accruals: what each technician has earned, line by line."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from dispatch.auth.permissions import ensure_visible
from dispatch.core.money import CENT, to_cents
from dispatch.extensions import db
from dispatch.payroll.models import AccrualKind, PayAccrual


def accrue_labour_pay(technician, work_order_id: int, minutes: int, accrued_on: date) -> PayAccrual:
    """Hours worked × the technician's hourly rate, billable or not. Joins the caller's transaction.

    Hours are rounded to the hundredth first, so hours × rate on the pay
    statement gives exactly the amount paid.
    """
    hours = (Decimal(minutes) / 60).quantize(CENT)
    rate = technician.hourly_rate or Decimal("0.00")
    accrual = PayAccrual(
        technician_id=technician.id,
        work_order_id=work_order_id,
        kind=AccrualKind.REGULAR,
        hours=hours,
        rate=rate,
        amount=to_cents(hours * rate),
        accrued_on=accrued_on,
    )
    db.session.add(accrual)
    db.session.flush()
    return accrual


def find_pay_accruals(actor, technician_id: int | None, on_or_after: date | None, on_or_before: date | None) -> list[PayAccrual]:
    """Accruals by date; a technician sees only their own, the owner everyone's."""
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
    return list(db.session.scalars(query))
