"""Filing a work order: the one use case that reaches into every other domain.

In one transaction: the work order and its labour, parts and mileage; the stock
taken off the shelf; the invoice; the technician's pay; the follow-up visit;
the request to email the invoice. Any failure leaves none of it behind.
"""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from dispatch.auth.models import Role, User
from dispatch.auth.permissions import ensure_visible
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dispatch.core.money import CENT
from dispatch.core.numbering import next_number
from dispatch.core.time import company_date, company_today, utcnow
from dispatch.core.tx import transactional
from dispatch.customers import contacts, invoice_voids, support_blocks
from dispatch.customers.models import Customer, ServiceSite
from dispatch.estimates import service as estimates
from dispatch.extensions import db
from dispatch.inventory import service as inventory
from dispatch.invoicing import service as invoicing
from dispatch.invoicing.models import LineKind
from dispatch.invoicing.service import LineDraft
from dispatch.payroll import service as payroll
from dispatch.scheduling import service as scheduling
from dispatch.scheduling.models import AppointmentKind
from dispatch.vehicles import service as vehicles
from dispatch.workorders.models import LabourEntry, MileageEntry, PartUsage, WorkOrder, WorkOrderStatus

LABOUR_NAMES = {"onsite": "On-site labour", "remote": "Remote support", "phone": "Phone support", "travel": "Travel time"}


@transactional
def file_work_order(filed: dict, actor: User) -> WorkOrder:
    technician = _technician_for(filed.get("technician_id"), actor)
    customer = _active_customer(filed["customer_id"])
    site_id = _site_of(customer, filed.get("site_id"))
    if filed.get("appointment_id") is not None:
        _refuse_second_work_order(filed["appointment_id"])
        scheduling.complete_appointment(filed["appointment_id"], technician.id, customer.id, actor)
    if filed.get("estimate_id") is not None:
        estimates.ensure_accepted(filed["estimate_id"], customer.id)
    today = company_today()
    # Nothing is flushed until the work order is: the ledger rows of the parts taken are written once,
    # with its number, not written and then updated. The follow-up's search for a free slot then sees
    # the visit just completed as still booked, which only keeps the follow-up off that past hour.
    with db.session.no_autoflush:
        taken = _take_parts(technician, filed["parts"])
        follow_up = _book_follow_up(filed, customer.id, technician.id, site_id, today) if filed.get("follow_up") else None
        # Numbers last: their counters stay locked until commit, and every filing waits on them.
        number = next_number("WO", today.year)
    work_order = WorkOrder(
        number=number,
        customer_id=customer.id,
        site_id=site_id,
        technician_id=technician.id,
        appointment_id=filed.get("appointment_id"),
        estimate_id=filed.get("estimate_id"),
        follow_up_appointment=follow_up,
        summary=filed["summary"].strip(),
        description=filed.get("description"),
        po_number=filed.get("po_number"),
        filed_by_id=actor.id,
        labour=[_labour_entry(entry) for entry in filed["labor"]],
        mileage=[_mileage_entry(entry, index) for index, entry in enumerate(filed["mileage"])],
    )
    for usage, movement, _part in taken:
        work_order.parts.append(usage)
        movement.reference = work_order.number
    db.session.add(work_order)
    db.session.flush()
    # Labour comes out of a support block first; billable contacts waiting for the next invoice join this one.
    lines, block_po_numbers = support_blocks.draw_labour(customer.id, work_order.id, _invoice_lines(work_order, taken))
    gathered = contacts.waiting_contacts(customer.id)
    invoice = invoicing.issue_invoice(
        customer,
        lines + contacts.contact_lines(gathered),
        # The block's PO is on each drawn line too; it heads the invoice when the job has none of its own.
        po_number=work_order.po_number or next(iter(block_po_numbers), None),
        work_order_id=work_order.id,
        work_order_number=work_order.number,
    )
    contacts.mark_invoiced(gathered, invoice)
    pay_accruals = payroll.accrue_work_order_pay(
        payroll.PayableWork(
            technician_id=technician.id,
            work_order_id=work_order.id,
            work_order_number=work_order.number,
            # The day the work began (a phone may file it days later), else the filing day.
            worked_on=min((company_date(entry.started_at) for entry in work_order.labour if entry.started_at), default=today),
            minutes=sum(entry.minutes for entry in work_order.labour),
            # The work order's own lines: contacts gathered onto its invoice are not the technician's labour.
            billed_labour=sum((line.amount for line in lines if line.kind == LineKind.LABOR), Decimal("0.00")),
            billed_parts=sum((line.amount for line in lines if line.kind == LineKind.PART), Decimal("0.00")),
            miles=sum((entry.miles for entry in work_order.mileage), Decimal("0.0")),
        )
    )
    invoicing.request_invoice_email(invoice)
    db.session.flush()
    # The invoice and the pay were written by their domains, by id: the answer is given them as written,
    # as the rest of the work order is (reading them back cost two statements, all of it eight).
    set_committed_value(work_order, "invoice", invoice)
    set_committed_value(work_order, "pay_accruals", pay_accruals)
    return work_order


def _technician_for(technician_id: int | None, actor: User) -> User:
    """A technician files for themselves; the office files for a technician it names."""
    if actor.is_technician:
        if technician_id not in (None, actor.id):
            raise Forbidden("Technicians file work orders for themselves only.")
        return actor
    if technician_id is None:
        raise InvalidInput.on_field("technician_id", "Say which technician did the work.")
    technician = db.session.get(User, technician_id)
    if technician is None or technician.role != Role.TECHNICIAN or not technician.is_active:
        raise InvalidInput.on_field("technician_id", "No such technician.")
    return technician


def _active_customer(customer_id: int) -> Customer:
    # With its sites in the same query: the work order takes the first one when none is named.
    customer = db.session.get(Customer, customer_id, options=[joinedload(Customer.sites)])
    if customer is None or not customer.is_active:
        raise InvalidInput.on_field("customer_id", "No such customer.")
    return customer


def _site_of(customer: Customer, site_id: int | None) -> int | None:
    if site_id is None:
        return customer.sites[0].id if customer.sites else None
    if db.session.scalar(select(ServiceSite.customer_id).where(ServiceSite.id == site_id)) != customer.id:
        raise InvalidInput.on_field("site_id", "No such site for this customer.")
    return site_id


def _refuse_second_work_order(appointment_id: int) -> None:
    filed = db.session.scalar(select(WorkOrder.number).where(WorkOrder.appointment_id == appointment_id))
    if filed is not None:
        raise Conflict(f"Appointment {appointment_id} already has work order {filed}.")


def _labour_entry(entry: dict) -> LabourEntry:
    minutes = entry.get("minutes") or round((entry["ended_at"] - entry["started_at"]).total_seconds() / 60)
    return LabourEntry(
        kind=entry["kind"],
        minutes=minutes,
        started_at=entry.get("started_at"),
        ended_at=entry.get("ended_at"),
        is_billable=entry["is_billable"],
    )


def _mileage_entry(entry: dict, index: int) -> MileageEntry:
    if entry.get("vehicle_id") is None:
        return MileageEntry(miles=entry["miles"], vehicle=entry.get("vehicle"))
    vehicle = vehicles.vehicle_for_mileage(entry["vehicle_id"], index)
    return MileageEntry(miles=entry["miles"], vehicle=vehicle.name, vehicle_id=vehicle.id)


def _take_parts(technician: User, parts_used: list[dict]) -> list[tuple[PartUsage, object, object]]:
    """Take each part off its shelf (the technician's van unless another location is named),
    at the price and cost of this moment; the result keeps the order the parts were listed in."""
    # Parts and shelves read in one query each, not one by one (take_stock then finds the shelves in the session).
    parts = inventory.parts_by_id({used["part_id"] for used in parts_used})
    locations, van = inventory.locations_and_van({used["location_id"] for used in parts_used} - {None}, technician.id)
    shelves = [(used["location_id"] or van.id, used["part_id"], index) for index, used in enumerate(parts_used)]
    taken = {}
    # Shelves are locked in one fixed order, whatever order the parts were listed in: two
    # filings taking the same parts can then only queue behind each other, never deadlock.
    for location_id, part_id, index in sorted(shelves):
        quantity = parts_used[index]["quantity"]
        taken[index] = _take_part(technician, parts.get(part_id), locations.get(location_id), quantity, index)
    return [taken[index] for index in range(len(parts_used))]


def _take_part(technician: User, part, shelf, quantity: int, index: int):
    if part is None:
        raise InvalidInput(errors={"parts": {index: {"part_id": ["No such part."]}}})
    if shelf is None:
        raise InvalidInput(errors={"parts": {index: {"location_id": ["No such stock location."]}}})
    try:
        movement = inventory.take_stock(part, shelf.id, quantity, technician)
    except NotFound as error:
        raise InvalidInput(errors={"parts": {index: {"location_id": ["No such stock location."]}}}) from error
    usage = PartUsage(
        part_id=part.id, location_id=shelf.id, quantity=quantity, unit_price=part.unit_price, unit_cost=part.unit_cost
    )
    return usage, movement, part


def _invoice_lines(work_order: WorkOrder, taken) -> list[LineDraft]:
    settings = company_settings()
    lines = [
        LineDraft(
            kind=LineKind.LABOR,
            description=LABOUR_NAMES[entry.kind],
            # Hours to the hundredth, so the customer can check hours × rate = amount.
            quantity=(Decimal(entry.minutes) / 60).quantize(CENT),
            unit_price=getattr(settings, f"labor_rate_{entry.kind}"),
            is_taxable=settings.is_labor_taxable,
            labour_kind=entry.kind,
        )
        for entry in work_order.labour
        if entry.is_billable
    ]
    lines += [
        LineDraft(LineKind.PART, f"{part.sku} {part.name}", Decimal(usage.quantity), usage.unit_price, part.is_taxable)
        for usage, _movement, part in taken
    ]
    lines += [
        LineDraft(
            LineKind.MILEAGE,
            f"Mileage{f' ({entry.vehicle})' if entry.vehicle else ''}",
            entry.miles,
            settings.mileage_rate,
            settings.is_labor_taxable,
        )
        for entry in work_order.mileage
    ]
    return lines


def _book_follow_up(filed: dict, customer_id: int, technician_id: int, site_id: int | None, today):
    follow_up = filed["follow_up"]
    return scheduling.book_first_free_slot(
        customer_id,
        technician_id,
        site_id,
        today + timedelta(days=follow_up["in_days"]),
        follow_up["duration_minutes"],
        follow_up.get("notes") or f"Follow-up: {filed['summary'].strip()}",
        kind=AppointmentKind.FOLLOW_UP,
    )


def get_work_order(work_order_id: int, actor: User) -> WorkOrder:
    """A work order; a technician sees only their own (another's is "not found")."""
    work_order = db.session.get(WorkOrder, work_order_id)
    if work_order is None:
        raise NotFound("No such work order.")
    ensure_visible(actor, work_order.technician_id)
    return work_order


@transactional
def void_work_order(work_order_id: int, reason: str, actor: User) -> WorkOrder:
    """Cancel a work order that should never have been filed: its invoice is voided, its
    parts go back on the shelves they came from, at what they cost then, and the pay it
    accrued is reversed with negative lines.

    An invoice with payments or credits on it cannot be voided: then nothing changes.
    """
    work_order = db.session.scalar(
        select(WorkOrder).where(WorkOrder.id == work_order_id).with_for_update().execution_options(populate_existing=True)
    )
    if work_order is None:
        raise NotFound("No such work order.")
    if work_order.status == WorkOrderStatus.VOID:
        raise Conflict(f"Work order {work_order.number} is already void.")
    reason = reason.strip()
    if not reason:
        raise InvalidInput.on_field("reason", "Say why the work order is void.")
    if work_order.invoice is not None:
        # Contacts billed on the void invoice wait for the next one again.
        invoice_voids.void_invoice(work_order.invoice.id, reason)
    support_blocks.give_back_hours(work_order.id)
    work_order.status, work_order.voided_at, work_order.voided_by_id, work_order.void_reason = (
        WorkOrderStatus.VOID, utcnow(), actor.id, reason,
    )
    returns = [(usage.part_id, usage.location_id, usage.quantity, usage.unit_cost) for usage in work_order.parts]
    if returns:
        inventory.return_stock(returns, actor, reference=work_order.number)
    payroll.reverse_work_order_pay(work_order.id)
    db.session.flush()
    return work_order
