"""Technicians filing at the same moment: the database, not luck, keeps stock and numbers right.

Each thread has its own test client and a token made beforehand; a barrier releases them together.
PostgreSQL only: SQLite runs one writer at a time, so nothing would ever race.
"""
import threading
from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.inventory.models import StockLevel, StockMovement
from dispatch.invoicing.models import Invoice
from dispatch.payroll.models import PayAccrual
from dispatch.scheduling.models import Appointment
from dispatch.workorders.models import PartUsage, WorkOrder
from tests.conftest import van_id

pytestmark = pytest.mark.postgres

YEAR = datetime.now(UTC).year  # the test app's company timezone is UTC


def file_all_at_once(technicians, body_for) -> list:
    """Every technician POSTs their work order at the same instant; the answers, in the same order."""
    barrier = threading.Barrier(len(technicians))
    answers = [None] * len(technicians)

    def file(index, technician):
        body = body_for(technician)
        barrier.wait(timeout=30)
        try:
            answer = technician.post("/work-orders", json=body)
            answers[index] = (answer.status_code, answer.json)
        except Exception as error:  # a crash in the thread must fail the test, not vanish
            answers[index] = (None, repr(error))

    threads = [threading.Thread(target=file, args=(index, technician)) for index, technician in enumerate(technicians)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a filing hung (deadlock?)"
    return answers


def numbers(answers) -> tuple[list[str], list[str]]:
    filed = [body for status, body in answers if status == 201]
    return sorted(body["number"] for body in filed), sorted(body["invoice"]["number"] for body in filed)


def gapless(series: str, count: int) -> list[str]:
    return [f"{series}-{YEAR}-{n:06d}" for n in range(1, count + 1)]


def stored(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def stored_numbers(app) -> tuple[list[str], list[str]]:
    with app.app_context():
        return sorted(db.session.scalars(select(WorkOrder.number))), sorted(db.session.scalars(select(Invoice.number)))


@pytest.fixture
def technicians(api_as, make_user):
    """make(n) → n technicians, each logged in (own client, own token) before anything starts."""
    return lambda count: [api_as(make_user("technician")) for _ in range(count)]


@pytest.mark.parametrize(
    ("crew", "on_shelf", "each"),
    [
        (2, 1, 1),  # two technicians, the last unit
        (8, 1, 1),  # eight technicians, the last unit
        (8, 3, 1),  # eight technicians, the last three units: three of them get one
        (8, 5, 2),  # eight technicians wanting two each of the last five: two succeed, one unit stays
    ],
)
def test_the_last_units_go_to_exactly_as_many_as_there_are(app, shop, technicians, make_part, crew, on_shelf, each):
    part = make_part(stock=on_shelf, location_id=shop.warehouse_id, sku="TXV-R410A", name="Expansion valve", unit_price="95.00", unit_cost="38.00")
    crew = technicians(crew)
    body = shop.work_order(
        parts=[{"part_id": part["id"], "quantity": each, "location_id": shop.warehouse_id}],
        labor=[{"kind": "onsite", "minutes": 60}], mileage=[], follow_up=None,
    )

    answers = file_all_at_once(crew, lambda technician: body)

    statuses = Counter(status for status, _ in answers)
    winners = on_shelf // each
    assert statuses == {201: winners, 409: len(crew) - winners}, answers
    for status, answer in answers:
        if status == 409:
            assert "TXV-R410A" in answer["message"]  # names the part that ran out
    # What is left on the shelf is what the ledger says, and never below zero.
    left = on_shelf - winners * each
    assert shop.stock(part, shop.warehouse_id) == left >= 0
    with app.app_context():
        ledger = db.session.scalar(
            select(func.sum(StockMovement.quantity)).where(StockMovement.part_id == part["id"], StockMovement.location_id == shop.warehouse_id)
        )
        level = db.session.scalar(select(StockLevel.quantity).where(StockLevel.part_id == part["id"], StockLevel.location_id == shop.warehouse_id))
        usages = db.session.scalar(select(func.count()).select_from(PartUsage).where(PartUsage.part_id == part["id"]))
    assert ledger == level == left
    assert usages == winners
    # The losers wrote nothing and used up no number: the winners' numbers run 1..N without holes.
    work_orders, invoices = numbers(answers)
    assert work_orders == gapless("WO", winners)
    assert invoices == gapless("INV", winners)
    assert stored(app, WorkOrder) == stored(app, Invoice) == stored(app, PayAccrual) == winners


def test_many_technicians_filing_at_once_all_succeed_with_gapless_numbers(app, shop, technicians, make_part, jobs_done):
    crew = technicians(8)
    # Two filters in every van: each filing takes from its own shelf, so only the numbers are shared.
    part = make_part(sku="FLT-1620", name="Air filter", unit_price="18.00", unit_cost="6.50")
    for technician in crew:
        receipt = {"part_id": part["id"], "location_id": van_id(shop.dispatcher, technician.user.id), "quantity": 2, "unit_cost": "6.50"}
        assert shop.dispatcher.post("/stock/receipts", json=receipt).status_code == 201
    body = shop.work_order(
        parts=[{"part_id": part["id"], "quantity": 1}],
        labor=[{"kind": "onsite", "minutes": 60}],
        follow_up={"in_days": 7, "duration_minutes": 60, "notes": "Check the filter"},
    )

    answers = file_all_at_once(crew, lambda technician: body)

    assert [status for status, _ in answers] == [201] * 8, answers
    assert sorted(answer["technician_id"] for _, answer in answers) == sorted(t.user.id for t in crew)
    work_orders, invoices = numbers(answers)
    assert work_orders == gapless("WO", 8)  # unique and without holes
    assert invoices == gapless("INV", 8)
    assert [shop.stock(part, van_id(shop.dispatcher, technician.user.id)) for technician in crew] == [2 - 1] * 8
    assert stored(app, WorkOrder) == stored(app, Invoice) == stored(app, PayAccrual) == 8
    # Each technician got their own follow-up in their own first free slot.
    with app.app_context():
        follow_ups = db.session.execute(select(Appointment.technician_id, Appointment.starts_at).where(Appointment.kind == "follow_up")).all()
    assert sorted(technician_id for technician_id, _ in follow_ups) == sorted(t.user.id for t in crew)
    assert len({starts_at for _, starts_at in follow_ups}) == 1  # everyone's diary was empty: the same first slot
    jobs_done()


def test_one_technician_filing_twice_at_once_gets_two_follow_ups_that_do_not_overlap(app, shop, jobs_done):
    """The same technician's diary is locked while a follow-up is found: two cannot take the same slot."""
    phone, tablet = shop.technician, type(shop.technician)(app.test_client(), shop.technician.token, shop.technician.user)
    body = shop.work_order(parts=[], mileage=[], labor=[{"kind": "onsite", "minutes": 30}],
                           follow_up={"in_days": 7, "duration_minutes": 60, "notes": "Check"})

    answers = file_all_at_once([phone, tablet], lambda technician: body)

    assert [status for status, _ in answers] == [201, 201], answers
    slots = sorted(
        (datetime.fromisoformat(answer["follow_up_appointment"]["starts_at"]), datetime.fromisoformat(answer["follow_up_appointment"]["ends_at"]))
        for _, answer in answers
    )
    assert slots[0][1] <= slots[1][0]  # back to back at most, never on top of each other
    assert numbers(answers) == (gapless("WO", 2), gapless("INV", 2))
    jobs_done()


def test_one_technician_filing_from_two_devices_with_different_parts_at_once(app, shop, jobs_done):
    """Phone and tablet send two jobs together, one using a van part, one a warehouse part, both with a
    follow-up: the two filings take turns on the technician's diary instead of deadlocking (no 500)."""
    phone, tablet = shop.technician, type(shop.technician)(app.test_client(), shop.technician.token, shop.technician.user)
    follow_up = {"in_days": 7, "duration_minutes": 60, "notes": "Check"}
    van_job = shop.work_order(parts=[{"part_id": shop.fan_motor["id"], "quantity": 1}], mileage=[], follow_up=follow_up)
    warehouse_job = shop.work_order(parts=[{"part_id": shop.capacitor["id"], "quantity": 1, "location_id": shop.warehouse_id}], mileage=[], follow_up=follow_up)

    for _ in range(3):  # the race is a matter of microseconds: give it a few chances
        answers = file_all_at_once([phone, tablet], lambda device: van_job if device is phone else warehouse_job)
        assert [status for status, _ in answers] == [201, 201], answers

    assert shop.stock(shop.fan_motor, shop.van_id) == 3 - 3
    assert shop.stock(shop.capacitor, shop.warehouse_id) == 5 - 3
    assert stored_numbers(app) == (gapless("WO", 6), gapless("INV", 6))
    jobs_done()


def test_parts_listed_in_opposite_orders_at_once_do_not_deadlock(app, shop, technicians, make_part, jobs_done):
    """Two technicians take the same two warehouse parts, listed in opposite orders: both jobs go through."""
    crew = technicians(2)
    valve = make_part(stock=10, location_id=shop.warehouse_id, sku="TXV-R410A", name="Expansion valve", unit_price="95.00", unit_cost="38.00")
    filter_ = make_part(stock=10, location_id=shop.warehouse_id, sku="FLT-1620", name="Air filter", unit_price="18.00", unit_cost="6.50")
    one_of_each = [{"part_id": valve["id"], "quantity": 1, "location_id": shop.warehouse_id},
                   {"part_id": filter_["id"], "quantity": 1, "location_id": shop.warehouse_id}]
    bodies = {crew[0].user.id: shop.work_order(parts=one_of_each, mileage=[], follow_up=None),
              crew[1].user.id: shop.work_order(parts=one_of_each[::-1], mileage=[], follow_up=None)}

    for _ in range(5):
        answers = file_all_at_once(crew, lambda technician: bodies[technician.user.id])
        assert [status for status, _ in answers] == [201, 201], answers

    assert shop.stock(valve, shop.warehouse_id) == shop.stock(filter_, shop.warehouse_id) == 10 - 10
    assert stored_numbers(app) == (gapless("WO", 10), gapless("INV", 10))
    jobs_done()
