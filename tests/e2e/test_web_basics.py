"""The web pages as a dispatcher or technician uses them, in a real browser."""
from playwright.sync_api import Page, expect
from sqlalchemy import select

from dispatch.auth.models import Role
from dispatch.customers.models import Customer
from dispatch.customers.schemas import CustomerSchema
from dispatch.extensions import db
from tests.conftest import PASSWORD

MIN_TAP_TARGET_PX = 44
# Long enough to overflow a phone-width card unless the layout wraps it.
LONG_EMAIL = "accounts-payable@harborviewfamilydentistry.example"


def log_in(page: Page, user, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def saved_customers(app) -> list[dict]:
    """Read from the database, not the page: a page can show a customer it never saved."""
    with app.app_context():
        return CustomerSchema(many=True).dump(db.session.scalars(select(Customer)))


def test_dispatcher_adds_a_customer_who_then_appears_in_the_list(app, page, make_user):
    dispatcher = make_user(Role.DISPATCHER)
    log_in(page, dispatcher)
    expect(page.get_by_role("heading", name=f"Hello, {dispatcher.name}")).to_be_visible()
    # Secure as in production: the login only works because http://localhost counts as secure.
    assert [cookie["secure"] for cookie in page.context.cookies() if cookie["name"] == "session"] == [True]

    # Wait for each page before the next click: the home page has a "New customer" link too.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible()
    page.get_by_role("link", name="New customer").click()
    expect(page.get_by_role("heading", name="New customer")).to_be_visible()
    page.get_by_label("Name").fill("Harbor View Dental")
    page.get_by_label("Email").fill("office@harborview.example")
    page.get_by_label("Phone").fill("555-0142")
    page.get_by_label("Address").fill("12 Harbor Rd")
    page.get_by_label("Payment terms").fill("30")
    page.get_by_role("button", name="Add customer").click()

    expect(page).to_have_url("/customers/")
    expect(page.get_by_role("status")).to_have_text("Customer Harbor View Dental added.")
    row = page.get_by_role("row").filter(has_text="Harbor View Dental")
    expect(row.get_by_role("cell")).to_have_text(["Harbor View Dental", "office@harborview.example", "555-0142", "Net 30"])
    [customer] = saved_customers(app)
    assert (customer["name"], customer["email"], customer["phone"], customer["payment_terms_days"]) == (
        "Harbor View Dental",
        "office@harborview.example",
        "555-0142",
        30,
    )
    assert [site["address"] for site in customer["sites"]] == ["12 Harbor Rd"]


def test_a_wrong_password_keeps_the_user_on_the_login_page(page, make_user):
    dispatcher = make_user(Role.DISPATCHER)
    log_in(page, dispatcher, password="not the password")

    expect(page.get_by_role("alert")).to_have_text("Invalid email or password.")
    expect(page).to_have_url("/login")
    expect(page.get_by_label("Email")).to_have_value(dispatcher.email)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)


def test_a_technician_sees_parts_but_not_customers(page, make_user):
    log_in(page, make_user(Role.TECHNICIAN))
    navigation = page.get_by_role("navigation", name="Main")
    expect(navigation.get_by_role("link", name="Parts")).to_be_visible()
    expect(navigation.get_by_role("link", name="Customers")).to_have_count(0)

    response = page.goto("/customers/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="Your role may not do this.")).to_be_visible()


def test_customer_pages_fit_a_phone_screen(phone, make_user, make_customer):
    make_customer(name="Harbor View Family Dentistry and Orthodontics", email=LONG_EMAIL, phone="+1 555 0100 200")
    log_in(phone, make_user(Role.DISPATCHER))

    phone.goto("/customers/")
    expect(phone.get_by_text(LONG_EMAIL)).to_be_visible()
    assert_fits_a_phone(phone)
    phone.get_by_role("link", name="New customer").click()
    expect(phone.get_by_role("heading", name="New customer")).to_be_visible()
    assert_fits_a_phone(phone)


def assert_fits_a_phone(page: Page) -> None:
    """No sideways scrolling, and every control big enough for a thumb (WCAG 2.5.5)."""
    # Measure only once the stylesheet is in: the heading can show before it is.
    page.wait_for_load_state("load")
    viewport_width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport_width, f"{page.url} scrolls sideways"
    too_small = page.evaluate(
        """min => [...document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a.button, header a')]
            .filter(control => control.getBoundingClientRect().height < min)
            .map(control => control.outerHTML)""",
        MIN_TAP_TARGET_PX,
    )
    assert too_small == [], f"{page.url}: tap targets under {MIN_TAP_TARGET_PX} px"


def test_an_invalid_email_is_shown_on_its_field_and_nothing_is_saved(app, page, make_user):
    log_in(page, make_user(Role.DISPATCHER))
    page.goto("/customers/new")
    page.get_by_label("Name").fill("Harbor View Dental")
    page.get_by_label("Email").fill("office at harborview")
    page.get_by_role("button", name="Add customer").click()

    expect(page.get_by_text("Not a valid email address.")).to_be_visible()
    # Tied to its field, so a screen reader reads it out on the email input too.
    expect(page.get_by_label("Email")).to_have_accessible_description("Not a valid email address.")
    expect(page.get_by_label("Name")).to_have_value("Harbor View Dental")
    assert saved_customers(app) == []
