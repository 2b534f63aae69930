"""Pay worked by hand: technicians, work orders on chosen days, the payroll service called directly.

The company's default pay calendar: bi-weekly periods from Monday 2026-01-05 (so 2026-03-02 to
03-15, 03-16 to 03-29, …), work weeks Monday to Sunday.
"""
import itertools
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from dispatch.auth.models import Role
from dispatch.company.service import update_company_settings
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.payroll import rules, runs, service
from dispatch.payroll.models import PayAccrual
from dispatch.payroll.service import PayableWork
from dispatch.workorders.models import WorkOrder

NONE = Decimal("0.00")


@dataclass
class Payroll:
    """The payroll service for one test, as the owner uses it, with work orders to hang pay on."""

    owner: object
    customer_id: int
    numbers = itertools.count(1)

    def work(self, technician, day: date, hours: str = "0", billed_labour="0.00", billed_parts="0.00", miles="0") -> int:
        """File a work order for `technician` worked on `day`; its id."""
        with transaction():
            number = f"WO-T-{next(self.numbers):04d}"
            work_order = WorkOrder(
                number=number, customer_id=self.customer_id, technician_id=technician.id, summary="Job", filed_by_id=technician.id
            )
            db.session.add(work_order)
            db.session.flush()
            service.accrue_work_order_pay(
                PayableWork(
                    technician_id=technician.id,
                    work_order_id=work_order.id,
                    work_order_number=number,
                    worked_on=day,
                    minutes=round(Decimal(hours) * 60),
                    billed_labour=Decimal(billed_labour),
                    billed_parts=Decimal(billed_parts),
                    miles=Decimal(miles),
                )
            )
            return work_order.id

    def rule(self, technician, effective_on: date, **terms):
        terms = {name: Decimal(value) if isinstance(value, str) else value for name, value in terms.items()}
        return rules.add_pay_rule(technician.id, self.owner, effective_on, **terms)

    def void(self, work_order_id: int) -> list[tuple]:
        with transaction():
            return [(line.kind, line.hours, line.amount) for line in service.reverse_work_order_pay(work_order_id)]

    def run(self, starts_on: date):
        return runs.run_payroll(starts_on, self.owner)

    def lines(self, work_order_id: int) -> list[tuple]:
        """(kind, hours, rate, amount) of a work order's lines, in the order they were written."""
        query = select(PayAccrual).where(PayAccrual.work_order_id == work_order_id).order_by(PayAccrual.id)
        return [(line.kind, line.hours, line.rate, line.amount) for line in db.session.scalars(query)]

    def total(self, technician) -> Decimal:
        query = select(PayAccrual.amount).where(PayAccrual.technician_id == technician.id)
        return sum(db.session.scalars(query), NONE)

    def settings(self, **changes) -> None:
        update_company_settings(**changes)


@pytest.fixture
def payroll(app_context, make_user, make_customer):
    owner = make_user(Role.OWNER)
    customer = make_customer()
    return Payroll(owner=db.session.merge(owner), customer_id=customer["id"])


@pytest.fixture
def technician(app_context, make_user):
    """A technician added at 30.00 an hour: FLSA overtime (over 40 h a week at 1.5×, 45.00)."""
    return db.session.merge(make_user(Role.TECHNICIAN, hourly_rate=Decimal("30.00")))
