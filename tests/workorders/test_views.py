"""The technician's filing page: a form that files a work order, keeps what was typed when it cannot."""
import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.inventory.models import StockMovement
from dispatch.invoicing.models import Invoice
from dispatch.jobs import OutboxMessage
from dispatch.payroll.models import PayAccrual
from dispatch.scheduling.models import Appointment
from dispatch.workorders.models import WorkOrder
from tests.conftest import csrf_token

YEAR = datetime.now(UTC).year


@pytest.fixture
def technician(shop, browser_as):
    """The shop's technician, logged in on the web."""
    return browser_as(shop.technician.user)


def filing_form(shop, browser, **changes) -> dict:
    """The API.md example as the page sends it: text, with repeated names for rows."""
    form = {
        "customer_id": str(shop.customer["id"]),
        "summary": "Replaced condenser fan motor",
        "labor_kind": ["onsite", "travel"],
        "labor_minutes": ["95", "30"],
        "part_id": [str(shop.fan_motor["id"])],
        "part_quantity": ["1"],
        "miles": "18.4",
        "follow_up_in_days": "14",
        "follow_up_duration_minutes": "60",
        "follow_up_notes": "Check refrigerant pressure",
        "description": "Unit was short-cycling; motor bearings seized.",
        "po_number": "PO-5531",
    }
    form.update(changes)
    return {**form, "csrf_token": csrf_token(browser.get("/work-orders/new"))}


def count_rows(app) -> dict:
    with app.app_context():
        return {
            model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
            for model in (WorkOrder, Invoice, PayAccrual, StockMovement, OutboxMessage, Appointment)
        }


def test_the_form_offers_the_vans_parts_with_what_is_on_hand(shop, technician):
    answer = technician.get("/work-orders/new")

    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "FAN-MTR-5 Condenser fan motor · 3 in van" in page
    assert "CAP-45-5" not in page  # in the warehouse, not the van
    assert "Harbor View Dental</option>" in page
    assert page.count('name="labor_minutes"') == page.count('name="part_quantity"') == 1


def test_filing_through_the_form_shows_the_work_order_and_its_invoice(app, shop, technician, monkeypatch):
    monkeypatch.setitem(app.config, "DISPATCH_TIMEZONE", "America/New_York")

    answer = technician.post("/work-orders/new", data=filing_form(shop, technician))

    assert answer.status_code == 302
    filed = shop.technician.get(f"/work-orders/{answer.headers['Location'].rsplit('/', 1)[1]}").json
    page = technician.get(answer.headers["Location"]).get_data(as_text=True)
    assert f"Work order WO-{YEAR}-000001 filed." in page
    assert f"INV-{YEAR}-000001" in page
    # 95 min on site 197.50 + 30 min travel 32.50 + motor 189.00 + 18.4 mi 12.88 = 431.88, tax 8.25 % of 189.00 = 15.59
    assert filed["invoice"]["total"] == "447.47"
    assert "447.47" in page
    assert "66.56" in page  # the pay: 125 min = 2.08 h × 32.00
    follow_up = datetime.fromisoformat(filed["follow_up_appointment"]["starts_at"]).astimezone(ZoneInfo("America/New_York"))
    assert follow_up.hour >= 8  # working hours in the company's timezone, so shown in it
    assert f"{follow_up:%a} {follow_up.day} {follow_up:%b %Y, %H:%M %Z}" in page
    assert (filed["summary"], filed["po_number"], filed["description"]) == (
        "Replaced condenser fan motor", "PO-5531", "Unit was short-cycling; motor bearings seized."
    )
    assert [(entry["kind"], entry["minutes"]) for entry in filed["labor"]] == [("onsite", 95), ("travel", 30)]
    assert shop.stock(shop.fan_motor, shop.van_id) == 2


def test_not_enough_stock_keeps_everything_typed_and_writes_nothing(app, shop, technician):
    before = count_rows(app)

    answer = technician.post("/work-orders/new", data=filing_form(shop, technician, part_quantity=["4"]))

    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "Not enough FAN-MTR-5 Condenser fan motor" in page
    for typed in ('value="Replaced condenser fan motor"', 'value="95"', 'value="30"', 'value="4"', 'value="18.4"',
                  'value="14"', 'value="60"', "Check refrigerant pressure</textarea>",
                  "motor bearings seized.</textarea>", 'value="PO-5531"'):
        assert typed in page, typed
    assert f'<option value="{shop.fan_motor["id"]}" selected>' in page
    assert f'<option value="{shop.customer["id"]}" selected>' in page
    assert '<option value="travel" selected>' in page
    assert count_rows(app) == before
    assert shop.stock(shop.fan_motor, shop.van_id) == 3


def test_malformed_input_is_shown_on_its_fields_and_writes_nothing(app, shop, technician):
    before = count_rows(app)
    form = filing_form(shop, technician, summary=" ", labor_minutes=["ninety", "30"], part_quantity=["9" * 5000],
                       follow_up_in_days="")

    answer = technician.post("/work-orders/new", data=form)

    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="summary-error"' in page
    assert 'id="labor_0_minutes-error"' in page
    assert 'id="follow_up_in_days-error"' in page  # a follow-up needs its days
    assert 'id="parts_0_quantity-error"' in page
    assert 'value="ninety"' in page
    assert count_rows(app) == before


def test_picking_an_appointment_picks_its_customer_without_javascript(app, shop, technician):
    starts_at = datetime.combine(datetime.now(UTC).date() + timedelta(days=1), time(14), UTC)
    visit = shop.dispatcher.post("/appointments", json={
        "customer_id": shop.customer["id"], "technician_id": shop.technician.user.id,
        "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
    }).json
    assert f'data-customer-id="{shop.customer["id"]}"' in technician.get("/work-orders/new").get_data(as_text=True)

    form = filing_form(shop, technician, customer_id="", appointment_id=str(visit["id"]), follow_up_in_days="",
                       follow_up_duration_minutes="", follow_up_notes="")
    answer = technician.post("/work-orders/new", data=form)

    assert answer.status_code == 302
    filed = shop.technician.get(f"/work-orders/{answer.headers['Location'].rsplit('/', 1)[1]}").json
    assert (filed["customer_id"], filed["appointment_id"]) == (shop.customer["id"], visit["id"])
    assert "data-customer-id" not in technician.get("/work-orders/new").get_data(as_text=True)  # done: no longer offered


def test_another_part_row_without_javascript_keeps_the_form_and_files_nothing(app, shop, technician):
    before = count_rows(app)

    answer = technician.post("/work-orders/new", data=filing_form(shop, technician, add_row="parts"))

    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert page.count('name="part_quantity"') == 2
    assert 'id="parts_1_quantity"' in page
    assert 'value="Replaced condenser fan motor"' in page
    assert count_rows(app) == before


def test_the_form_needs_its_csrf_token(app, shop, technician):
    before = count_rows(app)
    form = filing_form(shop, technician)
    del form["csrf_token"]

    assert technician.post("/work-orders/new", data=form).status_code == 400
    assert count_rows(app) == before


def test_another_technicians_work_order_is_not_found(shop, technician, browser_as):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json

    assert technician.get(f"/work-orders/{filed['id']}").status_code == 200
    assert browser_as("technician").get(f"/work-orders/{filed['id']}").status_code == 404
    assert technician.get("/work-orders/999999").status_code == 404


@pytest.mark.parametrize("role", ["dispatcher", "owner"])
def test_the_filing_page_is_for_technicians(app, shop, browser_as, role):
    office = browser_as(role)
    # The office's own token (from the logout form), so only the role is wrong.
    form = {**filing_form(shop, browser_as(shop.technician.user)), "csrf_token": csrf_token(office.get("/"))}

    assert office.get("/work-orders/new").status_code == 403
    assert office.post("/work-orders/new", data=form).status_code == 403
    assert count_rows(app)["work_orders"] == 0


def test_the_pages_need_a_login(client):
    answer = client.get("/work-orders/new")

    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]


def test_tapping_file_twice_files_once(app, shop, browser_as):
    """The form carries its own idempotency key: a second submit of the same form is the same filing."""
    browser = browser_as(shop.technician.user)
    page = browser.get("/work-orders/new").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    form = {
        "csrf_token": csrf_token(browser.get("/work-orders/new")),
        "idempotency_key": key,
        "customer_id": str(shop.customer["id"]),
        "summary": "Replaced capacitor",
        "labor_kind": "onsite",
        "labor_minutes": "45",
    }
    first = browser.post("/work-orders/new", data=form)
    second = browser.post("/work-orders/new", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count(WorkOrder.id))) == 1
