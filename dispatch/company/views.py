"""The owner's settings page: the company's name, tax, billing rates and invoicing policy."""
import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from dispatch.auth.access import require_role
from dispatch.auth.models import Role
from dispatch.company import service
from dispatch.company.models import PayFrequency
from dispatch.company.schemas import CompanySettingsSchema, UpdateCompanySettingsSchema
from dispatch.core.errors import InvalidInput

bp = Blueprint("company", __name__)

# What the schema wants as whole numbers; a form sends every value as text.
DAY_FIELDS = ("default_payment_terms_days", "early_payment_discount_days", "late_fee_period_days", "dispute_respond_days")
# Blank means none: no address, no limit to the late fees. (A blank schedule is no reminders.)
BLANK_IS_NONE = ("address", "late_fee_cap")
TEXT_FIELDS = (
    "name", "address", "tax_rate_percent", "labor_rate_onsite", "labor_rate_remote", "labor_rate_phone",
    "labor_rate_travel", "mileage_rate", "early_payment_discount_percent", "late_fee_flat", "late_fee_percent",
    "late_fee_cap", "reminder_schedule", "pay_period_anchor_on", *DAY_FIELDS,
)
# Chosen from a list: a browser always sends one of its options.
CHOICE_FIELDS = ("pay_frequency",)
PAY_FREQUENCY_NAMES = {PayFrequency.WEEKLY: "Weekly", PayFrequency.BIWEEKLY: "Every two weeks", PayFrequency.SEMIMONTHLY: "Twice a month (1st–15th, 16th–end)"}
# Bounded: Python refuses to read an int of thousands of digits, and no field wants one.
WHOLE_NUMBER = re.compile(r"[+-]?\d{1,18}")


@bp.route("/settings", methods=["GET", "POST"])
@login_required
@require_role(Role.OWNER)
def edit_settings():
    if request.method == "GET":
        shown = CompanySettingsSchema().dump(service.company_settings())
        return render_template(
            "company/settings.html",
            form={name: "" if value is None else value for name, value in shown.items()},
            errors={},
            frequencies=PAY_FREQUENCY_NAMES,
        )
    try:
        service.update_company_settings(**_changes(request.form))
    except InvalidInput as error:
        page = render_template("company/settings.html", form=request.form, errors=error.errors, frequencies=PAY_FREQUENCY_NAMES)
        return page, error.status_code
    flash("Settings saved.", "success")
    return redirect(url_for("company.edit_settings"))


def _changes(form) -> dict:
    """The whole form as UpdateCompanySettingsSchema has it, loaded through that schema.

    Every setting is on the form, so every one is sent: a field emptied is refused
    (or, for the address and the late-fee cap, cleared), never silently kept.
    """
    submitted = {name: _value(name, form.get(name, "").strip()) for name in TEXT_FIELDS}
    # An unticked box sends nothing: labour not taxed.
    submitted["is_labor_taxable"] = "is_labor_taxable" in form
    submitted.update({name: form[name] for name in CHOICE_FIELDS if name in form})
    try:
        return UpdateCompanySettingsSchema().load(submitted)
    except ValidationError as error:
        raise InvalidInput(errors=error.messages) from error


def _value(name: str, typed: str) -> str | int | None:
    """Typed "30" in a days field is the number 30 (anything else the schema refuses); blank is none where none is allowed."""
    if name in BLANK_IS_NONE and not typed:
        return None
    if name in DAY_FIELDS and WHOLE_NUMBER.fullmatch(typed):
        return int(typed)
    return typed
