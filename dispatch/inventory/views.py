from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from dispatch.auth.access import require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.errors import InvalidInput
from dispatch.core.schemas import load_form
from dispatch.inventory import service
from dispatch.inventory.schemas import CreatePartSchema, PartQueryArgsSchema

bp = Blueprint("inventory", __name__, url_prefix="/parts")


@bp.route("/")
@login_required
def list_parts():
    search = load_form(PartQueryArgsSchema(), request.args)["q"]
    return render_template("inventory/parts.html", parts=service.find_parts(search), search=search or "")


@bp.route("/new", methods=["GET", "POST"])
@login_required
@require_role(*STAFF)
def new_part():
    if request.method == "GET":
        return render_template("inventory/new_part.html", form={}, errors={})
    submitted = request.form.to_dict()
    # An unticked checkbox sends nothing: that means "not taxable", not "use the default".
    submitted["is_taxable"] = "true" if "is_taxable" in request.form else "false"
    try:
        part = service.create_part(**load_form(CreatePartSchema(), submitted))
    except InvalidInput as error:
        return render_template("inventory/new_part.html", form=request.form, errors=error.errors), 422
    flash(f"Part {part.sku} added.", "success")
    return redirect(url_for("inventory.list_parts"))
