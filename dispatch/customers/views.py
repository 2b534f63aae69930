"""Customers: the list, a new customer, and the client file with everything done on it."""
import functools
import re
from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import login_required
from marshmallow import ValidationError
from sqlalchemy import select

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import User
from dispatch.auth.permissions import STAFF
from dispatch.core.body_limits import ONE_FILE, accepts_body_up_to
from dispatch.core.errors import DomainError, InvalidInput
from dispatch.core.schemas import errors_by_input, load_form
from dispatch.core.time import company_timezone, company_today
from dispatch.customers import client_file as client_files, closure, contacts, documents, milestones, service, support_blocks
from dispatch.customers.models import ActionStepKind, ContactKind
from dispatch.extensions import db
from dispatch.customers.schemas import (
    AddDocumentSchema, ChangeMilestonesSchema, CloseFileSchema, ContactFormSchema, CreateBillingPlanSchema, CustomerFormSchema,
    CustomerQueryArgsSchema, ReopenFileSchema, SellSupportBlockSchema,
)

bp = Blueprint("customers", __name__, url_prefix="/customers")
documents_bp = Blueprint("client_documents", __name__, url_prefix="/documents")
actions_bp = Blueprint("action_steps", __name__, url_prefix="/action-steps")

CONTACT_KINDS = {
    ContactKind.PHONE: "Phone call", ContactKind.EMAIL: "Email", ContactKind.IN_PERSON: "In person", ContactKind.ON_SITE: "On site",
}
# The plan form's milestone rows, and what each row holds.
MILESTONE_ROWS = 4
MILESTONE_FIELDS = ("name", "percent", "amount", "po_number")
# Blank rows under a plan's open milestones, to add more.
MILESTONE_ROWS_TO_ADD = 2
MILESTONE_ROW_INPUT = re.compile(r"milestones_(\d+)_")
STEP_KINDS = {
    ActionStepKind.FILE: "File", ActionStepKind.REQUEST_EXTENSION: "Request extension",
    ActionStepKind.RETURN_CALL: "Return call", ActionStepKind.REFERRAL: "Referral",
}


@bp.route("/")
@login_required
@require_role(*STAFF)
def list_customers():
    query = load_form(CustomerQueryArgsSchema(), request.args)
    customers = service.find_customers(query["q"], is_closed=query["closed"])
    return render_template("customers/list.html", customers=customers, search=query["q"] or "", is_closed=query["closed"])


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def new_customer():
    if request.method == "GET":
        return render_template("customers/new.html", form={}, errors={})
    try:
        customer = service.create_customer(**load_form(CustomerFormSchema(), request.form))
    except InvalidInput as error:
        return render_template("customers/new.html", form=request.form, errors=error.errors), 422
    flash(f"Customer {customer.name} added.", "success")
    return redirect(url_for("customers.list_customers"))


@bp.route("/<int:customer_id>")
@login_required
@require_role(*STAFF)
def client_file(customer_id):
    return _client_file_page(customer_id)


def _client_file_page(customer_id: int, section: str | None = None, form=None, errors: dict | None = None,
                      message: str | None = None, status: int = 200):
    """The client file; after a refused form, that form's section with what was typed and what was wrong."""
    page = render_template(
        "customers/file.html",
        file=client_files.client_file(customer_id, current_actor()),
        section=section,
        form=form or {},
        errors=errors or {},
        message=message,
        people=db.session.scalars(select(User).where(User.is_active).order_by(User.name)).all(),
        file_zone=company_timezone(),
        now=datetime.now(company_timezone()).strftime("%Y-%m-%dT%H:%M"),
        contact_kinds=CONTACT_KINDS,
        step_kinds=STEP_KINDS,
        milestone_rows=range(MILESTONE_ROWS),
    )
    return page, status


def _submitted(section: str):
    """Run a form's use case; a refusal shows the client file again with the reason, nothing saved."""

    def decorate(view):
        @functools.wraps(view)
        def run(customer_id, **kwargs):
            try:
                done = view(customer_id, **kwargs)
            except DomainError as error:
                return _client_file_page(customer_id, section, request.form, error.errors, error.message, error.status_code)
            flash(done, "success")
            return redirect(url_for("customers.client_file", customer_id=customer_id, _anchor=section))

        return run

    return decorate


@bp.route("/<int:customer_id>/contacts", methods=["POST"])
@login_required
@require_role(*STAFF)
@_submitted("contacts")
def log_contact(customer_id):
    logged = load_form(ContactFormSchema(), request.form)
    contact = contacts.log_contact(customer_id, _contact_from_form(logged), current_actor())
    billed = f", {contact.amount:,.2f}" if contact.is_billable else ""
    return f"{CONTACT_KINDS[contact.kind]} of {contact.minutes} min logged{billed}."


def _contact_from_form(logged: dict) -> dict:
    """The form's flat fields as the log's input: local time made the company's, one optional action step."""
    step = {name.removeprefix("step_"): logged.pop(name) for name in list(logged) if name.startswith("step_")}
    if logged.get("occurred_at") is not None:
        logged["occurred_at"] = logged["occurred_at"].replace(tzinfo=company_timezone())
    if step["kind"] is not None:
        missing = {f"step_{name}": ["Needed for an action step."] for name in ("due_on", "assignee_id") if step[name] is None}
        if missing:
            raise InvalidInput(errors=missing)
        logged["action_steps"] = [step]
    return logged


@bp.route("/<int:customer_id>/contacts/invoice", methods=["POST"])
@login_required
@require_role(*STAFF)
@_submitted("contacts")
def invoice_waiting_contacts(customer_id):
    invoice = contacts.invoice_waiting_contacts(customer_id)
    return f"Invoice {invoice.number} issued for the waiting contacts: {invoice.total:,.2f}."


@bp.route("/<int:customer_id>/documents", methods=["POST"])
@accepts_body_up_to(ONE_FILE)
@login_required
@require_role(*STAFF)
@_submitted("documents")
def add_document(customer_id):
    added = load_form(AddDocumentSchema(), request.form)
    document = documents.add_document(customer_id, upload=request.files.get("file"), actor=current_actor(), **added)
    return f"“{document.title}” added{' to the confidential section' if document.is_confidential else ''}."


@bp.route("/<int:customer_id>/close", methods=["POST"])
@login_required
@require_role(*STAFF)
@_submitted("closure")
def close_file(customer_id):
    closing = closure.close_file(customer_id, actor=current_actor(), **load_form(CloseFileSchema(), request.form))
    return f"File closed after {closing.visits} visit(s). The customer is inactive until the file is reopened."


@bp.route("/<int:customer_id>/reopen", methods=["POST"])
@login_required
@require_role(*STAFF)
@_submitted("closure")
def reopen_file(customer_id):
    customer = closure.reopen_file(customer_id, load_form(ReopenFileSchema(), request.form)["reason"], current_actor())
    return f"{customer.name}'s file is open again."


@bp.route("/<int:customer_id>/support-blocks", methods=["POST"])
@login_required
@require_role(*STAFF)
@_submitted("support-blocks")
def sell_support_block(customer_id):
    block = support_blocks.sell_support_block(customer_id, actor=current_actor(), **load_form(SellSupportBlockSchema(), request.form))
    return f"Support block of {block.hours:f} hours sold (PO {block.po_number}); its invoice is on its way to the customer."


@bp.route("/<int:customer_id>/billing-plans", methods=["POST"])
@login_required
@require_role(*STAFF)
@_submitted("billing-plans")
def create_billing_plan(customer_id):
    plan = milestones.create_billing_plan(customer_id, actor=current_actor(), **_plan_from_form(request.form))
    return f"Billing plan “{plan.title}” of {plan.agreed_price:,.2f} in {len(plan.milestones)} milestone(s) added."


def _plan_from_form(form) -> dict:
    """The form's milestone rows (milestones_0_name, …) as the plan's list; rows left blank are not milestones."""
    typed = {name: value.strip() for name, value in form.items() if name != "csrf_token" and value.strip()}
    rows = [
        {field: typed.pop(f"milestones_{row}_{field}") for field in MILESTONE_FIELDS if f"milestones_{row}_{field}" in typed}
        for row in range(MILESTONE_ROWS)
    ]
    try:
        return CreateBillingPlanSchema().load({**typed, "milestones": [row for row in rows if row]})
    except ValidationError as error:
        raise InvalidInput(errors=errors_by_input(error.messages)) from error


@bp.route("/<int:customer_id>/billing-plans/<int:plan_id>/milestones/<int:milestone_id>/invoice", methods=["POST"])
@login_required
@require_role(*STAFF)
@_submitted("billing-plans")
def invoice_milestone(customer_id, plan_id, milestone_id):
    invoice = milestones.invoice_milestone(plan_id, milestone_id)
    return f"Milestone invoiced: {invoice.number}, {invoice.total:,.2f}."


@bp.route("/<int:customer_id>/billing-plans/<int:plan_id>/milestones", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def change_milestones(customer_id, plan_id):
    """The plan's milestones not invoiced yet, to change, remove or add to; the invoiced ones shown locked."""
    plan = milestones.get_billing_plan(plan_id)
    if plan.customer_id != customer_id:
        abort(404)
    if request.method == "GET":
        still_open = [milestone for milestone in plan.milestones if not milestone.invoice_id]
        return _milestones_page(plan, _milestone_rows(still_open), rows=len(still_open) + MILESTONE_ROWS_TO_ADD)
    rows = _typed_rows(request.form)
    try:
        plan = milestones.change_milestones(plan.id, _milestone_changes(rows))
    except DomainError as error:
        shown = max((int(match.group(1)) + 1 for name in request.form if (match := MILESTONE_ROW_INPUT.match(name))), default=0)
        return _milestones_page(plan, request.form, shown, error), error.status_code
    flash(f"Milestones of “{plan.title}” saved: {len(plan.milestones)} milestone(s), {plan.invoiced:,.2f} invoiced so far.", "success")
    return redirect(url_for("customers.client_file", customer_id=customer_id, _anchor="billing-plans"))


def _milestone_rows(still_open: list) -> dict:
    """The open milestones as the form's rows (milestones_0_name, …), amounts as they stand."""
    return {
        f"milestones_{row}_{field}": str(value)
        for row, milestone in enumerate(still_open)
        for field, value in (("id", milestone.id), ("name", milestone.name), ("amount", milestone.amount),
                             ("po_number", milestone.po_number or ""))
    }


def _typed_rows(form) -> dict[int, dict]:
    """The rows typed in and not ticked "remove", by row number; a wholly blank row is no milestone."""
    numbers = sorted({int(match.group(1)) for name in form if (match := MILESTONE_ROW_INPUT.match(name))})
    rows = {}
    for number in numbers:
        typed = {field: form.get(f"milestones_{number}_{field}", "").strip() for field in ("id", *MILESTONE_FIELDS)}
        if any(typed.values()) and not form.get(f"milestones_{number}_remove"):
            rows[number] = {field: value for field, value in typed.items() if value}
    return rows


def _milestone_changes(rows: dict[int, dict]) -> list[dict]:
    try:
        return ChangeMilestonesSchema().load({"milestones": list(rows.values())})["milestones"]
    except ValidationError as error:
        # The schema counts the rows kept; the page names a mistake by the row it was typed in.
        messages = error.messages.get("milestones", {})
        numbers = list(rows)
        by_row = {numbers[index]: row_messages for index, row_messages in messages.items()} if isinstance(messages, dict) else messages
        raise InvalidInput(errors=errors_by_input({"milestones": by_row})) from error


def _milestones_page(plan, form, rows: int, error: DomainError | None = None) -> str:
    return render_template(
        "customers/billing_plan.html", plan=plan, form=form, rows=range(rows),
        errors=error.errors or {} if error else {}, message=error.message if error else None,
    )


@documents_bp.route("/<int:document_id>")
@login_required
def read_document(document_id):
    """Any logged-in user may ask; only the allowed get the file, and every attempt is recorded."""
    document, stored = documents.open_document(document_id, current_actor())
    return send_file(stored, mimetype=document.content_type, download_name=document.download_name)


@actions_bp.route("/")
@login_required
def my_action_steps():
    """The person's own list of action steps not done yet, soonest due first."""
    return render_template("customers/action_steps.html", steps=contacts.open_action_steps(assignee_id=current_actor().id),
                           step_kinds=STEP_KINDS, today=company_today())


@actions_bp.route("/<int:step_id>/done", methods=["POST"])
@login_required
def complete_action_step(step_id):
    step = contacts.complete_action_step(step_id, current_actor())
    flash(f"{STEP_KINDS[step.kind]} for {step.customer.name}: done.", "success")
    if request.form.get("back_to") == "file":
        return redirect(url_for("customers.client_file", customer_id=step.customer_id, _anchor="contacts"))
    return redirect(url_for("action_steps.my_action_steps"))
