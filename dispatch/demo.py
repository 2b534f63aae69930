"""A believable demo company for a first look: `dispatch serve --demo`."""
from datetime import datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import exists, select

from dispatch.auth.models import Role, User
from dispatch.auth.service import create_user
from dispatch.company.service import update_company_settings
from dispatch.core.time import company_timezone, company_today
from dispatch.core.tx import transactional
from dispatch.customers.service import create_customer
from dispatch.extensions import db
from dispatch.inventory.models import LocationKind, StockLocation
from dispatch.inventory.service import create_part, receive_stock, set_shelf_targets
from dispatch.payroll.rules import add_pay_rule
from dispatch.scheduling.service import book_appointment

DEMO_PASSWORD = "dispatch-demo"

STAFF = [
    (Role.OWNER, "owner@demo.dispatch.test", "Olivia Owens", None),
    (Role.DISPATCHER, "dispatcher@demo.dispatch.test", "Dana Diaz", None),
    (Role.TECHNICIAN, "tech1@demo.dispatch.test", "Tom Tran", Decimal("32.00")),
    (Role.TECHNICIAN, "tech2@demo.dispatch.test", "Priya Patel", Decimal("35.50")),
    (Role.TECHNICIAN, "tech3@demo.dispatch.test", "Sam Okafor", Decimal("29.00")),
]

CUSTOMERS = [
    ("Harbor View Dental", "office@harborviewdental.example", "555-0101", "12 Harbor Rd, Portsmouth", 30),
    ("Maple Street Bakery", "owner@maplebakery.example", "555-0102", "88 Maple St, Dover", 15),
    ("Greenfield Apartments", "manager@greenfieldapts.example", "555-0103", "400 Greenfield Ave, Exeter", 30),
    ("Jordan Residence", "sam.jordan@mail.example", "555-0104", "7 Birch Ln, Rye", None),
    ("Lakeside Veterinary", "frontdesk@lakesidevet.example", "555-0105", "19 Shore Dr, Newington", 30),
    ("Pine Ridge School", "facilities@pineridge.example", "555-0106", "1 School St, Stratham", 45),
]

PARTS = [
    ("FAN-MTR-5", "Condenser fan motor 1/5 HP", "189.00", "96.40", "Motors"),
    ("CAP-45-5", "Dual run capacitor 45/5 µF", "42.00", "11.80", "Electrical"),
    ("CONT-30A", "Contactor 30 A 24 V coil", "58.00", "17.25", "Electrical"),
    ("FILT-16-25", "Pleated filter 16x25x1 MERV 11", "14.50", "4.10", "Filters"),
    ("TSTAT-WIFI", "Wi-Fi programmable thermostat", "219.00", "121.00", "Controls"),
    ("R410A-LB", "Refrigerant R-410A (per lb)", "85.00", "22.60", "Refrigerant"),
    ("IGN-HSI", "Hot surface igniter", "96.00", "31.90", "Ignition"),
    ("FLM-SNSR", "Flame sensor", "48.00", "9.75", "Ignition"),
    ("DRAIN-TAB", "Condensate pan tablets (pack)", "12.00", "3.20", "Supplies"),
    ("PVC-34-10", "PVC pipe 3/4 in × 10 ft", "16.00", "5.40", "Supplies"),
]

JOBS = ["No heat call", "Annual maintenance", "AC not cooling", "Thermostat install", "Noisy blower", "Leak check"]


def load_demo_company() -> list[tuple[str, str, str]] | None:
    """Fill an empty database with the demo company; the logins, or None if there were users already."""
    if db.session.scalar(select(exists().where(User.id.isnot(None)))):
        return None
    _create_demo_company()
    return [(role.value, email, DEMO_PASSWORD) for role, email, _name, _rate in STAFF]


@transactional
def _create_demo_company() -> None:
    update_company_settings(
        name="Seacoast Heating & Cooling",
        address="250 Commerce Way, Portsmouth",
        tax_rate_percent=Decimal("6.250"),
        labor_rate_onsite=Decimal("125.00"),
        labor_rate_remote=Decimal("95.00"),
        labor_rate_phone=Decimal("60.00"),
        labor_rate_travel=Decimal("65.00"),
        mileage_rate=Decimal("0.70"),
        default_payment_terms_days=30,
    )
    users = [create_user(email, name, DEMO_PASSWORD, role, rate) for role, email, name, rate in STAFF]
    owner, dispatcher, technicians = users[0], users[1], users[2:]
    _set_pay_rules(owner, technicians)
    customers = [create_customer(name, email, phone, address, terms) for name, email, phone, address, terms in CUSTOMERS]
    parts = [
        create_part(sku, name, Decimal(price), Decimal(cost), category=category, reorder_point=10, reorder_quantity=24)
        for sku, name, price, cost, category in PARTS
    ]
    _stock_the_shelves(parts, dispatcher)
    _book_a_week(customers, technicians)


def _set_pay_rules(owner, technicians) -> None:
    """Tom is paid by the hour only; Priya also earns commission and mileage; Sam has California overtime."""
    start = company_today().replace(day=1)
    add_pay_rule(
        technicians[1].id, owner, start, hourly_rate=Decimal("35.50"), labour_commission_percent=Decimal("5.000"),
        parts_commission_percent=Decimal("3.000"), mileage_rate=Decimal("0.70"),
    )
    add_pay_rule(technicians[2].id, owner, start, hourly_rate=Decimal("29.00"), daily_overtime_after_hours=Decimal("8.00"))


def _stock_the_shelves(parts, dispatcher) -> None:
    locations = db.session.scalars(select(StockLocation).order_by(StockLocation.id)).all()
    for location in locations:
        on_a_van = location.kind == LocationKind.VAN
        for index, part in enumerate(parts):
            quantity = (2 + index % 3) if on_a_van else (12 + 4 * index)
            receive_stock(part.id, location.id, quantity, part.unit_cost, dispatcher, reference="Demo opening stock")
            if on_a_van:
                # What a restock fills the van up to; a van is low once it is down to one.
                set_shelf_targets(part.id, location.id, reorder_point=1, target_quantity=quantity)


def _book_a_week(customers, technicians) -> None:
    """Two or three visits a working day per technician, this week and next."""
    zone = company_timezone()
    today = company_today()
    job = 0
    for day in (today + timedelta(days=offset) for offset in range(7)):
        if day.weekday() >= 5:
            continue
        for number, technician in enumerate(technicians):
            for start_hour in (8, 11, 14)[: 2 + (number + day.day) % 2]:
                starts_at = datetime.combine(day, time(start_hour), zone)
                customer = customers[job % len(customers)]
                book_appointment(
                    customer.id,
                    technician.id,
                    starts_at,
                    starts_at + timedelta(hours=2),
                    notes=JOBS[job % len(JOBS)],
                    site_id=customer.sites[0].id if customer.sites else None,
                )
                job += 1
