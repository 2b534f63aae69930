"""The owner enters expenses (one-off or monthly, with a receipt); they come off the month's net profit."""
import io
import time
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.reports import jobs as report_jobs
from dispatch.reports.models import Expense, MonthlyProfitReport
from tests.conftest import csrf_token
from tests.reports.test_api import move_to

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def expense(amount="1200.00", spent_on="2027-01-05", category="rent", **extra) -> dict:
    return {"category": category, "amount": amount, "spent_on": spent_on, **extra}


def expenses_stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Expense))


def month_total(owner_api, month: str) -> str:
    owner_api.post("/reports/monthly-profit", json={"month": month})
    return owner_api.get(f"/reports/monthly-profit/{month}").json


class TestEnteringExpenses:
    def test_an_expense_is_kept_as_entered(self, owner_api):
        answer = owner_api.post("/expenses", json=expense(note="Unit 4, Harbor Rd"))
        assert answer.status_code == 201, answer.json
        assert {key: answer.json[key] for key in ("category", "amount", "spent_on", "note", "is_monthly", "has_receipt")} == {
            "category": "rent", "amount": "1200.00", "spent_on": "2027-01-05", "note": "Unit 4, Harbor Rd", "is_monthly": False, "has_receipt": False,
        }

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"amount": "0.00"}, "amount"),
            ({"amount": "-5.00"}, "amount"),
            ({"amount": "12.345"}, "amount"),
            ({"category": "yachts"}, "category"),
            ({"spent_on": "2027-02-30"}, "spent_on"),
        ],
    )
    def test_bad_input_is_refused_by_field_and_saves_nothing(self, app, owner_api, change, field):
        answer = owner_api.post("/expenses", json=expense(**change))
        assert answer.status_code == 422, answer.json
        assert field in answer.json["errors"]
        assert expenses_stored(app) == 0

    @pytest.mark.parametrize("role", ["dispatcher", "technician"])
    def test_only_the_owner_sees_and_enters_expenses(self, app, api_as, role):
        staff = api_as(role)
        assert staff.post("/expenses", json=expense()).status_code == 403
        assert staff.get("/expenses?month=2027-01").status_code == 403
        assert expenses_stored(app) == 0


class TestMonthlyExpenses:
    def test_a_monthly_expense_counts_in_every_month_until_it_ends(self, owner_api):
        rent = owner_api.post("/expenses", json=expense(is_monthly=True, spent_on="2027-01-15")).json
        owner_api.post("/expenses", json=expense(amount="80.00", category="fuel", spent_on="2027-02-03"))

        def listed(month):
            return [(row["category"], row["amount"]) for row in owner_api.get(f"/expenses?month={month}").json]

        assert listed("2026-12") == []
        assert listed("2027-01") == [("rent", "1200.00")]
        assert listed("2027-02") == [("rent", "1200.00"), ("fuel", "80.00")]

        assert owner_api.post(f"/expenses/{rent['id']}/end", json={"ends_on": "2027-03-10"}).status_code == 200
        assert listed("2027-03") == [("rent", "1200.00")]  # the month it ends in still pays it
        assert listed("2027-04") == []

    def test_ending_before_it_began_or_a_one_off_is_refused(self, owner_api):
        rent = owner_api.post("/expenses", json=expense(is_monthly=True, spent_on="2027-01-15")).json
        one_off = owner_api.post("/expenses", json=expense(category="tools")).json
        assert owner_api.post(f"/expenses/{rent['id']}/end", json={"ends_on": "2027-01-14"}).status_code == 422
        assert owner_api.post(f"/expenses/{one_off['id']}/end", json={"ends_on": "2027-03-01"}).status_code == 409
        assert owner_api.get("/expenses?month=2027-06").json[0]["ends_on"] is None


def test_expenses_come_off_the_months_net_profit(shop, jobs_done):
    """The shop's example work order nets 329.32 before expenses (tests/reports/test_api.py); rent and fuel come off it."""
    today = datetime.now(UTC).date()
    assert shop.technician.post("/work-orders", json=shop.work_order()).status_code == 201
    shop.owner.post("/expenses", json=expense(amount="1200.00", spent_on=today.replace(day=1).isoformat(), is_monthly=True))
    shop.owner.post("/expenses", json=expense(amount="45.10", category="fuel", spent_on=today.isoformat()))
    shop.owner.post("/expenses", json=expense(amount="999.00", category="tools", spent_on=(today.replace(day=1) - timedelta(days=1)).isoformat()))

    shop.owner.post("/reports/monthly-profit", json={"month": f"{today:%Y-%m}"})
    jobs_done()
    report = shop.owner.get(f"/reports/monthly-profit/{today:%Y-%m}").json
    assert (report["expenses"], report["net_profit"]) == ("1245.10", "-915.78")  # 329.32 − 1245.10


def test_the_cron_jobs_compute_last_month_and_this_month_so_far(app, app_context, owner_api):
    today = datetime.now(UTC).date()
    last_month_day = today.replace(day=1) - timedelta(days=1)
    owner_api.post("/expenses", json=expense(amount="300.00", spent_on=last_month_day.isoformat()))
    owner_api.post("/expenses", json=expense(amount="20.00", category="fuel", spent_on=today.isoformat()))

    assert report_jobs.compute_last_month() == "-300.00"
    assert report_jobs.compute_month_to_date() == "-20.00"
    db.session.expire_all()
    assert db.session.get(MonthlyProfitReport, f"{last_month_day:%Y-%m}").expenses == 300
    assert db.session.get(MonthlyProfitReport, f"{today:%Y-%m}").expenses == 20


class TestThePage:
    def form(self, browser, **fields):
        page = browser.get("/reports/expenses?month=2027-01")
        return {"csrf_token": csrf_token(page), "category": "insurance", "amount": "310.00", "spent_on": "2027-01-07", **fields}

    def test_an_expense_with_its_receipt(self, app, browser_as):
        owner = browser_as("owner")
        answer = owner.post(
            "/reports/expenses?month=2027-01",
            data=self.form(owner, note="Van policy", receipt=(io.BytesIO(PDF), "policy.pdf")),
            content_type="multipart/form-data",
        )
        assert answer.status_code == 302, answer.get_data(as_text=True)
        page = owner.get(answer.headers["Location"]).get_data(as_text=True)
        assert "Van policy" in page and "310.00" in page
        with app.app_context():
            stored = db.session.scalar(select(Expense))
        receipt = owner.get(f"/reports/expenses/{stored.id}/receipt")
        assert (receipt.status_code, receipt.mimetype, receipt.data) == (200, "application/pdf", PDF)

    @pytest.mark.parametrize(
        ("upload", "message"),
        [
            ((io.BytesIO(b"MZ\x90\x00 not a receipt"), "receipt.pdf"), "PDF, JPEG or PNG"),
            ((io.BytesIO(PDF + b"0" * (10 * 1024 * 1024)), "huge.pdf"), "larger than 10 MB"),
        ],
    )
    def test_a_wrong_or_oversized_file_is_refused_and_nothing_is_saved(self, app, browser_as, upload, message):
        owner = browser_as("owner")
        answer = owner.post("/reports/expenses?month=2027-01", data=self.form(owner, receipt=upload), content_type="multipart/form-data")
        assert answer.status_code == 422
        assert message in answer.get_data(as_text=True)
        assert expenses_stored(app) == 0

    def test_the_dispatcher_has_no_expenses_page(self, browser_as):
        assert browser_as("dispatcher").get("/reports/expenses").status_code == 403


def test_the_monthly_report_is_emailed_to_the_owner_once_as_a_pdf(app, app_context, shop, smtp_server, jobs_done):
    """On the 1st the closed month goes to the owner; the job run twice sends one email."""
    today = datetime.now(UTC).date()
    last_month_day = today.replace(day=1) - timedelta(days=1)
    filed = shop.technician.post("/work-orders", json=shop.work_order(follow_up=None)).json
    move_to(app, filed["id"], last_month_day)
    shop.owner.post("/expenses", json=expense(amount="300.00", spent_on=last_month_day.isoformat()))
    jobs_done()  # the work order's invoice email, sent by the worker on PostgreSQL + Redis
    smtp_server.clear()

    assert report_jobs.compute_last_month() == "29.32"  # 329.32 − 300.00
    report_jobs.compute_last_month()

    [message] = smtp_server.wait_for(1)
    assert message["To"] == shop.owner.user.email
    assert f"{last_month_day:%Y-%m}" in message["Subject"]
    [attachment] = [part for part in message.iter_attachments()]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(attachment.get_content())).pages)
    assert "Net profit 29.32" in text
    assert "Expenses 300.00" in text
    assert "Harbor View Dental" in text
    time.sleep(0.5)
    assert len(smtp_server.messages) == 1
