"""The client file: everything about one customer on one page, with the running summary of their account."""
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.core.money import to_cents
from dispatch.customers import closure, contacts, documents, milestones, support_blocks
from dispatch.customers.models import ActionStep, BillingPlan, ClientDocument, Contact, Customer, FileClosure, SupportBlock
from dispatch.customers.service import get_customer
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice, InvoiceStatus
from dispatch.scheduling.models import Appointment
from dispatch.workorders.models import WorkOrder


@dataclass(frozen=True)
class AccountSummary:
    invoiced: Decimal
    paid: Decimal
    balance: Decimal


@dataclass(frozen=True)
class ClientFile:
    customer: Customer
    summary: AccountSummary
    contacts: list[Contact]
    open_steps: list[ActionStep]
    appointments: list[Appointment]
    work_orders: list[WorkOrder]
    invoices: list[Invoice]
    documents: list[ClientDocument]
    support_blocks: list[SupportBlock]
    billing_plans: list[BillingPlan]
    closure: FileClosure | None


def account_summary(customer_id: int) -> AccountSummary:
    """Invoiced and paid over every invoice that is not void, and what is still owed."""
    invoiced, paid = db.session.execute(
        select(func.coalesce(func.sum(Invoice.total), 0), func.coalesce(func.sum(Invoice.amount_paid), 0)).where(
            Invoice.customer_id == customer_id, Invoice.status != InvoiceStatus.VOID
        )
    ).one()
    return AccountSummary(to_cents(Decimal(invoiced)), to_cents(Decimal(paid)), closure.balance_of(customer_id))


def client_file(customer_id: int, actor: User) -> ClientFile:
    customer = get_customer(customer_id)
    return ClientFile(
        customer=customer,
        summary=account_summary(customer.id),
        contacts=contacts.contact_log(customer.id),
        open_steps=contacts.open_action_steps(customer_id=customer.id),
        appointments=list(
            db.session.scalars(select(Appointment).where(Appointment.customer_id == customer.id).order_by(Appointment.starts_at.desc()))
        ),
        work_orders=list(
            db.session.scalars(select(WorkOrder).where(WorkOrder.customer_id == customer.id).order_by(WorkOrder.id.desc()))
        ),
        invoices=list(db.session.scalars(select(Invoice).where(Invoice.customer_id == customer.id).order_by(Invoice.id.desc()))),
        documents=documents.documents_for(customer.id, actor),
        support_blocks=support_blocks.support_blocks_of(customer.id),
        billing_plans=milestones.billing_plans_of(customer.id),
        closure=closure.latest_closure(customer.id),
    )
