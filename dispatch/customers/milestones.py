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


@transactional
def change_milestones(plan_id: int, milestones: list[dict]) -> BillingPlan:
    """Change the milestones not invoiced yet, given in order: one with its id is changed, one without
    is added, one left out is removed. Invoiced milestones are locked: they stay, first, as they are,
    and naming one is a conflict. The total still never exceeds the agreed price."""
    plan = _locked_plan(plan_id)
    customer = get_customer(plan.customer_id)
    if not customer.is_active:
        raise Conflict(f"{customer.name}'s file is closed: reopen it first.")
    invoiced = [milestone for milestone in plan.milestones if milestone.invoice_id]
    still_open = {milestone.id: milestone for milestone in plan.milestones if not milestone.invoice_id}
    named = [milestone["id"] for milestone in milestones if milestone.get("id")]
    locked = [milestone.name for milestone in invoiced if milestone.id in named]
    if locked:
        raise Conflict(f"Already invoiced, so no longer changed or removed: {', '.join(f'“{name}”' for name in locked)}.")
    if any(milestone_id not in still_open for milestone_id in named) or len(set(named)) < len(named):
        raise InvalidInput.on_field("milestones", "Name each milestone of this plan once at most.")
    if not invoiced and not milestones:
        raise InvalidInput.on_field("milestones", "A billing plan has at least one milestone.")
    amounts = _amounts(plan.agreed_price, milestones, already=plan.invoiced)
    for milestone in still_open.values():
        if milestone.id not in named:
            plan.milestones.remove(milestone)
            db.session.delete(milestone)
    listed = []
    for changes, amount in zip(milestones, amounts, strict=True):
        if changes.get("id"):
            milestone = still_open[changes["id"]]
        else:
            milestone = Milestone()
            plan.milestones.append(milestone)
        milestone.name, milestone.amount, milestone.po_number = changes["name"].strip(), amount, changes.get("po_number")
        listed.append(milestone)
    _number(invoiced + listed)
    return plan


def _number(ordered: list[Milestone]) -> None:
    """Positions 1, 2, … in this order. Out of the way first: (plan, position) is unique at every step."""
    for position, milestone in enumerate(ordered, start=1):
        milestone.position = -position
    db.session.flush()
    for position, milestone in enumerate(ordered, start=1):
        milestone.position = position
    db.session.flush()


def _amounts(agreed_price: Decimal, milestones: list[dict], already: Decimal = Decimal("0.00")) -> list[Decimal]:
    """Each milestone's amount: given, or its percentage of the agreed price. Percentages that bill the
    rest of the agreed price (after what is `already` invoiced) bill it exactly: the last one takes the
    cents that rounding left over."""
    amounts = [milestone.get("amount") or to_cents(agreed_price * milestone["percent"] / HUNDRED) for milestone in milestones]
    if milestones and all("percent" in milestone for milestone in milestones):
        if already + to_cents(agreed_price * sum(m["percent"] for m in milestones) / HUNDRED) == agreed_price:
            amounts[-1] = agreed_price - already - sum(amounts[:-1])
    if any(amount <= 0 for amount in amounts):
        raise InvalidInput.on_field("milestones", "Every milestone bills more than zero.")
    if already + sum(amounts) > agreed_price:
        raise InvalidInput.on_field(
            "milestones", f"The milestones add up to {already + sum(amounts):,.2f}, more than the agreed {agreed_price:,.2f}."
        )
    return amounts


@transactional
def invoice_milestone(plan_id: int, milestone_id: int) -> Invoice:
    """The milestone is reached: its invoice, with its PO number, emailed to the customer."""
    plan = _locked_plan(plan_id, missing="No such milestone.")
    milestone = db.session.get(Milestone, milestone_id)
    if milestone is None or milestone.billing_plan_id != plan.id:
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
    _locked_plan(milestone.billing_plan_id)  # as when invoicing: what it has invoiced changes under no one
    milestone.invoice_id, milestone.reached_at = None, None
    db.session.flush()


def billing_plans_of(customer_id: int) -> list[BillingPlan]:
    return list(db.session.scalars(select(BillingPlan).where(BillingPlan.customer_id == customer_id).order_by(BillingPlan.id)))


def _locked_plan(plan_id: int, missing: str = "No such billing plan.") -> BillingPlan:
    # Locked: two clicks at once cannot invoice the same milestone twice, nor change one being invoiced.
    plan = db.session.scalar(
        select(BillingPlan).where(BillingPlan.id == plan_id).with_for_update().execution_options(populate_existing=True)
    )
    if plan is None:
        raise NotFound(missing)
    return plan


def get_billing_plan(plan_id: int) -> BillingPlan:
    plan = db.session.get(BillingPlan, plan_id)
    if plan is None:
        raise NotFound("No such billing plan.")
    return plan
