"""Company vehicles and the miles driven in them: per vehicle and per technician, by month."""
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.time import month_bounds
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice, InvoiceLine, LineKind
from dispatch.payroll.models import AccrualKind, PayAccrual
from dispatch.vehicles.models import Vehicle
from dispatch.workorders.models import MileageEntry, WorkOrder, WorkOrderStatus

ZERO = Decimal("0.00")


@transactional
def add_vehicle(name: str, registration: str | None = None) -> Vehicle:
    name = name.strip()
    if db.session.scalar(select(Vehicle.id).where(Vehicle.name == name)) is not None:
        raise InvalidInput.on_field("name", "A vehicle has this name already.")
    vehicle = Vehicle(name=name, registration=registration)
    db.session.add(vehicle)
    db.session.flush()
    return vehicle


@transactional
def retire_vehicle(vehicle_id: int) -> Vehicle:
    vehicle = get_vehicle(vehicle_id)
    if not vehicle.is_active:
        raise Conflict(f"{vehicle.name} is already retired.")
    vehicle.is_active = False
    return vehicle


def get_vehicle(vehicle_id: int) -> Vehicle:
    vehicle = db.session.get(Vehicle, vehicle_id)
    if vehicle is None:
        raise NotFound("No such vehicle.")
    return vehicle


def list_vehicles() -> list[Vehicle]:
    return list(db.session.scalars(select(Vehicle).order_by(Vehicle.is_active.desc(), Vehicle.name)))


def vehicles_in_use() -> list[Vehicle]:
    """The vehicles a mileage entry may name: the ones the company still runs."""
    return list(db.session.scalars(select(Vehicle).where(Vehicle.is_active).order_by(Vehicle.name)))


def last_vehicle_of(technician_id: int) -> int | None:
    """The vehicle the technician's latest mileage named, if the company still runs it: the form's first guess."""
    return db.session.scalar(
        select(MileageEntry.vehicle_id)
        .join(WorkOrder, WorkOrder.id == MileageEntry.work_order_id)
        .join(Vehicle, Vehicle.id == MileageEntry.vehicle_id)
        .where(WorkOrder.technician_id == technician_id, Vehicle.is_active)
        .order_by(WorkOrder.filed_at.desc(), MileageEntry.id.desc())
        .limit(1)
    )


def vehicle_for_mileage(vehicle_id: int, index: int) -> Vehicle:
    """The vehicle a mileage entry names: one the company still runs."""
    vehicle = db.session.get(Vehicle, vehicle_id)
    if vehicle is None or not vehicle.is_active:
        raise InvalidInput(errors={"mileage": {index: {"vehicle_id": ["No such vehicle."]}}})
    return vehicle


def mileage_report(month: str) -> dict:
    """Miles per vehicle and per technician on the work orders filed in `month` (company time), with what
    the miles were billed to customers and reimbursed to technicians at their own rates."""
    starts, ends = month_bounds(month)
    in_month = (WorkOrder.filed_at >= starts, WorkOrder.filed_at < ends, WorkOrder.status != WorkOrderStatus.VOID)
    by_vehicle = db.session.execute(
        select(Vehicle.id, Vehicle.name, func.sum(MileageEntry.miles))
        .join(MileageEntry, MileageEntry.vehicle_id == Vehicle.id)
        .join(WorkOrder, WorkOrder.id == MileageEntry.work_order_id)
        .where(*in_month)
        .group_by(Vehicle.id, Vehicle.name)
        .order_by(Vehicle.name)
    ).all()
    miles = dict(
        db.session.execute(
            select(WorkOrder.technician_id, func.sum(MileageEntry.miles))
            .join(MileageEntry, MileageEntry.work_order_id == WorkOrder.id)
            .where(*in_month)
            .group_by(WorkOrder.technician_id)
        ).all()
    )
    billed = dict(
        db.session.execute(
            select(WorkOrder.technician_id, func.sum(InvoiceLine.amount))
            .join(Invoice, Invoice.work_order_id == WorkOrder.id)
            .join(InvoiceLine, InvoiceLine.invoice_id == Invoice.id)
            .where(*in_month, InvoiceLine.kind == LineKind.MILEAGE)
            .group_by(WorkOrder.technician_id)
        ).all()
    )
    reimbursed = dict(
        db.session.execute(
            select(WorkOrder.technician_id, func.sum(PayAccrual.amount))
            .join(PayAccrual, PayAccrual.work_order_id == WorkOrder.id)
            .where(*in_month, PayAccrual.kind == AccrualKind.MILEAGE)
            .group_by(WorkOrder.technician_id)
        ).all()
    )
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(miles))).all()) if miles else {}
    return {
        "month": month,
        "by_vehicle": [{"vehicle_id": id_, "name": name, "miles": total} for id_, name, total in by_vehicle],
        "by_technician": [
            {
                "technician_id": technician_id,
                "name": names[technician_id],
                "miles": total,
                "billed": Decimal(billed.get(technician_id) or ZERO),
                "reimbursed": Decimal(reimbursed.get(technician_id) or ZERO),
            }
            for technician_id, total in sorted(miles.items(), key=lambda item: names[item[0]])
        ],
    }
