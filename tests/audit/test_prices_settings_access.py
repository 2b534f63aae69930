"""The audit log beyond money moved: who changed part prices and costs, the company settings that
bill customers and pay technicians, and who may log in (users added, API tokens issued and revoked).

An edit is logged with each changed field as {"before": …, "after": …}; an edit that changes
nothing, and a refused one, writes no entry. The shop (tests/shop.py) sells its fan motor at 189.00
(cost 96.40) and has 5 capacitors at 11.80 in the warehouse; its tax rate is 8.25 %.
"""
import html
import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dispatch.audit.models import AuditEntry
from dispatch.extensions import db
from tests.audit.test_api import audit_log, count_entries
from tests.company.test_views import settings_form
from tests.conftest import PASSWORD, csrf_token


def latest(shop, kind: str) -> dict:
    return audit_log(shop, kind=kind)[0]


def page_form(page, **changes) -> dict:
    """The settings form as a browser sends it back: what the page shows, unescaped."""
    return {name: html.unescape(value) for name, value in settings_form(page).items()} | changes


def part_form(browser, part_id: int, **changes) -> dict:
    page = browser.get(f"/parts/{part_id}/edit").get_data(as_text=True)
    form = {name: html.unescape(value) for name, value in re.findall(r'<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"', page)}
    checked = re.findall(r'<input type="checkbox" name="([^"]+)" checked>', page)
    return {**form, **{name: "on" for name in checked}, **changes}


# Part prices and costs -------------------------------------------------------------------------


def test_a_new_part_is_logged_with_its_price_and_cost(shop):
    added = [entry for entry in audit_log(shop, kind="catalogue") if entry["action"] == "part_added"]
    # Newest first: the capacitor was added after the fan motor, both by the dispatcher.
    assert [(entry["actor"], entry["subject_id"], entry["changes"]["unit_price"], entry["changes"]["unit_cost"]) for entry in added] == [
        (shop.dispatcher.user.name, shop.capacitor["id"], "42.00", "11.80"),
        (shop.dispatcher.user.name, shop.fan_motor["id"], "189.00", "96.40"),
    ]


def test_a_price_change_through_the_api_is_logged_before_and_after(shop):
    part_id = shop.fan_motor["id"]
    assert shop.dispatcher.patch(f"/parts/{part_id}", json={"unit_price": "199.00", "is_taxable": False}).status_code == 200

    entry = latest(shop, "catalogue")
    assert (entry["actor"], entry["action"], entry["subject_type"], entry["subject_id"]) == (
        shop.dispatcher.user.name, "part_pricing_changed", "Part", part_id,
    )
    assert entry["changes"] == {
        "sku": "FAN-MTR-5",
        "unit_price": {"before": "189.00", "after": "199.00"},
        "is_taxable": {"before": True, "after": False},
    }


def test_an_edit_that_leaves_the_price_alone_writes_no_entry(app, shop):
    before = count_entries(app)
    renamed = {"name": "Condenser fan motor 1/4 HP", "unit_price": "189.0"}
    assert shop.dispatcher.patch(f"/parts/{shop.fan_motor['id']}", json=renamed).status_code == 200
    assert count_entries(app) == before


def test_a_price_change_through_the_catalogue_page_is_logged_and_shown(app, shop, browser_as):
    part_id = shop.capacitor["id"]
    browser = browser_as(shop.dispatcher.user)
    before = count_entries(app)
    assert browser.post(f"/parts/{part_id}/edit", data=part_form(browser, part_id)).status_code == 302
    assert count_entries(app) == before, "saved as it was: no change"

    assert browser.post(f"/parts/{part_id}/edit", data=part_form(browser, part_id, unit_price="44.50")).status_code == 302

    entry = latest(shop, "catalogue")
    assert (entry["actor"], entry["action"], entry["changes"]["unit_price"]) == (
        shop.dispatcher.user.name, "part_pricing_changed", {"before": "42.00", "after": "44.50"},
    )
    page = browser_as(shop.owner.user).get("/audit-log/?kind=catalogue").get_data(as_text=True)
    assert "part pricing changed" in page and "unit price 42.00 → 44.50" in page


def test_a_delivery_at_another_cost_logs_the_new_average_cost(shop):
    receipt = {"part_id": shop.capacitor["id"], "location_id": shop.warehouse_id, "quantity": 5, "unit_cost": "13.80"}
    assert shop.dispatcher.post("/stock/receipts", json=receipt).status_code == 201

    entry = latest(shop, "catalogue")
    assert (entry["actor"], entry["action"], entry["subject_id"]) == (shop.dispatcher.user.name, "part_cost_averaged", shop.capacitor["id"])
    # Five at 11.80 on the shelf and five in at 13.80.
    assert entry["changes"] == {"sku": "CAP-45-5", "quantity": 5, "unit_cost": {"before": "11.80", "after": "12.80"}}


# Company settings ------------------------------------------------------------------------------


def test_a_settings_change_through_the_api_logs_only_what_changed(app, shop):
    change = {"tax_rate_percent": "9.5", "labor_rate_onsite": "125.00", "late_fee_cap": "40.00", "is_labor_taxable": True}
    assert shop.owner.patch("/settings", json=change).status_code == 200

    entry = latest(shop, "settings")
    assert (entry["actor"], entry["action"], entry["subject_type"]) == (shop.owner.user.name, "settings_changed", "CompanySettings")
    # The onsite rate was 125.00 already.
    assert entry["changes"] == {
        "tax_rate_percent": {"before": "8.250", "after": "9.500"},
        "late_fee_cap": {"before": None, "after": "40.00"},
        "is_labor_taxable": {"before": False, "after": True},
    }
    before = count_entries(app)
    assert shop.owner.patch("/settings", json=change).status_code == 200
    assert count_entries(app) == before, "the same settings again change nothing"


def test_a_settings_change_through_the_page_is_logged_and_saving_it_unchanged_is_not(app, shop, browser_as):
    browser = browser_as(shop.owner.user)
    before = count_entries(app)
    assert browser.post("/settings", data=page_form(browser.get("/settings"))).status_code == 302
    assert count_entries(app) == before

    changed = page_form(browser.get("/settings"), mileage_rate="0.75", default_payment_terms_days="15")
    assert browser.post("/settings", data=changed).status_code == 302

    entry = latest(shop, "settings")
    assert entry["actor"] == shop.owner.user.name
    assert entry["changes"] == {
        "mileage_rate": {"before": "0.70", "after": "0.75"},
        "default_payment_terms_days": {"before": 30, "after": 15},
    }
    page = browser.get("/audit-log/?kind=settings").get_data(as_text=True)
    assert "settings changed" in page and "mileage rate 0.70 → 0.75" in page


# Users and API tokens --------------------------------------------------------------------------


def test_a_user_added_by_the_owner_is_logged_with_role_and_rate_but_no_password(shop):
    new_user = {"email": "Dana@Seacoast.example", "name": "Dana Reyes", "password": "a long secret phrase", "role": "technician", "hourly_rate": "29.50"}
    added = shop.owner.post("/users", json=new_user)
    assert added.status_code == 201

    entry = latest(shop, "access")
    assert (entry["actor"], entry["action"], entry["subject_type"], entry["subject_id"]) == (shop.owner.user.name, "user_added", "User", added.json["id"])
    assert entry["changes"] == {"email": "dana@seacoast.example", "name": "Dana Reyes", "role": "technician", "hourly_rate": "29.50"}


def test_tokens_issued_and_revoked_are_logged_in_their_users_name_without_the_token(app, client, shop, make_user):
    dispatcher = make_user("dispatcher")
    issued = client.post("/api/v1/auth/tokens", json={"email": dispatcher.email, "password": PASSWORD})
    assert issued.status_code == 201
    token = issued.json["token"]
    assert client.delete("/api/v1/auth/tokens/current", headers={"Authorization": f"Bearer {token}"}).status_code == 204

    revoked, issued_entry = audit_log(shop, kind="access", user_id=dispatcher.id)
    assert [(entry["actor"], entry["action"], entry["subject_type"]) for entry in (revoked, issued_entry)] == [
        (dispatcher.name, "token_revoked", "ApiToken"),
        (dispatcher.name, "token_issued", "ApiToken"),
    ]
    assert revoked["subject_id"] == issued_entry["subject_id"]
    assert revoked["changes"] == issued_entry["changes"] == {"user_id": dispatcher.id}
    with app.app_context():
        stored = json.dumps([entry.changes for entry in db.session.scalars(select(AuditEntry))])
    assert token not in stored and PASSWORD not in stored and "argon2" not in stored


def test_the_access_page_shows_who_was_added_and_who_logged_in(shop, browser_as):
    page = browser_as(shop.owner.user).get("/audit-log/?kind=access").get_data(as_text=True)
    # The shop's users logged in through the API: a token each.
    assert "token issued" in page and shop.technician.user.name in page
    assert "settings changed" not in page


# Refused and filtered --------------------------------------------------------------------------


def test_refused_changes_write_no_entry(app, shop, browser_as, make_user):
    before = count_entries(app)
    refused = [
        (shop.owner.patch("/settings", json={"tax_rate_percent": "9.5", "mileage_rate": "-1.00"}), 422),
        (shop.dispatcher.patch("/settings", json={"tax_rate_percent": "0"}), 403),
        (shop.dispatcher.patch(f"/parts/{shop.fan_motor['id']}", json={"unit_price": "-5.00"}), 422),
        (shop.technician.patch(f"/parts/{shop.fan_motor['id']}", json={"unit_price": "1.00"}), 403),
        (shop.owner.post("/users", json={"email": shop.dispatcher.user.email, "name": "Again", "password": PASSWORD, "role": "owner"}), 422),
        (shop.dispatcher.post("/users", json={"email": "boss@example.test", "name": "Boss", "password": PASSWORD, "role": "owner"}), 403),
        (shop.owner.client.post("/api/v1/auth/tokens", json={"email": shop.owner.user.email, "password": "wrong"}), 401),
    ]
    assert [answer.status_code for answer, _ in refused] == [status for _, status in refused]

    owner = browser_as(shop.owner.user)
    assert owner.post("/settings", data=page_form(owner.get("/settings"), tax_rate_percent="9.5", late_fee_flat="-1")).status_code == 422
    dispatcher = browser_as(shop.dispatcher.user)
    form = part_form(dispatcher, shop.capacitor["id"], unit_price="12.345")
    assert dispatcher.post(f"/parts/{shop.capacitor['id']}/edit", data=form).status_code == 422
    assert dispatcher.post("/settings", data={"tax_rate_percent": "0", "csrf_token": csrf_token(dispatcher.get("/"))}).status_code == 403

    assert count_entries(app) == before


@pytest.mark.parametrize("kind", ["catalogue", "settings", "access"])
def test_the_log_filters_by_the_new_kinds(shop, kind):
    entries = audit_log(shop, kind=kind, page_size=200)
    assert entries and {entry["kind"] for entry in entries} == {kind}


def test_the_openapi_document_names_every_kind(client):
    document = client.get("/api/v1/openapi.json").json
    kinds = ["money", "stock", "pay", "catalogue", "settings", "access"]
    assert document["components"]["schemas"]["AuditEntry"]["properties"]["kind"]["enum"] == kinds
    [kind_filter] = [parameter for parameter in document["paths"]["/api/v1/audit-log"]["get"]["parameters"] if parameter["name"] == "kind"]
    # (None too: the filter may be left out.)
    assert [kind for kind in kind_filter["schema"]["enum"] if kind is not None] == kinds


def test_the_database_keeps_to_the_known_kinds(app_context):
    """Migration 0011 widened the check on the kind; it did not drop it."""
    db.session.add(AuditEntry(kind="access", action="user_added", subject_type="User", subject_id=1, changes={}))
    db.session.flush()
    db.session.add(AuditEntry(kind="gossip", action="user_added", subject_type="User", subject_id=1, changes={}))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
