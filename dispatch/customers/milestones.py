"""Milestone billing: a larger job's agreed price billed in steps (40 % up front, 60 % on completion),
each invoiced when it is reached, the total never beyond the agreed price."""
from decimal import Decimal

from sqlalchemy import select

from dispatch.auth.models import User
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.money import to_cents
from dispatch.core.time import utcnow
from dispatch.core.tx import transactional
from dispatch.customers.models import BillingPlan, Milestone
from dispatch.customers.service import get_customer
from dispatch.extensions import db
from dispatch.invoicing import service as invoicing
from dispatch.invoicing.models import Invoice, LineKind
from dispatch.invoicing.service import LineDraft

HUNDRED = Decimal(100)


@transactional
def create_billing_plan(customer_id: int, title: str, agreed_price: Decimal, milestones: list[dict], actor: User) -> BillingPlan:
    customer = get_customer(customer_id)
    if not customer.is_active:
        raise Conflict(f"{customer.name}'s file is closed: reopen it first.")
    amounts = _amounts(agreed_price, milestones)
    plan = BillingPlan(
        customer_id=customer.id,
        title=title.strip(),
        agreed_price=agreed_price,
        created_by_id=actor.id,
        milestones=[
            Milestone(position=position, name=milestone["name"].strip(), amount=amount, po_number=milestone.get("po_number"))
            for position, (milestone, amount) in enumerate(zip(milestones, amounts, strict=True), start=1)
        ],
    )
    db.session.add(plan)
    db.session.flush()
    return plan


def _amounts(agreed_price: Decimal, milestones: list[dict]) -> list[Decimal]:
    """Each milestone's amount: given, or its percentage of the agreed price. Percentages adding up to
    100 bill exactly the agreed price: the last one takes the cents that rounding left over."""
    amounts = [milestone.get("amount") or to_cents(agreed_price * milestone["percent"] / HUNDRED) for milestone in milestones]
    if all("percent" in milestone for milestone in milestones) and sum(m["percent"] for m in milestones) == HUNDRED:
        amounts[-1] = agreed_price - sum(amounts[:-1])
    if any(amount <= 0 for amount in amounts):
        raise InvalidInput.on_field("milestones", "Every milestone bills more than zero.")
    if sum(amounts) > agreed_price:
        raise InvalidInput.on_field("milestones", f"The milestones add up to {sum(amounts):,.2f}, more than the agreed {agreed_price:,.2f}.")
    return amounts


@transactional
def invoice_milestone(plan_id: int, milestone_id: int) -> Invoice:
    """The milestone is reached: its invoice, with its PO number, emailed to the customer."""
    # The plan is locked: two clicks at once cannot invoice the same milestone, or past the price, twice.
    plan = db.session.scalar(select(BillingPlan).where(BillingPlan.id == plan_id).with_for_update())
    milestone = db.session.get(Milestone, milestone_id)
    if plan is None or milestone is None or milestone.billing_plan_id != plan.id:
        raise NotFound("No such milestone.")
    if milestone.invoice_id is not None:
        raise Conflict(f"“{milestone.name}” is already invoiced.")
    if plan.invoiced + milestone.amount > plan.agreed_price:
        raise Conflict(f"Invoicing “{milestone.name}” would bill more than the agreed {plan.agreed_price:,.2f}.")
    line = LineDraft(LineKind.LABOR, f"{plan.title}: {milestone.name}", Decimal(1), milestone.amount, company_settings().is_labor_taxable)
    invoice = invoicing.issue_invoice(get_customer(plan.customer_id), [line], po_number=milestone.po_number)
    invoicing.request_invoice_email(invoice)
    milestone.invoice_id, milestone.reached_at = invoice.id, utcnow()
    db.session.flush()
    return invoice


def release_milestone_billed_on(invoice_id: int) -> None:
    """The milestone's invoice is void: the milestone is not invoiced any more, and can be again."""
    milestone = db.session.scalar(select(Milestone).where(Milestone.invoice_id == invoice_id))
    if milestone is None:
        return
    # The plan's lock, as when invoicing: what it has invoiced changes under no one.
    db.session.execute(select(BillingPlan.id).where(BillingPlan.id == milestone.billing_plan_id).with_for_update())
    milestone.invoice_id, milestone.reached_at = None, None
    db.session.flush()


def billing_plans_of(customer_id: int) -> list[BillingPlan]:
    return list(db.session.scalars(select(BillingPlan).where(BillingPlan.customer_id == customer_id).order_by(BillingPlan.id)))


def get_billing_plan(plan_id: int) -> BillingPlan:
    plan = db.session.get(BillingPlan, plan_id)
    if plan is None:
        raise NotFound("No such billing plan.")
    return plan
