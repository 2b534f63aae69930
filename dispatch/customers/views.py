from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from dispatch.auth.access import require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.errors import InvalidInput
from dispatch.core.schemas import load_form
from dispatch.customers import service
from dispatch.customers.schemas import CustomerFormSchema, CustomerQueryArgsSchema

bp = Blueprint("customers", __name__, url_prefix="/customers")


@bp.route("/")
@login_required
@require_role(*STAFF)
def list_customers():
    search = load_form(CustomerQueryArgsSchema(), request.args)["q"]
    return render_template("customers/list.html", customers=service.find_customers(search), search=search or "")


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
