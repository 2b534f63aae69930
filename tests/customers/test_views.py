"""The customer pages: the dispatcher adds customers through a form protected by CSRF."""
from sqlalchemy import select

from dispatch.customers.models import Customer
from dispatch.extensions import db
from tests.conftest import csrf_token


def saved_customers(app) -> list[Customer]:
    with app.app_context():
        return list(db.session.scalars(select(Customer)))


def test_a_dispatcher_adds_a_customer_through_the_form(app, browser_as):
    browser = browser_as("dispatcher")
    form = {
        "name": "Harbor View Dental",
        "email": "office@harborview.example",
        "phone": "555-0100",
        "address": "12 Harbor Rd",
        "payment_terms_days": "15",
        "csrf_token": csrf_token(browser.get("/customers/new")),
    }

    answer = browser.post("/customers/new", data=form, follow_redirects=True)

    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Customer Harbor View Dental added." in page
    assert "Net 15" in page
    [customer] = saved_customers(app)
    assert (customer.name, customer.payment_terms_days) == ("Harbor View Dental", 15)


def test_blank_payment_terms_mean_the_company_default(app, browser_as):
    browser = browser_as("dispatcher")
    form = {"name": "Corner Bakery", "email": "bake@example.test", "payment_terms_days": "", "phone": ""}

    answer = browser.post("/customers/new", data={**form, "csrf_token": csrf_token(browser.get("/customers/new"))})

    assert answer.status_code == 302
    [customer] = saved_customers(app)
    assert customer.payment_terms_days is None
    assert customer.phone is None


def test_an_invalid_form_is_shown_again_with_the_error_and_saves_nothing(app, browser_as):
    browser = browser_as("dispatcher")
    form = {"name": "Harbor View Dental", "email": "not-an-email", "payment_terms_days": "-5"}

    answer = browser.post("/customers/new", data={**form, "csrf_token": csrf_token(browser.get("/customers/new"))})

    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="email-error"' in page
    assert 'id="payment_terms_days-error"' in page
    assert 'value="Harbor View Dental"' in page  # what was typed is kept
    assert saved_customers(app) == []


def test_a_form_without_csrf_token_is_refused(app, browser_as):
    browser = browser_as("dispatcher")

    answer = browser.post("/customers/new", data={"name": "Forged Ltd", "email": "forged@example.test"})

    assert answer.status_code == 400
    assert saved_customers(app) == []


def test_the_customer_list_searches(browser_as, make_customer):
    make_customer(name="Harbor View Dental")
    make_customer(name="Corner Bakery", email="bake@example.test")
    browser = browser_as("dispatcher")

    page = browser.get("/customers/?q=harbor").get_data(as_text=True)

    assert "Harbor View Dental" in page
    assert "Corner Bakery" not in page


def test_technicians_do_not_see_the_customer_pages(browser_as):
    browser = browser_as("technician")

    assert browser.get("/customers/").status_code == 403
    assert browser.get("/customers/new").status_code == 403


def test_the_customer_pages_need_a_login(client):
    answer = client.get("/customers/")

    assert answer.status_code == 302
    assert "/login" in answer.headers["Location"]
