"""Every form that changes something needs the CSRF token: walked from the app's URL map, so a new
form route is checked the day it is added.

The deliberate exceptions, and why they are safe:
- /api/v1/…: bearer tokens only; the session cookie does not open the API (checked below), so a
  forged cross-site request has nothing to ride on.
There are no others: the customers' link pages (/i/<token>/…, /e/<token>/…) post forms with the
token like every page.
"""
import pytest
from flask import url_for

from dispatch.core.api import API_PREFIX

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# A value for each URL argument; the CSRF check comes before the view looks anything up.
ARGUMENT_VALUES = {"IdConverter": 1, "UnicodeConverter": "A" * 43, "PathConverter": "a"}


def form_routes(app) -> list[tuple[str, str]]:
    """(method, path) of every HTML route that changes something."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith(API_PREFIX + "/") or rule.endpoint == "static":
                continue
            values = {name: ARGUMENT_VALUES[type(converter).__name__] for name, converter in rule._converters.items()}
            path = url_for(rule.endpoint, **values)
            routes.extend((method, path) for method in sorted(rule.methods & UNSAFE_METHODS))
    return routes


def api_routes(app) -> list[tuple[str, str]]:
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith(API_PREFIX + "/"):
                values = {name: ARGUMENT_VALUES[type(converter).__name__] for name, converter in rule._converters.items()}
                routes.extend((method, url_for(rule.endpoint, **values)) for method in sorted(rule.methods & UNSAFE_METHODS))
    return routes


@pytest.fixture(scope="module")
def routes(app):
    return form_routes(app)


def test_the_walk_finds_the_forms(routes):
    """A walk that found nothing would pass whatever happened."""
    assert len(routes) > 40
    for expected in [("POST", "/login"), ("POST", "/invoices/1/payments"), ("POST", "/payroll/runs"), ("POST", "/i/" + "A" * 43 + "/question")]:
        assert expected in routes


@pytest.mark.parametrize("role", ["owner", "technician"])
def test_every_form_refuses_a_logged_in_post_without_the_csrf_token(app, browser_as, routes, role):
    browser = browser_as(role)
    accepted = []
    for method, path in routes:
        answer = browser.open(path, method=method, data={"reason": "forged", "amount": "1.00"})
        if answer.status_code != 400 or "CSRF" not in answer.get_data(as_text=True):
            accepted.append((method, path, answer.status_code))
    assert accepted == []
    # The session is still good: the refusals were the CSRF check, not a logged-out browser.
    assert browser.get("/").status_code == 200


def test_every_form_refuses_a_stranger_without_the_csrf_token(client, routes):
    accepted = [(method, path) for method, path in routes if client.open(path, method=method).status_code != 400]
    assert accepted == []


def test_the_api_is_exempt_because_the_session_cookie_does_not_open_it(app, browser_as):
    """The exemption is only safe while a logged-in browser gets nowhere on the API without a bearer token."""
    browser = browser_as("owner")
    public = {("POST", f"{API_PREFIX}/auth/tokens")}
    opened = []
    for method, path in api_routes(app):
        if (method, path) not in public and browser.open(path, method=method, json={}).status_code != 401:
            opened.append((method, path))
    assert opened == []
