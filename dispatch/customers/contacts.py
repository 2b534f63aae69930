"""The contact log: every call, email, meeting and visit, what it costs, and the action steps it leaves.

A billable contact is invoiced once: on an invoice of its own at once, or gathered
onto the customer's next invoice (the next work order filed, or the dispatcher's
"invoice the waiting contacts").
"""
from decimal import Decimal

from sqlalchemy import Select, select

from dispatch.auth.models import Role, User
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.money import CENT, to_cents
from dispatch.core.time import company_timezone, utcnow
from dispatch.core.tx import transactional
from dispatch.customers.models import ActionStep, Billing, Contact, ContactKind, Customer, Payer
from dispatch.customers.service import get_customer
from dispatch.extensions import db
from dispatch.invoicing import service as invoicing
from dispatch.invoicing.models import Invoice, LineKind
from dispatch.invoicing.service import LineDraft

CONTACT_NAMES = {
    ContactKind.PHONE: "Phone call",
    ContactKind.EMAIL: "Email",
    ContactKind.IN_PERSON: "Meeting in person",
    ContactKind.ON_SITE: "Visit on site",
}
# The company rate and the kind of labour (for profit by kind) each way of meeting is billed as.
LABOUR_KIND = {
    ContactKind.PHONE: "phone",
    ContactKind.EMAIL: "remote",
    ContactKind.IN_PERSON: "onsite",
    ContactKind.ON_SITE: "onsite",
}


@transactional
def log_contact(customer_id: int, logged: dict, actor: User) -> Contact:
    customer = get_customer(customer_id)
    if not customer.is_active:
        raise Conflict(f"{customer.name}'s file is closed: reopen it to log a contact.")
    kind = ContactKind(logged["kind"])
    rate = logged.get("hourly_rate")
    if rate is None:
        rate = getattr(company_settings(), f"labor_rate_{LABOUR_KIND[kind]}")
    payer = logged.get("payer", Payer.CUSTOMER)
    contact = Contact(
        customer_id=customer.id,
        kind=kind,
        occurred_at=logged.get("occurred_at") or utcnow(),
        participants=logged["participants"].strip(),
        minutes=logged["minutes"],
        hourly_rate=rate,
        amount=to_cents(_hours(logged["minutes"]) * rate) if payer == Payer.CUSTOMER else Decimal("0.00"),
        payer=payer,
        billing=logged.get("billing", Billing.NEXT_INVOICE),
        notes=logged.get("notes"),
        recorded_by_id=actor.id,
        action_steps=[_action_step(customer.id, step, index) for index, step in enumerate(logged.get("action_steps", []))],
    )
    db.session.add(contact)
    db.session.flush()
    if contact.is_billable and contact.billing == Billing.NOW:
        _invoice_contacts(customer, [contact])
    return contact


def _hours(minutes: int) -> Decimal:
    # To the hundredth, as on a work order: the customer can check hours × rate = amount.
    return (Decimal(minutes) / 60).quantize(CENT)


def _action_step(customer_id: int, step: dict, index: int) -> ActionStep:
    assignee = db.session.get(User, step["assignee_id"])
    if assignee is None or not assignee.is_active:
        raise InvalidInput(errors={"action_steps": {index: {"assignee_id": ["No such user."]}}})
    return ActionStep(
        customer_id=customer_id, kind=step["kind"], due_on=step["due_on"], assignee_id=assignee.id, description=step.get("description")
    )


def contact_lines(contacts: list[Contact]) -> list[LineDraft]:
    settings = company_settings()
    zone = company_timezone()
    return [
        LineDraft(
            kind=LineKind.LABOR,
            description=f"{CONTACT_NAMES[contact.kind]} {contact.occurred_at.astimezone(zone):%Y-%m-%d %H:%M}",
            quantity=_hours(contact.minutes),
            unit_price=contact.hourly_rate,
            is_taxable=settings.is_labor_taxable,
            labour_kind=LABOUR_KIND[contact.kind],
        )
        for contact in contacts
    ]


def waiting_contacts(customer_id: int) -> list[Contact]:
    """Billable contacts waiting for the customer's next invoice, locked so that only one invoice takes them."""
    return list(
        db.session.scalars(
            select(Contact)
            .where(
                Contact.customer_id == customer_id,
                Contact.invoice_id.is_(None),
                Contact.payer == Payer.CUSTOMER,
                Contact.amount > 0,
                Contact.billing == Billing.NEXT_INVOICE,
            )
            .order_by(Contact.occurred_at, Contact.id)
            .with_for_update()
        )
    )


def mark_invoiced(contacts: list[Contact], invoice: Invoice) -> None:
    for contact in contacts:
        contact.invoice_id = invoice.id


def release_from_invoice(invoice_id: int) -> None:
    """The invoice is void: its contacts are billed again on the customer's next invoice."""
    for contact in db.session.scalars(select(Contact).where(Contact.invoice_id == invoice_id)):
        contact.invoice_id, contact.billing = None, Billing.NEXT_INVOICE


def _invoice_contacts(customer: Customer, contacts: list[Contact]) -> Invoice:
    invoice = invoicing.issue_invoice(customer, contact_lines(contacts))
    mark_invoiced(contacts, invoice)
    invoicing.request_invoice_email(invoice)
    return invoice


@transactional
def invoice_waiting_contacts(customer_id: int) -> Invoice:
    """The dispatcher's "invoice now" for the contacts gathered for the next invoice."""
    customer = get_customer(customer_id)
    contacts = waiting_contacts(customer.id)
    if not contacts:
        raise Conflict("No billable contacts are waiting to be invoiced.")
    return _invoice_contacts(customer, contacts)


def contact_log(customer_id: int) -> list[Contact]:
    return list(db.session.scalars(contacts_query(customer_id)))


def contacts_query(customer_id: int) -> Select:
    """The customer's contacts, latest first (the API reads them a page at a time)."""
    return select(Contact).where(Contact.customer_id == customer_id).order_by(Contact.occurred_at.desc(), Contact.id.desc())


def open_action_steps(assignee_id: int | None = None, customer_id: int | None = None) -> list[ActionStep]:
    return list(db.session.scalars(open_action_steps_query(assignee_id, customer_id)))


def open_action_steps_query(assignee_id: int | None = None, customer_id: int | None = None) -> Select:
    """Steps not done yet, soonest due first: a person's list, or a customer's."""
    query = select(ActionStep).where(ActionStep.done_at.is_(None))
    if assignee_id is not None:
        query = query.where(ActionStep.assignee_id == assignee_id)
    if customer_id is not None:
        query = query.where(ActionStep.customer_id == customer_id)
    return query.order_by(ActionStep.due_on, ActionStep.id)


@transactional
def complete_action_step(step_id: int, actor: User) -> ActionStep:
    """Done, by the person responsible or the office: it leaves their list."""
    step = db.session.get(ActionStep, step_id)
    if step is None or (step.assignee_id != actor.id and not actor.has_role(Role.DISPATCHER, Role.OWNER)):
        raise NotFound("No such action step.")
    if step.done_at is not None:
        raise Conflict("This step is already done.")
    step.done_at, step.done_by_id = utcnow(), actor.id
    return step
