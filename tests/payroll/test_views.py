"""The pay pages: the owner runs payroll and sets rules; a technician reads their own pay on their phone."""
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.payroll.models import PayAccrual, PayRule
from tests.conftest import csrf_token
from tests.payroll.test_runs_api import current_period_start, move_pay, pdf_text


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_the_owner_runs_payroll_and_downloads_the_export_and_statements(app, shop, browser_as, make_user):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_pay(app, filed["id"], date(2026, 3, 3))
    owner = browser_as(make_user("owner"))
    page = owner.get("/payroll/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert shop.technician.user.name in text and "66.56" in text  # unpaid so far

    answer = owner.post("/payroll/runs", data={"starts_on": "2026-03-02", "csrf_token": csrf_token(page)})
    assert answer.status_code == 302
    listed = owner.get(answer.location).get_data(as_text=True)
    assert "Payroll run for 2026-03-02 to 2026-03-15: 1 statements." in listed
    assert "2026-03-02 to 2026-03-15" in listed and "CSV file" in listed

    [run] = shop.owner.get("/payroll-runs").json
    export = owner.get(f"/payroll/runs/{run['id']}/export")
    assert export.mimetype == "text/csv" and "66.56" in export.get_data(as_text=True)
    statement_id = run["statements"][0]["id"]
    assert "Total pay 66.56 66.56" in pdf_text(owner.get(f"/payroll/statements/{statement_id}.pdf"))


def test_running_an_open_period_from_the_page_says_why_and_writes_nothing(app, shop, browser_as, make_user):
    owner = browser_as(make_user("owner"))
    page = owner.get("/payroll/")

    answer = owner.post("/payroll/runs", data={"starts_on": current_period_start(app), "csrf_token": csrf_token(page)})
    assert answer.status_code == 409
    assert "has not ended" in answer.get_data(as_text=True)
    assert shop.owner.get("/payroll-runs").json == []


def test_the_owner_gives_a_raise_from_the_technicians_page(app, shop, browser_as, make_user):
    owner = browser_as(make_user("owner"))
    tech_id = shop.technician.user.id
    page = owner.get(f"/payroll/technicians/{tech_id}")
    assert "Starting rate: 32.00 an hour" in page.get_data(as_text=True)
    form = {"effective_on": "2026-12-01", "hourly_rate": "35.00", "daily_overtime_after_hours": "8", "csrf_token": csrf_token(page)}
    answer = owner.post(f"/payroll/technicians/{tech_id}/rules", data=form)
    assert answer.status_code == 302
    shown = owner.get(answer.location).get_data(as_text=True)
    assert "Pay rule from 2026-12-01 saved: 35.00 an hour." in shown
    assert "over 40.00 h a week or 8.00 h a day" in shown

    refused = owner.post(f"/payroll/technicians/{tech_id}/rules", data={**form, "hourly_rate": "-35.00", "effective_on": "2027-01-01"})
    assert refused.status_code == 422
    assert 'id="hourly_rate-error"' in refused.get_data(as_text=True)
    assert count(app, PayRule) == 1


def test_the_owner_enters_a_bonus(app, shop, browser_as, make_user):
    owner = browser_as(make_user("owner"))
    tech_id = shop.technician.user.id
    page = owner.get(f"/payroll/technicians/{tech_id}")
    form = {"kind": "bonus", "amount": "75.00", "description": "Spotless van inspection", "csrf_token": csrf_token(page)}
    answer = owner.post(f"/payroll/technicians/{tech_id}/adjustments", data=form)
    assert answer.status_code == 302
    shown = owner.get(answer.location).get_data(as_text=True)
    assert "Bonus of 75.00 entered." in shown and "Spotless van inspection" in shown
    with app.app_context():
        assert db.session.scalar(select(PayAccrual.amount)) == Decimal("75.00")


def test_a_technician_sees_their_own_pay_and_nobody_elses(app, shop, browser_as, api_as, make_user):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    mine = browser_as(shop.technician.user)
    answer = mine.get("/payroll/me")
    assert answer.status_code == 302
    page = mine.get(answer.location).get_data(as_text=True)
    assert filed["number"] in page and "66.56" in page
    assert "Pay rules" not in page and "Bonus or deduction" not in page  # the owner's forms

    other = make_user("technician")
    assert mine.get(f"/payroll/technicians/{other.id}").status_code == 404
    move_pay(app, filed["id"], date(2026, 3, 3))
    run = shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-02"}).json
    statement_id = run["statements"][0]["id"]
    assert browser_as(other).get(f"/payroll/statements/{statement_id}.pdf").status_code == 404
    assert mine.get(f"/payroll/statements/{statement_id}.pdf").status_code == 200
    assert mine.get("/payroll/").status_code == 403


def test_the_dispatcher_sees_no_pay(shop, browser_as):
    dispatcher = browser_as("dispatcher")
    assert dispatcher.get("/payroll/").status_code == 403
    assert dispatcher.get(f"/payroll/technicians/{shop.technician.user.id}").status_code == 403
