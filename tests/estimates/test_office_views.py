"""The office's estimate pages: the dispatcher prepares an estimate through the form and sends it."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dispatch.estimates.models import Estimate
from dispatch.extensions import db
from tests.conftest import csrf_token


@pytest.fixture
def dispatcher(browser_as, shop):
    return browser_as(shop.dispatcher.user)


def estimate_form(shop, today, **changes) -> dict:
    """A fan motor (taxed) and 2.5 hours of labour (not taxed), for the shop's customer."""
    form = {
        "customer_id": str(shop.customer["id"]),
        "technician_id": str(shop.technician.user.id),
        "visit_minutes": "90",
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "notes": "Price holds for parts in stock.",
        "lines_0_description": "Condenser fan motor, supplied and fitted",
        "lines_0_quantity": "1",
        "lines_0_unit_price": "189.00",
        "lines_0_is_taxable": "on",
        "lines_1_description": "Labour, two technicians",
        "lines_1_quantity": "2.5",
        "lines_1_unit_price": "125.00",
    }
    form.update(changes)
    return form


def prepare_through_form(browser, form: dict):
    return browser.post("/estimates/new", data={**form, "csrf_token": csrf_token(browser.get("/estimates/new"))})


def estimates(app) -> list[Estimate]:
    with app.app_context():
        found = db.session.scalars(select(Estimate).options(selectinload(Estimate.lines)).order_by(Estimate.id)).all()
        db.session.expunge_all()
        return found


def test_the_dispatcher_prepares_an_estimate_through_the_form(app, dispatcher, shop, today):
    answer = prepare_through_form(dispatcher, estimate_form(shop, today))

    (estimate,) = estimates(app)
    assert answer.status_code == 302 and answer.location.endswith(f"/estimates/{estimate.id}")
    # 189.00 + 2.5 × 125.00 = 501.50; tax 8.25 % on the motor only: 15.5925 → 15.59
    assert (estimate.subtotal, estimate.tax, estimate.total) == (Decimal("501.50"), Decimal("15.59"), Decimal("517.09"))
    assert [line.is_taxable for line in estimate.lines] == [True, False]
    assert (estimate.visit_minutes, estimate.technician_id) == (90, shop.technician.user.id)
    page = dispatcher.get(answer.location).get_data(as_text=True)
    assert "517.09" in page and "Send by email" in page
    assert estimate.number in dispatcher.get("/estimates/").get_data(as_text=True)


def test_sending_it_emails_the_customer(app, dispatcher, shop, today, smtp_server):
    prepare_through_form(dispatcher, estimate_form(shop, today))
    (estimate,) = estimates(app)
    page = dispatcher.get(f"/estimates/{estimate.id}")

    answer = dispatcher.post(f"/estimates/{estimate.id}/send", data={"csrf_token": csrf_token(page)})

    assert answer.status_code == 302
    assert f"Estimate {estimate.number} will be emailed to {shop.customer['email']}" in dispatcher.get(answer.location).get_data(as_text=True)
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == shop.customer["email"]


def test_a_technician_may_not_see_the_pages(browser_as, shop):
    technician = browser_as(shop.technician.user)
    assert technician.get("/estimates/").status_code == 403
    assert technician.get("/estimates/new").status_code == 403


def test_an_invalid_form_is_shown_again_with_its_errors_and_nothing_is_written(app, dispatcher, shop, today):
    answer = prepare_through_form(dispatcher, estimate_form(shop, today, lines_1_quantity="two and a half"))

    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="lines_1_quantity-error"' in page and "Not a valid number." in page
    assert 'value="Labour, two technicians"' in page
    assert estimates(app) == []


def test_the_form_needs_its_csrf_token(app, dispatcher, shop, today):
    assert dispatcher.post("/estimates/new", data=estimate_form(shop, today)).status_code == 400
    assert estimates(app) == []
