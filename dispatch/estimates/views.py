"""The customer's pages: an estimate opened from its link, without a login, accepted or declined there."""
from flask import Blueprint, Response, flash, redirect, render_template, url_for

from dispatch.company.service import company_settings
from dispatch.core.errors import Conflict, NotFound
from dispatch.core.time import company_today
from dispatch.estimates import service
from dispatch.estimates.pdf import render_estimate_pdf

# Public: the token in the URL is the customer's key. The forms still carry a CSRF token.
bp = Blueprint("estimates", __name__, url_prefix="/e")
# The link is the key to the estimate: not kept in caches, not passed on to other sites, not indexed.
PRIVATE_PAGE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


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
