"""The owner's monthly net profit: asked for with POST, computed by a background job, read with GET.

Figures for the shop's example work order (tests/shop.py), worked by hand:
    invoice subtotal (net of tax)  197.50 + 32.50 + 189.00 + 84.00 + 12.88 = 515.88
    parts cost at time of use      1 × 96.40 (fan motor) + 2 × 11.80 (capacitor) = 120.00
    pay accrued                    95 + 30 = 125 min = 2.08 h × 32.00 = 66.56
    net profit                     515.88 − 120.00 − 66.56 − 0.00 − 0.00 = 329.32
"""
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.invoicing.models import Invoice
from dispatch.payroll.models import PayAccrual
from dispatch.reports import jobs as report_jobs
from dispatch.reports import service as reports
from dispatch.reports.models import MonthlyProfitReport
from dispatch.workorders.models import WorkOrder

TODAY = datetime.now(UTC).date()  # the test app's company timezone is UTC
THIS_MONTH = TODAY.strftime("%Y-%m")
LAST_MONTH_DAY = TODAY.replace(day=1) - timedelta(days=1)
LAST_MONTH = LAST_MONTH_DAY.strftime("%Y-%m")

EXAMPLE = {
    "revenue": "515.88",
    "parts_cost": "120.00",
    "labor_cost": "66.56",
    "mileage_cost": "0.00",
    "expenses": "0.00",
    "net_profit": "329.32",
    "cash_received": "0.00",
}
NOTHING = {name: "0.00" for name in EXAMPLE}


def compute(api, month: str, jobs_done) -> dict:
    """Ask for the month's report, wait for the job, read it back."""
    asked = api.post("/reports/monthly-profit", json={"month": month})
    assert asked.status_code == 202, asked.json
    assert isinstance(asked.json["job_id"], str) and asked.json["job_id"]
    jobs_done()
    answer = api.get(f"/reports/monthly-profit/{month}")
    assert answer.status_code == 200, answer.json
    return answer.json


def figures(report: dict) -> dict:
    return {name: report[name] for name in EXAMPLE}


def reports_stored(app, month: str | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(MonthlyProfitReport)
        if month is not None:
            query = query.where(MonthlyProfitReport.month == month)
        return db.session.scalar(query)


def move_to(app, work_order_id: int, day: date) -> None:
    """Put a filed work order (its invoice, pay and filing time) on another day, as if filed then."""
    with app.app_context():
        work_order = db.session.get(WorkOrder, work_order_id)
        work_order.filed_at = datetime.combine(day, datetime.min.time(), UTC).replace(hour=15)
        invoice = db.session.scalar(select(Invoice).where(Invoice.work_order_id == work_order_id))
        invoice.issue_date = day
        invoice.due_date = day + timedelta(days=15)
        for accrual in db.session.scalars(select(PayAccrual).where(PayAccrual.work_order_id == work_order_id)):
            accrual.accrued_on = day
        db.session.commit()


def test_the_month_adds_up_as_calculated_by_hand(shop, jobs_done):
    assert shop.technician.post("/work-orders", json=shop.work_order()).status_code == 201
    before = datetime.now(UTC)

    report = compute(shop.owner, THIS_MONTH, jobs_done)

    assert report["month"] == THIS_MONTH
    assert figures(report) == EXAMPLE
    computed_at = datetime.fromisoformat(report["computed_at"])
    assert computed_at.utcoffset() is not None  # ISO 8601 with an offset
    assert before - timedelta(seconds=1) <= computed_at <= datetime.now(UTC)


def test_a_month_without_work_is_all_zero(shop, jobs_done):
    assert figures(compute(shop.owner, THIS_MONTH, jobs_done)) == NOTHING


def test_revenue_is_net_of_tax(shop, jobs_done):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    assert filed["invoice"]["total"] == "538.40"  # 515.88 + 22.52 tax
    assert compute(shop.owner, THIS_MONTH, jobs_done)["revenue"] == "515.88"  # the tax is not the shop's money


def test_parts_cost_what_they_cost_when_they_were_used(shop, jobs_done):
    shop.technician.post("/work-orders", json=shop.work_order())
    # A dearer fan motor arrives after the first job: the moving average becomes
    # (2 on hand × 96.40 + 1 × 120.00) / 3 = 312.80 / 3 = 104.2667 → 104.27.
    receipt = {"part_id": shop.fan_motor["id"], "location_id": shop.van_id, "quantity": 1, "unit_cost": "120.00"}
    assert shop.dispatcher.post("/stock/receipts", json=receipt).status_code == 201

    assert compute(shop.owner, THIS_MONTH, jobs_done)["parts_cost"] == "120.00"  # the first job still cost 96.40 + 23.60

    shop.technician.post("/work-orders", json=shop.work_order())
    # The second job: 1 × 104.27 + 2 × 11.80 = 127.87; with the first, 247.87.
    assert compute(shop.owner, THIS_MONTH, jobs_done)["parts_cost"] == "247.87"


def test_recomputing_replaces_the_months_report(app, shop, jobs_done):
    shop.technician.post("/work-orders", json=shop.work_order())
    first = compute(shop.owner, THIS_MONTH, jobs_done)
    assert figures(first) == EXAMPLE

    # A second job, with different labour: 60 min on site + 30 min travel, no parts, no mileage.
    #   revenue 125.00 + 32.50 = 157.50; pay 1.50 h × 32.00 = 48.00
    body = shop.work_order(labor=[{"kind": "onsite", "minutes": 60}, {"kind": "travel", "minutes": 30}], parts=[], mileage=[], follow_up=None)
    filed = shop.technician.post("/work-orders", json=body)
    assert filed.status_code == 201, filed.json
    assert filed.json["pay_accrued"] == "48.00"

    second = compute(shop.owner, THIS_MONTH, jobs_done)
    assert figures(second) == {
        "revenue": "673.38",  # 515.88 + 157.50
        "parts_cost": "120.00",  # the second job used no parts
        "labor_cost": "114.56",  # 66.56 + 48.00
        "mileage_cost": "0.00",
        "expenses": "0.00",
        "net_profit": "438.82",  # 673.38 − 120.00 − 114.56
        "cash_received": "0.00",
    }
    assert datetime.fromisoformat(second["computed_at"]) >= datetime.fromisoformat(first["computed_at"])
    assert reports_stored(app) == 1  # replaced, not added beside the first


def test_asking_twice_without_new_work_gives_the_same_figures_once(app, shop, jobs_done):
    shop.technician.post("/work-orders", json=shop.work_order())
    assert figures(compute(shop.owner, THIS_MONTH, jobs_done)) == EXAMPLE
    assert figures(compute(shop.owner, THIS_MONTH, jobs_done)) == EXAMPLE  # not 2 × 329.32
    assert reports_stored(app, THIS_MONTH) == 1


def test_the_job_run_twice_leaves_the_same_one_report(app, shop):
    shop.technician.post("/work-orders", json=shop.work_order())
    with app.app_context():
        # A retry after a worker crash runs the job again with the same arguments.
        assert report_jobs.compute_monthly_profit(THIS_MONTH) == "329.32"
        assert report_jobs.compute_monthly_profit(THIS_MONTH) == "329.32"
        db.session.remove()
    assert reports_stored(app) == 1
    assert figures(shop.owner.get(f"/reports/monthly-profit/{THIS_MONTH}").json) == EXAMPLE


def test_work_filed_in_another_month_counts_in_that_month_only(app, shop, jobs_done):
    last_month = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_to(app, last_month["id"], LAST_MONTH_DAY)
    body = shop.work_order(labor=[{"kind": "onsite", "minutes": 60}], parts=[], mileage=[], follow_up=None)
    assert shop.technician.post("/work-orders", json=body).status_code == 201
    # This month: 1 h on site = 125.00 revenue, 1.00 h × 32.00 = 32.00 pay, no parts → 93.00.
    this_month = {**NOTHING, "revenue": "125.00", "labor_cost": "32.00", "net_profit": "93.00"}

    assert figures(compute(shop.owner, THIS_MONTH, jobs_done)) == this_month
    assert figures(compute(shop.owner, LAST_MONTH, jobs_done)) == EXAMPLE
    assert reports_stored(app) == 2  # one report per month


def test_months_follow_the_company_timezone(app, app_context, shop, monkeypatch):
    """Late on the evening of 31 October in New York is already 1 November in UTC: it is October's work."""
    monkeypatch.setitem(app.config, "DISPATCH_TIMEZONE", "America/New_York")
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    move_to(app, filed["id"], date(2025, 10, 31))
    work_order = db.session.get(WorkOrder, filed["id"])
    work_order.filed_at = datetime(2025, 10, 31, 23, 30, tzinfo=ZoneInfo("America/New_York"))  # 2025-11-01 03:30 UTC
    db.session.commit()

    october = reports.compute_monthly_profit("2025-10")
    november = reports.compute_monthly_profit("2025-11")

    assert (october.revenue, october.parts_cost, october.labor_cost, october.net_profit) == tuple(
        map(_decimal, ("515.88", "120.00", "66.56", "329.32"))
    )
    assert (november.revenue, november.parts_cost, november.labor_cost, november.net_profit) == tuple(
        map(_decimal, ("0.00", "0.00", "0.00", "0.00"))
    )


def _decimal(text: str):
    from decimal import Decimal

    return Decimal(text)


def test_a_month_never_computed_is_not_found(shop):
    shop.technician.post("/work-orders", json=shop.work_order())  # work exists, but no one asked for the report
    answer = shop.owner.get(f"/reports/monthly-profit/{THIS_MONTH}")
    assert answer.status_code == 404
    assert "message" in answer.json


@pytest.mark.parametrize("role", ["dispatcher", "technician"])
def test_only_the_owner_sees_profit(app, shop, api_as, jobs_done, role):
    someone = api_as(role)
    asked = someone.post("/reports/monthly-profit", json={"month": THIS_MONTH})
    assert asked.status_code == 403
    jobs_done()
    assert reports_stored(app) == 0  # nothing was computed for them

    compute(shop.owner, THIS_MONTH, jobs_done)
    assert someone.get(f"/reports/monthly-profit/{THIS_MONTH}").status_code == 403  # not even once it exists


def test_asking_without_a_token_is_unauthenticated(client):
    assert client.post("/api/v1/reports/monthly-profit", json={"month": THIS_MONTH}).status_code == 401
    assert client.get(f"/api/v1/reports/monthly-profit/{THIS_MONTH}").status_code == 401


@pytest.mark.parametrize("month", ["2026-13", "26-11", "", "2026-00", "2026-1", "2026-11-01", "2026-11\n", "２０２６-11", "0000-01", 202611, None])
def test_a_malformed_month_is_refused_and_computes_nothing(app, owner_api, jobs_done, month):
    answer = owner_api.post("/reports/monthly-profit", json={"month": month})
    assert answer.status_code == 422, answer.json
    assert "month" in answer.json["errors"]
    jobs_done()
    assert reports_stored(app) == 0


def test_a_missing_month_is_refused(owner_api):
    answer = owner_api.post("/reports/monthly-profit", json={})
    assert answer.status_code == 422
    assert "month" in answer.json["errors"]


@pytest.mark.parametrize("month", ["2026-13", "26-11", "", "2026-00", "2026-11-01", "november", "0000-01"])
def test_reading_a_malformed_month_is_not_found(owner_api, month):
    answer = owner_api.get(f"/reports/monthly-profit/{month}")
    assert answer.status_code == 404


def test_voids_credits_and_payments_count_in_the_month(app, shop, owner_api, jobs_done):
    """Revenue is net of voids and credit notes; cash received is the payments that stand."""
    first = shop.technician.post("/work-orders", json=shop.work_order()).json  # subtotal 515.88, total 538.40
    second = shop.technician.post("/work-orders", json=shop.work_order(parts=[], follow_up=None)).json
    jobs_done()
    shop.dispatcher.post(f"/invoices/{second['invoice']['id']}/void", json={"reason": "Duplicate"})
    # A credit of 107.68 carries 4.50 of tax: 103.18 off revenue.
    shop.dispatcher.post(f"/invoices/{first['invoice']['id']}/credit-notes", json={"amount": "107.68", "reason": "Warranty"})
    paid = shop.dispatcher.post(f"/invoices/{first['invoice']['id']}/payments", json={"amount": "300.00", "method": "card"}).json
    bounced = shop.dispatcher.post(f"/invoices/{first['invoice']['id']}/payments", json={"amount": "30.72", "method": "check"}).json
    shop.dispatcher.post(f"/payments/{bounced['id']}/reversal", json={"reason": "Bounced"})
    month = paid["received_on"][:7]
    owner_api.post("/reports/monthly-profit", json={"month": month})
    jobs_done()
    report = owner_api.get(f"/reports/monthly-profit/{month}").json
    assert report["revenue"] == "412.70"  # 515.88 − 103.18; the void invoice not at all
    assert report["cash_received"] == "300.00"
