"""A working company for the filing and invoice benchmarks, and the work orders its technicians file.

Users come from the auth service (each technician gets a van), so tokens and vans are real;
the bulk of it (customers, van stock, past visits) is written straight in SQL, which is not what
is measured. Every filing follows the API.md example: two labour entries, two parts off the van,
mileage, the visit it completes and a follow-up, with the values varied.
"""
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from flask import Flask
from sqlalchemy import insert, select

from dispatch import create_app
from dispatch.auth import service as auth_service
from dispatch.auth.models import Role
from dispatch.company.service import update_company_settings
from dispatch.core.tx import transaction
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.inventory.models import Part, StockLevel
from dispatch.inventory.service import van_of
from dispatch.scheduling.models import Appointment

# The tokens are checked by digest, so cheap password hashing changes nothing measured.
FAST_PASSWORD_HASHING = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}
ON_EVERY_VAN = 1_000_000


@dataclass
class Technician:
    id: int
    token: str
    van_id: int
    # (appointment id, customer id) of past visits still waiting for their work order.
    visits: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class Company:
    technicians: list[Technician]
    customer_ids: list[int]
    part_ids: list[int]
    # First and last id of the past visits, for the raw-SQL filings.
    visit_ids: tuple[int, int]


def bench_app(database_url: str, **config) -> Flask:
    if database_url.startswith(("postgres://", "postgresql://")):
        database_url = "postgresql+psycopg://" + database_url.split("://", 1)[1]
    return create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench", **FAST_PASSWORD_HASHING, **config})


def fill_company(technicians: int, visits_each: int, customers: int = 300, parts: int = 40) -> Company:
    """Call in an app context on a migrated, empty database."""
    update_company_settings(
        name="Seacoast Heating & Cooling", tax_rate_percent=Decimal("8.25"), labor_rate_onsite=Decimal("125.00"),
        labor_rate_travel=Decimal("65.00"), mileage_rate=Decimal("0.70"),
    )
    with transaction():
        crew = [
            auth_service.create_user(f"tech{n}@bench.example", f"Technician {n:02d}", "bench-password", Role.TECHNICIAN,
                                     hourly_rate=Decimal(30 + n % 10))
            for n in range(technicians)
        ]
        crew = [Technician(user.id, auth_service.issue_token(user), van_of(user.id).id) for user in crew]
    with transaction():
        db.session.execute(insert(Customer), [
            {"name": f"Customer {n:03d}", "email": f"c{n}@bench.example", "address": f"{n} Harbor Rd"} for n in range(customers)
        ])
        db.session.execute(insert(Part), [
            {"sku": f"P-{n:03d}", "name": f"Part {n}", "unit_price": Decimal(20 + n * 3), "unit_cost": Decimal(8 + n)}
            for n in range(parts)
        ])
        customer_ids = list(db.session.scalars(select(Customer.id).order_by(Customer.id)))
        part_ids = list(db.session.scalars(select(Part.id).order_by(Part.id)))
        db.session.execute(insert(StockLevel), [
            {"part_id": part_id, "location_id": technician.van_id, "quantity": ON_EVERY_VAN}
            for technician in crew for part_id in part_ids
        ])
        _book_past_visits(crew, customer_ids, visits_each)
    visits = [visit for technician in crew for visit, _customer in technician.visits]
    return Company(crew, customer_ids, part_ids, (min(visits), max(visits)))


def _book_past_visits(crew: list[Technician], customer_ids: list[int], visits_each: int) -> None:
    """Visits already done, one hour each, eight a day going back from yesterday."""
    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    for number, technician in enumerate(crew):
        rows = []
        for visit in range(visits_each):
            starts_at = datetime.combine(yesterday - timedelta(days=visit // 8), time(8 + visit % 8), UTC)
            customer_id = customer_ids[(number * 37 + visit) % len(customer_ids)]
            rows.append({"customer_id": customer_id, "technician_id": technician.id, "starts_at": starts_at,
                         "ends_at": starts_at + timedelta(hours=1)})
        ids = db.session.scalars(insert(Appointment).returning(Appointment.id, sort_by_parameter_order=True), rows)
        technician.visits = [(appointment_id, row["customer_id"]) for appointment_id, row in zip(ids, rows, strict=True)]


def work_order_body(rng: random.Random, company: Company, technician: Technician) -> dict:
    """The next filing of `technician`: their next past visit if one is left, else a walk-in customer."""
    if technician.visits:
        appointment_id, customer_id = technician.visits.pop()
    else:
        appointment_id, customer_id = None, rng.choice(company.customer_ids)
    first, second = rng.sample(company.part_ids, 2)
    body = {
        "customer_id": customer_id,
        "summary": "Replaced condenser fan motor",
        "description": "Unit was short-cycling; motor bearings seized.",
        "labor": [{"kind": "onsite", "minutes": rng.randrange(30, 240)}, {"kind": "travel", "minutes": rng.randrange(10, 60)}],
        "parts": [{"part_id": first, "quantity": rng.randrange(1, 3)}, {"part_id": second, "quantity": 1}],
        "mileage": [{"miles": f"{rng.uniform(2, 60):.1f}"}],
        "follow_up": {"in_days": rng.randrange(7, 60), "duration_minutes": 60, "notes": "Check refrigerant pressure"},
        "po_number": f"PO-{rng.randrange(1000, 9999)}",
    }
    if appointment_id is not None:
        body["appointment_id"] = appointment_id
    return body
