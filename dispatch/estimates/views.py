"""The estimate pages: the office's list, form and estimate with its "Send" button, and the
customer's own page, opened from its link without a login, accepted or declined there."""
import re

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.auth.service import list_users
from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, DomainError, InvalidInput, NotFound
from dispatch.core.schemas import errors_by_input
from dispatch.core.time import company_today
from dispatch.customers.service import find_customers
from dispatch.estimates import service
from dispatch.estimates.pdf import render_estimate_pdf
from dispatch.estimates.schemas import CreateEstimateSchema

# Public: the token in the URL is the customer's key. The forms still carry a CSRF token.
bp = Blueprint("estimates", __name__, url_prefix="/e")
# The link is the key to the estimate: not kept in caches, not passed on to other sites, not indexed.
PRIVATE_PAGE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}

office_bp = Blueprint("estimates_office", __name__, url_prefix="/estimates")
# The form's line rows: enough for a visit's estimate on a phone; the API takes more.
LINE_ROWS = 5
LINE_FIELDS = ("description", "quantity", "unit_price")
# What the schema wants as whole numbers; a form sends every value as text.
WHOLE_NUMBER_FIELDS = ("customer_id", "technician_id", "visit_minutes")
# Bounded: Python refuses to read an int of thousands of digits, and no field wants one.
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}")


@bp.route("/<token>")
def show_estimate(token):
    return _estimate_page(token), 200, PRIVATE_PAGE


@bp.route("/<token>/pdf")
def estimate_pdf(token):
    estimate = service.find_estimate(token)
    return Response(
        render_estimate_pdf(estimate, company_settings()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{estimate.number}.pdf"', **PRIVATE_PAGE},
    )


@bp.route("/<token>/accept", methods=["POST"])
def accept_estimate(token):
    try:
        estimate = service.accept_estimate(token)
    except Conflict as error:
        return _estimate_page(token, error), error.status_code, PRIVATE_PAGE
    if estimate.appointment is not None:
        flash("Thank you: the estimate is accepted and your visit is booked.", "success")
    else:
        flash("Thank you: the estimate is accepted. We'll call you to book the visit.", "success")
    return redirect(url_for(".show_estimate", token=token))


@bp.route("/<token>/decline", methods=["POST"])
def decline_estimate(token):
    try:
        service.decline_estimate(token)
    except Conflict as error:
        return _estimate_page(token, error), error.status_code, PRIVATE_PAGE
    flash("The estimate is declined. Thank you for letting us know.", "success")
    return redirect(url_for(".show_estimate", token=token))


@bp.errorhandler(NotFound)
def link_not_found(_error):
    """The customer's not-found page (shared with the invoice's link): it says nothing of whose link it was."""
    return render_template("invoicing/link_not_found.html"), 404, PRIVATE_PAGE


def _estimate_page(token: str, error: Conflict | None = None) -> str:
    estimate = service.find_estimate(token)
    return render_template(
        "estimates/show.html",
        estimate=estimate,
        company=company_settings(),
        is_open=estimate.is_open(company_today()),
        error=error,
    )


@office_bp.route("/")
@login_required
@require_role(*STAFF)
def list_estimates():
    return render_template("estimates/list.html", estimates=service.find_estimates(), today=company_today())


@office_bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def new_estimate():
    if request.method == "GET":
        return _form_page({"visit_minutes": "60", "lines": []})
    typed = _typed(request.form)
    try:
        estimate = service.prepare_estimate(_prepared(typed), current_actor())
    except InvalidInput as error:
        return _form_page(typed, error), error.status_code
    flash(f"Estimate {estimate.number} prepared for {estimate.total:,.2f}.", "success")
    return redirect(url_for(".show_office_estimate", estimate_id=estimate.id))


@office_bp.route("/<int:estimate_id>")
@login_required
@require_role(*STAFF)
def show_office_estimate(estimate_id):
    return _office_page(estimate_id)


@office_bp.route("/<int:estimate_id>/send", methods=["POST"])
@login_required
@require_role(*STAFF)
def send_estimate(estimate_id):
    try:
        estimate = service.send_estimate(estimate_id)
    except Conflict as error:
        return _office_page(estimate_id, error), error.status_code
    flash(f"Estimate {estimate.number} will be emailed to {estimate.customer.email} in a moment.", "success")
    return redirect(url_for(".show_office_estimate", estimate_id=estimate_id))


def _office_page(estimate_id: int, error: DomainError | None = None) -> str:
    estimate = service.get_estimate(estimate_id)
    return render_template("estimates/office_show.html", estimate=estimate, today=company_today(), error=error)


def _typed(form) -> dict:
    """What the dispatcher typed, as text, to show again; line rows left blank are dropped."""
    typed = {name: form.get(name, "").strip() for name in (*WHOLE_NUMBER_FIELDS, "valid_until", "notes")}
    rows = [_typed_line(form, row) for row in range(LINE_ROWS)]
    typed["lines"] = [line for line in rows if any(line[name] for name in LINE_FIELDS)]
    return typed


def _typed_line(form, row: int) -> dict:
    line = {name: form.get(f"lines_{row}_{name}", "").strip() for name in LINE_FIELDS}
    # An unticked box sends nothing: not taxable.
    return {**line, "is_taxable": f"lines_{row}_is_taxable" in form}


def _prepared(typed: dict) -> dict:
    """The typed form as CreateEstimateSchema has it, loaded through that schema.

    Blank means not given; "90" in a whole-number field is the number 90 (anything else the schema refuses).
    """
    submitted = {
        name: int(value) if name in WHOLE_NUMBER_FIELDS and WHOLE_NUMBER.fullmatch(value) else value
        for name, value in typed.items()
        if name != "lines" and value
    }
    submitted["lines"] = [{name: value for name, value in line.items() if value != ""} for line in typed["lines"]]
    try:
        return CreateEstimateSchema().load(submitted)
    except ValidationError as error:
        raise InvalidInput(errors=error.messages) from error


def _form_page(typed: dict, error: InvalidInput | None = None) -> str:
    return render_template(
        "estimates/new.html",
        form=typed,
        rows=typed["lines"] + [{"is_taxable": True}] * (LINE_ROWS - len(typed["lines"])),
        error=error,
        errors=errors_by_input(error.errors or {}) if error else {},
        customers=find_customers(),
        technicians=[user for user in list_users() if user.is_technician and user.is_active],
    )
