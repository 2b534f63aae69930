"""Closing a client file when the work is done and nothing is owed, and reopening it.

A closed file's customer is inactive: hidden from the customer list and from booking and
filing, kept with all its history, and reopenable.
"""
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.core.errors import Conflict, NotFound
from dispatch.core.money import to_cents
from dispatch.core.time import utcnow
from dispatch.core.tx import transactional
from dispatch.customers.contacts import open_action_steps, waiting_contacts
from dispatch.customers.models import ClientDocument, Customer, FileClosure
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice, InvoiceStatus
from dispatch.scheduling.models import Appointment, AppointmentStatus, MaintenancePlan
from dispatch.workorders.models import WorkOrder, WorkOrderStatus

STILL_TO_COME = (AppointmentStatus.SCHEDULED, AppointmentStatus.EN_ROUTE, AppointmentStatus.IN_PROGRESS)


def balance_of(customer_id: int) -> Decimal:
    """What the customer still owes on every invoice that is not void."""
    owed = db.session.scalar(
        select(func.sum(Invoice.total - Invoice.amount_credited - Invoice.discount_taken - Invoice.amount_paid)).where(
            Invoice.customer_id == customer_id, Invoice.status != InvoiceStatus.VOID
        )
    )
    return to_cents(Decimal(owed or 0))


@transactional
def close_file(customer_id: int, reason: str, signature: str, actor: User, referral_source: str | None = None) -> FileClosure:
    customer = _locked_customer(customer_id)
    if not customer.is_active:
        raise Conflict(f"{customer.name}'s file is already closed.")
    _refuse_unfinished_work(customer)
    closure = FileClosure(
        customer_id=customer.id,
        reason=reason.strip(),
        visits=db.session.scalar(
            select(func.count()).select_from(WorkOrder).where(
                WorkOrder.customer_id == customer.id, WorkOrder.status != WorkOrderStatus.VOID
            )
        ),
        referral_source=referral_source,
        reports_received=db.session.scalar(
            select(func.count()).select_from(ClientDocument).where(
                ClientDocument.customer_id == customer.id, ClientDocument.is_confidential
            )
        ),
        signature=signature.strip(),
        closed_by_id=actor.id,
    )
    customer.is_active = False
    db.session.add(closure)
    db.session.flush()
    return closure


def _refuse_unfinished_work(customer: Customer) -> None:
    balance = balance_of(customer.id)
    if balance > 0:
        raise Conflict(f"{customer.name} still owes {balance:,.2f}: the file closes when the balance is zero.")
    if waiting_contacts(customer.id):
        raise Conflict("Billable contacts are waiting for an invoice: invoice them first.")
    steps = open_action_steps(customer_id=customer.id)
    if steps:
        raise Conflict(f"{len(steps)} action step(s) are not done yet.")
    coming = db.session.scalar(
        select(func.count()).select_from(Appointment).where(
            Appointment.customer_id == customer.id, Appointment.status.in_(STILL_TO_COME)
        )
    )
    if coming:
        raise Conflict(f"{coming} visit(s) are still booked: complete or cancel them first.")
    plans = db.session.scalar(
        select(func.count()).select_from(MaintenancePlan).where(MaintenancePlan.customer_id == customer.id, MaintenancePlan.is_active)
    )
    if plans:
        # Its next visits could not be booked for an inactive customer.
        raise Conflict(f"{plans} maintenance plan(s) still run: end them first.")


@transactional
def reopen_file(customer_id: int, reason: str, actor: User) -> Customer:
    customer = _locked_customer(customer_id)
    if customer.is_active:
        raise Conflict(f"{customer.name}'s file is open.")
    closure = latest_closure(customer.id)
    closure.reopened_at, closure.reopened_by_id, closure.reopen_reason = utcnow(), actor.id, reason.strip()
    customer.is_active = True
    return customer


def latest_closure(customer_id: int) -> FileClosure | None:
    return db.session.scalar(
        select(FileClosure).where(FileClosure.customer_id == customer_id).order_by(FileClosure.id.desc()).limit(1)
    )


def _locked_customer(customer_id: int) -> Customer:
    # Locked: two people closing or reopening the same file at once take turns.
    customer = db.session.scalar(
        select(Customer).where(Customer.id == customer_id).with_for_update().execution_options(populate_existing=True)
    )
    if customer is None:
        raise NotFound("No such customer.")
    return customer
