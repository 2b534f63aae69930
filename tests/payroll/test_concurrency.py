"""One technician's work orders filed at the same instant: overtime is counted over all of them.

Each filing reads the week's hours before writing its own. Today filings already take turns on the
work-order number counter before pay is accrued, and payroll locks the technician's pay too; should
either change, filings that each missed the others' hours would accrue no overtime, and this fails.
PostgreSQL only: SQLite runs one writer at a time, so nothing would ever race.
"""
from decimal import Decimal

import pytest
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.payroll.models import PayAccrual
from tests.workorders.test_concurrency import file_all_at_once

pytestmark = pytest.mark.postgres


def test_overtime_is_counted_over_work_orders_filed_at_once(app, api_as, make_user, make_customer):
    technician = make_user("technician", hourly_rate=Decimal("30.00"))
    phones = [api_as(technician) for _ in range(5)]
    customer = make_customer()
    body = {"customer_id": customer["id"], "summary": "Long day", "labor": [{"kind": "onsite", "minutes": 600}]}

    answers = file_all_at_once(phones, lambda _phone: body)

    assert [status for status, _body in answers] == [201] * 5, answers
    with app.app_context():
        lines = db.session.scalars(select(PayAccrual).where(PayAccrual.technician_id == technician.id)).all()
        hours = {kind: sum(line.hours for line in lines if line.kind == kind) for kind in ("regular", "overtime")}
        # 5 × 10 h in one week: 40 h regular × 30.00 + 10 h overtime × 45.00 = 1650.00
        assert hours == {"regular": Decimal("40.00"), "overtime": Decimal("10.00")}
        assert sum(line.amount for line in lines) == Decimal("1650.00")
