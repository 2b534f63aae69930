"""Estimates for the `shop`: prepared through the API, answered through the customer's link."""
from datetime import date, timedelta

import pytest

from dispatch.core.time import company_today
from tests.conftest import csrf_token


def estimate_body(shop, today: date, **changes) -> dict:
    """An estimate for the shop's customer, with its technician and a 90-minute visit."""
    body = {
        "customer_id": shop.customer["id"],
        "technician_id": shop.technician.user.id,
        "visit_minutes": 90,
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "notes": "Price holds for parts in stock.",
        "lines": [
            {"description": "Condenser fan motor, supplied and fitted", "quantity": "1", "unit_price": "189.00"},
            {"description": "Labour, two technicians", "quantity": "2.5", "unit_price": "125.00", "is_taxable": False},
            {"description": "Run capacitor", "quantity": "3", "unit_price": "42.35"},
            {"description": "Refrigerant top-up (lb)", "quantity": "0.33", "unit_price": "12.50"},
        ],
    }
    body.update(changes)
    return body


@pytest.fixture
def today(app):
    with app.app_context():
        return company_today()


@pytest.fixture
def prepare(shop, today):
    """prepare(**changes) → the estimate as POST /estimates answers it."""

    def make(**changes) -> dict:
        answer = shop.dispatcher.post("/estimates", json=estimate_body(shop, today, **changes))
        assert answer.status_code == 201, answer.json
        return answer.json

    return make


def open_link(app, token: str):
    """The customer opens the link: (their browser, the CSRF token of the page's forms)."""
    browser = app.test_client()
    page = browser.get(f"/e/{token}")
    assert page.status_code == 200
    return browser, csrf_token(page)


def answer_estimate(app, token: str, decision: str):
    """The customer opens the link and presses Accept or Decline, as a browser would."""
    browser, form_token = open_link(app, token)
    return browser.post(f"/e/{token}/{decision}", data={"csrf_token": form_token})
