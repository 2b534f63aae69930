"""The parts pages: everyone reads the catalogue; the office adds parts."""
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.inventory.models import Part
from tests.conftest import csrf_token


def saved_parts(app) -> list[Part]:
    with app.app_context():
        return list(db.session.scalars(select(Part)))


def new_part_form(browser, **fields) -> dict:
    form = {"sku": "MTR-1075", "name": "Condenser fan motor", "unit_price": "189.00", "unit_cost": "74.50", "is_taxable": "on"}
    return {**form, **fields, "csrf_token": csrf_token(browser.get("/parts/new"))}


def test_a_technician_sees_the_catalogue_without_costs(browser_as, make_part):
    make_part(sku="CAP-455", name="Capacitor 45/5 MFD", unit_price="42.00", unit_cost="11.80")

    page = browser_as("technician").get("/parts/").get_data(as_text=True)

    assert "CAP-455" in page
    assert "42.00" in page
    assert "11.80" not in page
    assert "Cost" not in page
    assert "New part" not in page


def test_the_office_sees_costs_and_can_add_parts(browser_as, make_part):
    make_part(unit_price="42.00", unit_cost="11.80")

    page = browser_as("dispatcher").get("/parts/").get_data(as_text=True)

    assert "11.80" in page
    assert "New part" in page


def test_the_catalogue_page_searches(browser_as, make_part):
    make_part(sku="CAP-455", name="Capacitor 45/5 MFD")
    make_part(sku="MTR-1075", name="Condenser fan motor")

    page = browser_as("technician").get("/parts/?q=motor").get_data(as_text=True)

    assert "MTR-1075" in page
    assert "CAP-455" not in page


def test_a_dispatcher_adds_a_part_through_the_form(app, browser_as):
    browser = browser_as("dispatcher")

    answer = browser.post("/parts/new", data=new_part_form(browser), follow_redirects=True)

    assert answer.status_code == 200
    assert "Part MTR-1075 added." in answer.get_data(as_text=True)
    [part] = saved_parts(app)
    assert (part.sku, str(part.unit_price), str(part.unit_cost), part.is_taxable) == ("MTR-1075", "189.00", "74.50", True)


def test_an_unticked_taxable_box_saves_the_part_as_not_taxable(app, browser_as):
    browser = browser_as("dispatcher")
    form = new_part_form(browser)
    del form["is_taxable"]  # a browser sends nothing for an unticked checkbox

    assert browser.post("/parts/new", data=form).status_code == 302
    [part] = saved_parts(app)
    assert part.is_taxable is False


def test_a_bad_price_is_shown_again_with_the_error_and_saves_nothing(app, browser_as):
    browser = browser_as("dispatcher")

    answer = browser.post("/parts/new", data=new_part_form(browser, unit_price="12.345"))

    assert answer.status_code == 422
    page = answer.get_data(as_text=True)
    assert 'id="unit_price-error"' in page
    assert "Use at most two decimal places." in page
    assert 'value="MTR-1075"' in page
    assert saved_parts(app) == []


def test_the_part_form_needs_its_csrf_token(app, browser_as):
    browser = browser_as("dispatcher")
    form = new_part_form(browser)
    del form["csrf_token"]

    assert browser.post("/parts/new", data=form).status_code == 400
    assert saved_parts(app) == []


def test_a_technician_cannot_add_parts(app, browser_as):
    browser = browser_as("technician")
    form = {"sku": "MTR-1075", "name": "Motor", "unit_price": "1.00", "unit_cost": "1.00"}

    assert browser.get("/parts/new").status_code == 403
    answer = browser.post("/parts/new", data={**form, "csrf_token": csrf_token(browser.get("/parts/"))})
    assert answer.status_code == 403
    assert saved_parts(app) == []
