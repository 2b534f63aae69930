"""Pay rules, payroll runs, statements and the export through the API, as the owner and technicians use them.

The shop's example work order (tests/shop.py) for its technician at 32.00 an hour, with a rule of
10 % commission on labour, 5 % on parts and 0.70 a mile:
    hours       95 + 30 = 125 min = 2.08 h × 32.00        66.56
    commission  10 % of billed labour 197.50 + 32.50 = 230.00   23.00
                5 % of billed parts 189.00 + 84.00 = 273.00      13.65
    mileage     18.4 mi × 0.70                                   12.88
    pay for the job                                             116.09
"""
import csv
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.payroll.models import PayAccrual, PayrollRun, PayRule
from dispatch.payroll.runs import current_period
from tests.reports.test_api import THIS_MONTH, compute

RULE = {"effective_on": "2026-03-01", "hourly_rate": "32.00", "labour_commission_percent": "10", "parts_commission_percent": "5", "mileage_rate": "0.70"}


def move_pay(app, work_order_id: int, day: date) -> None:
    """Put a work order's pay on another day, as if worked then."""
    with app.app_context():
        for line in db.session.scalars(select(PayAccrual).where(PayAccrual.work_order_id == work_order_id)):
            line.worked_on = line.accrued_on = day
        db.session.commit()


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def pdf_text(answer) -> str:
    assert answer.status_code == 200, answer.get_data(as_text=True)[:300]
    assert answer.mimetype == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)


@pytest.fixture
def commissioned(shop):
    answer = shop.owner.post(f"/technicians/{shop.technician.user.id}/pay-rules", json=RULE)
    assert answer.status_code == 201, answer.json
    return shop


def test_filing_accrues_hours_commission_and_mileage(commissioned, jobs_done):
    shop = commissioned
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert filed["pay_accrued"] == "116.09"
    lines = [(line["kind"], line["hours"], line["rate"], line["amount"]) for line in shop.technician.get("/pay-accruals").json]
    assert lines == [
        ("regular", "2.08", "32.00", "66.56"),
        ("commission", None, None, "23.00"),
        ("commission", None, None, "13.65"),
        ("mileage", None, "0.70", "12.88"),
    ]
    # The profit report: commission is labour cost, mileage stays apart.
    report = compute(shop.owner, THIS_MONTH, jobs_done)
    assert (report["labor_cost"], report["mileage_cost"]) == ("103.21", "12.88")


def test_the_owner_sets_rules_and_a_raise_ends_the_running_one(shop):
    path = f"/technicians/{shop.technician.user.id}/pay-rules"
    assert shop.owner.post(path, json=RULE).status_code == 201
    assert shop.owner.post(path, json={"effective_on": "2026-06-01", "hourly_rate": "35.00"}).status_code == 201
    rules = shop.owner.get(path).json
    assert [(r["effective_on"], r["ends_on"], r["hourly_rate"], r["weekly_overtime_after_hours"], r["overtime_multiplier"]) for r in rules] == [
        ("2026-03-01", "2026-05-31", "32.00", "40.00", "1.50"),
        ("2026-06-01", None, "35.00", "40.00", "1.50"),
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"hourly_rate": "-1.00"}, "hourly_rate"),
        ({"mileage_rate": "-0.10"}, "mileage_rate"),
        ({"labour_commission_percent": "101"}, "labour_commission_percent"),
        ({"overtime_multiplier": "0.5"}, "overtime_multiplier"),
        ({"daily_overtime_after_hours": "0"}, "daily_overtime_after_hours"),
        ({"effective_on": "March"}, "effective_on"),
        ({"ends_on": "2026-02-01"}, "ends_on"),
    ],
)
def test_a_bad_rule_is_refused_by_field_and_nothing_is_written(app, shop, change, field):
    answer = shop.owner.post(f"/technicians/{shop.technician.user.id}/pay-rules", json={**RULE, **change})
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
    assert count(app, PayRule) == 0


def test_an_overlapping_rule_is_a_conflict_and_nothing_is_written(app, shop):
    path = f"/technicians/{shop.technician.user.id}/pay-rules"
    assert shop.owner.post(path, json={**RULE, "ends_on": "2026-03-31"}).status_code == 201
    answer = shop.owner.post(path, json={**RULE, "effective_on": "2026-03-20"})
    assert answer.status_code == 409
    assert "overlaps the rule from 2026-03-01 to 2026-03-31" in answer.json["message"]
    assert count(app, PayRule) == 1


def test_only_the_owner_sees_and_sets_rules(shop, dispatcher_api):
    path = f"/technicians/{shop.technician.user.id}/pay-rules"
    assert shop.technician.get(path).status_code == 403
    assert shop.technician.post(path, json=RULE).status_code == 403
    assert dispatcher_api.get(path).status_code == 403
    assert shop.owner.get("/technicians/999999/pay-rules").status_code == 404


def test_a_payroll_run_pays_the_period_and_statements_read_back_with_the_right_totals(app, commissioned, api_as, make_user):
    shop = commissioned
    tech = shop.technician.user
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_pay(app, filed["id"], date(2026, 3, 3))
    bonus = {"technician_id": tech.id, "kind": "bonus", "amount": "50.00", "description": "Five-star reviews", "worked_on": "2026-03-06"}
    assert shop.owner.post("/pay-adjustments", json=bonus).status_code == 201

    run = shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-02"})
    assert run.status_code == 201, run.json
    assert (run.json["starts_on"], run.json["ends_on"]) == ("2026-03-02", "2026-03-15")
    [statement] = run.json["statements"]
    assert (statement["technician_id"], statement["hours"], statement["total"]) == (tech.id, "2.08", "166.09")

    deduction = {"technician_id": tech.id, "kind": "deduction", "amount": "20.00", "description": "Uniform", "worked_on": "2026-03-20"}
    assert shop.owner.post("/pay-adjustments", json=deduction).status_code == 201
    second = shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-16"}).json["statements"][0]
    assert second["total"] == "-20.00"

    first_pdf = pdf_text(shop.technician.get(f"/pay-statements/{statement['id']}/pdf"))
    assert "PAY STATEMENT" in first_pdf and "2026-03-02 to 2026-03-15" in first_pdf
    for line in ("Regular hours 66.56 66.56", "Commission 36.65 36.65", "Mileage reimbursement 12.88 12.88", "Bonuses 50.00 50.00", "Total pay 166.09 166.09"):
        assert line in first_pdf
    second_pdf = pdf_text(shop.owner.get(f"/pay-statements/{second['id']}/pdf"))
    assert "Deductions -20.00 -20.00" in second_pdf
    assert "Total pay -20.00 146.09" in second_pdf  # year to date: 166.09 − 20.00

    # The technician's history: every statement, newest first.
    mine = shop.technician.get("/pay-statements").json
    assert [(s["starts_on"], s["total"]) for s in mine] == [("2026-03-16", "-20.00"), ("2026-03-02", "166.09")]


def test_a_technician_never_sees_another_technicians_statement(app, shop, api_as, make_user):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_pay(app, filed["id"], date(2026, 3, 3))
    statement = shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-02"}).json["statements"][0]
    other = api_as(make_user("technician"))
    assert other.get(f"/pay-statements/{statement['id']}/pdf").status_code == 404
    assert other.get(f"/pay-statements?technician_id={shop.technician.user.id}").status_code == 404
    assert other.get("/pay-statements").json == []
    assert shop.dispatcher.get("/pay-statements").status_code == 403
    assert other.get("/payroll-runs").status_code == 403


def test_running_an_open_period_is_refused_and_nothing_is_written(app, shop):
    shop.technician.post("/work-orders", json=shop.work_order())
    assert shop.owner.get("/payroll-runs").json == []
    answer = shop.owner.post("/payroll-runs", json={"starts_on": current_period_start(app)})
    assert answer.status_code == 409
    assert "has not ended" in answer.json["message"]
    assert count(app, PayrollRun) == 0
    assert shop.technician.post("/payroll-runs", json={"starts_on": "2026-03-02"}).status_code == 403


def current_period_start(app) -> str:
    with app.app_context():
        return current_period().starts_on.isoformat()


def test_a_run_exports_as_csv_for_the_payroll_provider(app, commissioned):
    shop = commissioned
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_pay(app, filed["id"], date(2026, 3, 3))
    run = shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-02"}).json

    answer = shop.owner.get(f"/payroll-runs/{run['id']}/export")
    assert answer.status_code == 200
    assert answer.mimetype == "text/csv"
    assert 'filename="payroll-2026-03-02-to-2026-03-15.csv"' in answer.headers["Content-Disposition"]
    [row] = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    assert row == {
        "employee_name": shop.technician.user.name,
        "employee_email": shop.technician.user.email,
        "period_start": "2026-03-02",
        "period_end": "2026-03-15",
        "regular_hours": "2.08",
        "overtime_hours": "0.00",
        "regular_pay": "66.56",
        "overtime_pay": "0.00",
        "commission": "36.65",
        "bonus": "0.00",
        "deduction": "0.00",
        "reimbursement": "12.88",
        "total": "116.09",
    }
    assert shop.technician.get(f"/payroll-runs/{run['id']}/export").status_code == 403


@pytest.mark.parametrize(
    ("change", "field"),
    [({"amount": "-5.00"}, "amount"), ({"amount": "0"}, "amount"), ({"kind": "gift"}, "kind"), ({"description": "  "}, "description")],
)
def test_a_bad_adjustment_is_refused_and_nothing_is_written(app, shop, change, field):
    body = {"technician_id": shop.technician.user.id, "kind": "bonus", "amount": "50.00", "description": "Referral", **change}
    answer = shop.owner.post("/pay-adjustments", json=body)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
    assert count(app, PayAccrual) == 0


def test_the_pay_period_is_a_company_setting(app, shop):
    assert shop.owner.get("/settings").json["pay_frequency"] == "biweekly"
    refused = shop.owner.patch("/settings", json={"pay_frequency": "monthly"})
    assert refused.status_code == 422 and "pay_frequency" in refused.json["errors"]

    assert shop.owner.patch("/settings", json={"pay_frequency": "weekly"}).status_code == 200
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_pay(app, filed["id"], date(2026, 3, 3))
    run = shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-02"}).json
    assert (run["starts_on"], run["ends_on"]) == ("2026-03-02", "2026-03-08")
    # Twice a month from here on: the next run covers the 9th to the 15th, then 16th to the month's end.
    assert shop.owner.patch("/settings", json={"pay_frequency": "semimonthly"}).status_code == 200
    assert shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-09"}).json["ends_on"] == "2026-03-15"
    assert shop.owner.post("/payroll-runs", json={"starts_on": "2026-03-16"}).json["ends_on"] == "2026-03-31"
