"""Estimates: prepared by the office, emailed, accepted or declined by the customer through its link."""
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dispatch.auth.models import User
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.money import to_cents
from dispatch.core.numbering import next_number
from dispatch.core.time import company_today
from dispatch.core.tokens import link_digest_of
from dispatch.core.tx import transactional
from dispatch.customers.models import Customer, ServiceSite
from dispatch.estimates.jobs import email_estimate
from dispatch.estimates.models import Estimate, EstimateLine, EstimateStatus
from dispatch.extensions import db
from dispatch.invoicing.service import tax_on
from dispatch.jobs import request_job
from dispatch.scheduling import service as scheduling
from dispatch.scheduling.models import Appointment, AppointmentKind

LIST_LIMIT = 500
# What a Numeric(12, 2) column holds.
LARGEST_AMOUNT = Decimal("9999999999.99")


@transactional
def prepare_estimate(prepared: dict, actor: User) -> Estimate:
    customer = _active_customer(prepared["customer_id"])
    site_id = _site_of(customer, prepared["site_id"])
    technician_id = _technician(prepared["technician_id"])
    today = company_today()
    if prepared["valid_until"] < today:
        raise InvalidInput.on_field("valid_until", "Must not be in the past.")
    lines = [_priced_line(index, line) for index, line in enumerate(prepared["lines"])]
    settings = company_settings()
    subtotal = sum((line.amount for line in lines), Decimal("0.00"))
    tax = tax_on(lines, settings.tax_rate_percent)
    if subtotal + tax > LARGEST_AMOUNT:
        raise InvalidInput.on_field("lines", "The total is larger than an estimate can hold.")
    estimate = Estimate(
        # Numbered only once every check has passed: the counter stays locked until commit.
        number=next_number("EST", today.year),
        customer_id=customer.id,
        site_id=site_id,
        technician_id=technician_id,
        visit_minutes=prepared["visit_minutes"],
        issue_date=today,
        valid_until=prepared["valid_until"],
        notes=prepared["notes"],
        subtotal=subtotal,
        tax_rate_percent=settings.tax_rate_percent,
        tax=tax,
        total=subtotal + tax,
        created_by_id=actor.id,
        lines=lines,
    )
    estimate.open_link()
    db.session.add(estimate)
    db.session.flush()
    return estimate


def _active_customer(customer_id: int) -> Customer:
    customer = db.session.get(Customer, customer_id)
    if customer is None or not customer.is_active:
        raise InvalidInput.on_field("customer_id", "No such customer.")
    return customer


def _site_of(customer: Customer, site_id: int | None) -> int | None:
    if site_id is not None and db.session.scalar(select(ServiceSite.customer_id).where(ServiceSite.id == site_id)) != customer.id:
        raise InvalidInput.on_field("site_id", "No such site for this customer.")
    return site_id


def _technician(technician_id: int | None) -> int | None:
    if technician_id is None:
        return None
    technician = db.session.get(User, technician_id)
    if technician is None or not technician.is_technician or not technician.is_active:
        raise InvalidInput.on_field("technician_id", "No such technician.")
    return technician.id


def _priced_line(index: int, line: dict) -> EstimateLine:
    amount = to_cents(line["quantity"] * line["unit_price"])
    if amount > LARGEST_AMOUNT:
        raise InvalidInput(errors={"lines": {index: {"quantity": ["The line's amount is larger than an estimate can hold."]}}})
    return EstimateLine(
        position=index + 1,
        description=line["description"].strip(),
        quantity=line["quantity"],
        unit_price=line["unit_price"],
        amount=amount,
        is_taxable=line["is_taxable"],
    )


def get_estimate(estimate_id: int) -> Estimate:
    estimate = db.session.get(Estimate, estimate_id)
    if estimate is None:
        raise NotFound("No such estimate.")
    return estimate


@transactional
def send_estimate(estimate_id: int) -> Estimate:
    """Ask for the estimate's PDF and link to be emailed to the customer once this commits.

    sent_at is the email job's marker: cleared here, set by the job once the email is
    out, so a job that runs twice sends once, and a resend asked for later sends again.
    The row is locked so that a job sending right now finishes first: clearing its
    marker before it sets it would lose this resend.
    """
    estimate = db.session.get(Estimate, estimate_id, with_for_update=True, populate_existing=True)
    if estimate is None:
        raise NotFound("No such estimate.")
    if estimate.is_decided:
        raise Conflict(f"Estimate {estimate.number} was already {estimate.status}: there is nothing left to send.")
    # Estimates made before links were signed have none to email yet.
    estimate.open_link()
    if estimate.is_expired(company_today()):
        raise Conflict(f"Estimate {estimate.number} expired on {estimate.valid_until.isoformat()}: prepare a new one.")
    estimate.sent_at = None
    request_job(email_estimate, estimate.id)
    return estimate


def find_estimates() -> list[Estimate]:
    """The office's list of estimates, newest first."""
    query = select(Estimate).order_by(Estimate.issue_date.desc(), Estimate.id.desc()).limit(LIST_LIMIT)
    return list(db.session.scalars(query.options(selectinload(Estimate.customer))))


def find_estimate(token: str, for_update: bool = False) -> Estimate:
    """The estimate a customer's link names. A wrong token is "not found", and says no more."""
    query = select(Estimate).where(Estimate.link_digest == link_digest_of(token))
    estimate = db.session.scalar(query.with_for_update() if for_update else query)
    if estimate is None:
        raise NotFound()
    return estimate


@transactional
def accept_estimate(token: str) -> Estimate:
    """The customer accepts: the estimate is decided, and the visit booked in the technician's
    first free slot from tomorrow.

    Without a technician (or with one who has left) there is no diary to find a slot in:
    an unassigned visit cannot be slotted. A diary full for the months searched has none.
    Then nothing is booked, the acceptance stands, and the office calls the customer to book:
    a yes is not turned away for want of a slot.
    """
    estimate = _decided(token, EstimateStatus.ACCEPTED)
    estimate.appointment = _book_visit(estimate)
    return estimate


@transactional
def decline_estimate(token: str) -> Estimate:
    return _decided(token, EstimateStatus.DECLINED)


def _decided(token: str, status: EstimateStatus) -> Estimate:
    # Locked: two answers sent at once (a double tap) take turns, and the second finds it decided.
    estimate = find_estimate(token, for_update=True)
    estimate.decide(status, company_today())
    return estimate


def _book_visit(estimate: Estimate) -> Appointment | None:
    technician = db.session.get(User, estimate.technician_id) if estimate.technician_id is not None else None
    if technician is None or not technician.is_active:
        return None
    try:
        return scheduling.book_first_free_slot(
            estimate.customer_id,
            technician.id,
            estimate.site_id,
            company_today() + timedelta(days=1),
            estimate.visit_minutes,
            notes=f"Estimate {estimate.number}",
            kind=AppointmentKind.VISIT,
        )
    except Conflict:  # no free slot in the days searched: the office calls to book
        return None


def ensure_accepted(estimate_id: int, customer_id: int) -> None:
    """Work filed against an estimate: the customer's own, and accepted. Joins the caller's transaction."""
    estimate = db.session.get(Estimate, estimate_id)
    if estimate is None or estimate.customer_id != customer_id:
        raise InvalidInput.on_field("estimate_id", "No such estimate for this customer.")
    if estimate.status != EstimateStatus.ACCEPTED:
        raise InvalidInput.on_field("estimate_id", f"Estimate {estimate.number} has not been accepted.")
