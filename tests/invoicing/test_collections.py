"""Collections: reminders on the days the schedule names, a late fee for each full period overdue.

Each happens once however often the daily round runs, and never to an invoice
that is paid, void or disputed. The shop's example work order is invoiced at
538.40 (515.88 + 22.52 tax), due in 15 days.
"""
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.core.time import company_today, utcnow
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.invoicing import collections
from dispatch.invoicing.jobs import chase_payments
from dispatch.invoicing.models import Invoice, InvoiceKind, InvoiceStatus, Reminder
from dispatch.jobs import cron_schedule

DAY = timedelta(days=1)


@pytest.fixture
def file_invoice(shop, smtp_server, jobs_done):
    """file_invoice() → the id of a new work invoice, already emailed to the customer; the inbox is emptied."""

    def file() -> int:
        filed = shop.technician.post("/work-orders", json=shop.work_order())
        assert filed.status_code == 201, filed.json
        jobs_done()
        smtp_server.clear()
        return filed.json["invoice"]["id"]

    return file


def company_day(app):
    with app.app_context():
        return company_today()


def set_policy(shop, **policy):
    answer = shop.owner.patch("/settings", json=policy)
    assert answer.status_code == 200, answer.json


def change_invoice(app, invoice_id: int, **changes) -> None:
    """Set columns directly, as the services being written elsewhere (void, disputes) will."""
    with app.app_context(), transaction():
        invoice = db.session.get(Invoice, invoice_id)
        for name, value in changes.items():
            setattr(invoice, name, value)
        invoice.refresh_status()


def make_due(app, invoice_id: int, due_on) -> None:
    """Move the invoice in time, as if it had been issued 15 days before it falls due on `due_on`."""
    change_invoice(app, invoice_id, issue_date=due_on - 15 * DAY, due_date=due_on)


def chase(app, today=None) -> tuple[list[int], list[int]]:
    """Run the day's round; the ids of the late-fee invoices and reminders it made."""
    with app.app_context():
        fees, reminders = collections.chase_payments(today)
        return [fee.id for fee in fees], [reminder.id for reminder in reminders]


def late_fees_on(app, invoice_id: int) -> list[dict]:
    with app.app_context():
        fees = db.session.scalars(select(Invoice).where(Invoice.late_fee_for_id == invoice_id).order_by(Invoice.late_fee_period))
        return [
            {
                "period": fee.late_fee_period,
                "number": fee.number,
                "kind": fee.kind,
                "customer_id": fee.customer_id,
                "subtotal": fee.subtotal,
                "tax": fee.tax,
                "total": fee.total,
                "lines": [(line.description, line.quantity, line.amount, line.is_taxable) for line in fee.lines],
            }
            for fee in fees
        ]


def count(app, query) -> int:
    with app.app_context():
        return db.session.scalar(query)


def fee_totals(app, invoice_id: int) -> list[Decimal]:
    return [fee["total"] for fee in late_fees_on(app, invoice_id)]


# Late fees


@pytest.mark.parametrize(
    ("policy", "fee"),
    [
        ({"late_fee_flat": "25.00"}, "25.00"),
        ({"late_fee_percent": "1.5"}, "8.08"),  # 1.5 % of 538.40 = 8.076
        ({"late_fee_percent": "0.625"}, "3.37"),  # 3.365: half a cent rounds up
        ({"late_fee_flat": "10.00", "late_fee_percent": "1.5"}, "18.08"),
    ],
)
def test_a_late_fee_is_the_flat_fee_plus_a_percent_of_the_balance(app, shop, file_invoice, smtp_server, jobs_done, policy, fee):
    set_policy(shop, late_fee_period_days=30, **policy)
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 30 * DAY)
    before = shop.dispatcher.get(f"/invoices/{invoice_id}").json

    fees, _ = chase(app)

    jobs_done()
    (charged,) = late_fees_on(app, invoice_id)
    number = charged.pop("number")
    assert charged == {
        "period": 1,
        "kind": InvoiceKind.LATE_FEE,
        "customer_id": shop.customer["id"],
        "subtotal": Decimal(fee),
        "tax": Decimal("0.00"),  # a late fee is not taxed, whatever the tax rate
        "total": Decimal(fee),
        "lines": [(f"Late fee on {before['number']} (period 1)", Decimal("1.00"), Decimal(fee), False)],
    }
    assert len(fees) == 1
    # The overdue invoice is left exactly as it was; the fee is an invoice of its own, emailed.
    assert shop.dispatcher.get(f"/invoices/{invoice_id}").json == before
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == shop.customer["email"]
    assert number in message["Subject"]


def test_the_percent_is_of_what_is_still_owed(app, shop, file_invoice):
    set_policy(shop, late_fee_percent="1.5", late_fee_period_days=30)
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 30 * DAY)
    change_invoice(app, invoice_id, amount_paid=Decimal("100.00"))

    chase(app)

    assert fee_totals(app, invoice_id) == [Decimal("6.58")]  # 1.5 % of 438.40 = 6.576


@pytest.mark.parametrize(
    ("days_overdue", "periods"),
    [(0, []), (1, []), (29, []), (30, [1]), (59, [1]), (60, [1, 2]), (95, [1, 2, 3])],
)
def test_one_late_fee_for_each_full_period_overdue(app, shop, file_invoice, days_overdue, periods):
    set_policy(shop, late_fee_flat="15.00", late_fee_period_days=30)
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - days_overdue * DAY)

    chase(app)

    assert [fee["period"] for fee in late_fees_on(app, invoice_id)] == periods
    assert fee_totals(app, invoice_id) == [Decimal("15.00")] * len(periods)


def test_periods_are_charged_as_they_pass(app, shop, file_invoice):
    set_policy(shop, late_fee_flat="15.00", late_fee_period_days=10)
    invoice_id = file_invoice()
    due_on = company_day(app) - 35 * DAY
    make_due(app, invoice_id, due_on)

    for days_overdue, periods in ((9, []), (10, [1]), (19, [1]), (20, [1, 2]), (35, [1, 2, 3])):
        chase(app, today=due_on + days_overdue * DAY)
        assert [fee["period"] for fee in late_fees_on(app, invoice_id)] == periods, days_overdue


def test_the_late_fees_on_an_invoice_stop_at_the_cap(app, shop, file_invoice):
    set_policy(shop, late_fee_flat="25.00", late_fee_period_days=10, late_fee_cap="60.00")
    invoice_id = file_invoice()
    today = company_day(app)

    make_due(app, invoice_id, today - 25 * DAY)
    chase(app)
    assert fee_totals(app, invoice_id) == [Decimal("25.00"), Decimal("25.00")]

    make_due(app, invoice_id, today - 50 * DAY)
    chase(app)
    # Period 3 takes what is left under the cap; periods 4 and 5 charge nothing.
    assert fee_totals(app, invoice_id) == [Decimal("25.00"), Decimal("25.00"), Decimal("10.00")]

    make_due(app, invoice_id, today - 200 * DAY)
    chase(app)
    assert sum(fee_totals(app, invoice_id)) == Decimal("60.00")


def test_a_cap_of_nothing_means_no_late_fees(app, shop, file_invoice):
    set_policy(shop, late_fee_flat="25.00", late_fee_period_days=10, late_fee_cap="0.00")
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 40 * DAY)

    chase(app)

    assert late_fees_on(app, invoice_id) == []


def test_without_a_late_fee_policy_nothing_is_charged(app, shop, file_invoice):
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 365 * DAY)

    chase(app)

    assert late_fees_on(app, invoice_id) == []


def test_a_late_fee_earns_no_late_fee_of_its_own(app, shop, file_invoice):
    set_policy(shop, late_fee_flat="25.00", late_fee_period_days=30)
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 30 * DAY)
    (fee_id,), _ = chase(app)

    make_due(app, fee_id, company_day(app) - 90 * DAY)
    chase(app)

    assert late_fees_on(app, fee_id) == []
    assert len(late_fees_on(app, invoice_id)) == 1


# Reminders


@pytest.mark.parametrize(
    ("days_from_due", "is_reminded"),
    [(-4, False), (-3, True), (-2, False), (-1, False), (0, True), (1, False), (6, False), (7, True), (8, False),
     (13, False), (14, True), (15, False), (30, False)],
)
def test_reminders_go_out_on_the_days_the_schedule_names(
    app, shop, file_invoice, smtp_server, jobs_done, days_from_due, is_reminded
):
    invoice_id = file_invoice()  # the company's schedule starts as "-3,0,7,14"
    today = company_day(app)
    due_on = today - days_from_due * DAY
    make_due(app, invoice_id, due_on)

    _, reminders = chase(app)

    jobs_done()
    invoice = shop.dispatcher.get(f"/invoices/{invoice_id}").json
    if not is_reminded:
        assert reminders == []
        assert invoice["reminders"] == []
        assert smtp_server.wait_for(1, seconds=0.5) == []
        return
    (message,) = smtp_server.wait_for(1)
    (reminder,) = invoice["reminders"]
    assert reminder["id"] in reminders
    assert reminder["days_from_due"] == days_from_due
    assert reminder["sent_on"] == today.isoformat()
    assert reminder["sent_at"] is not None
    assert reminder["message_id"] == message["Message-ID"]
    assert message["To"] == shop.customer["email"]
    assert invoice["number"] in message["Subject"]
    body = message.get_content()
    with app.app_context():
        token = db.session.get(Invoice, invoice_id).view_token
    for expected in ("Balance due: 538.40", f"Due date: {due_on.isoformat()}", f"{app.config['PUBLIC_URL']}/i/{token}"):
        assert expected in body, expected


def test_a_reminder_tells_what_is_still_owed(app, shop, file_invoice, smtp_server, jobs_done):
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 7 * DAY)
    change_invoice(app, invoice_id, amount_paid=Decimal("38.40"))

    chase(app)

    jobs_done()
    (message,) = smtp_server.wait_for(1)
    assert "Balance due: 500.00" in message.get_content()
    assert "500.00" in message["Subject"]


def test_at_most_one_reminder_a_day_and_one_on_each_day_named(app, shop, file_invoice, smtp_server, jobs_done):
    invoice_id = file_invoice()
    due_on = company_day(app) + 3 * DAY
    make_due(app, invoice_id, due_on)

    for today in (due_on - 3 * DAY, due_on - 3 * DAY, due_on - 2 * DAY, due_on, due_on):
        chase(app, today)

    jobs_done()
    reminders = shop.dispatcher.get(f"/invoices/{invoice_id}").json["reminders"]
    assert [(reminder["days_from_due"], reminder["sent_on"]) for reminder in reminders] == [
        (-3, (due_on - 3 * DAY).isoformat()),
        (0, due_on.isoformat()),
    ]
    assert len(smtp_server.wait_for(3, seconds=1)) == 2


def test_the_owner_s_schedule_is_followed(app, shop, file_invoice):
    invoice_id = file_invoice()
    due_on = company_day(app)
    make_due(app, invoice_id, due_on)

    set_policy(shop, reminder_schedule="-1,2")
    reminded = [days for days in range(-5, 6) if chase(app, due_on + days * DAY)[1]]
    assert reminded == [-1, 2]

    set_policy(shop, reminder_schedule="")
    assert chase(app, due_on + 3 * DAY) == ([], [])


def test_an_invoice_never_sent_to_the_customer_is_not_reminded_of(app, shop, smtp_server, jobs_done):
    smtp_server.is_refusing = True
    filed = shop.technician.post("/work-orders", json=shop.work_order())
    assert filed.status_code == 201
    jobs_done()
    smtp_server.clear()
    invoice_id = filed.json["invoice"]["id"]
    make_due(app, invoice_id, company_day(app))

    assert chase(app) == ([], [])


# Never chased


@pytest.mark.parametrize("settled", ["paid", "void", "disputed"])
def test_paid_void_and_disputed_invoices_are_never_chased(app, shop, file_invoice, smtp_server, jobs_done, settled):
    set_policy(shop, late_fee_flat="20.00", late_fee_period_days=7)
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 14 * DAY)  # two periods overdue, and a reminder day
    if settled == "paid":
        change_invoice(app, invoice_id, amount_paid=Decimal("538.40"))
    elif settled == "void":
        change_invoice(app, invoice_id, status=InvoiceStatus.VOID, voided_at=utcnow(), void_reason="Billed twice")
    else:
        change_invoice(app, invoice_id, status_before_dispute=InvoiceStatus.SENT, status=InvoiceStatus.DISPUTED)
    assert shop.dispatcher.get(f"/invoices/{invoice_id}").json["status"] == settled

    assert chase(app) == ([], [])

    jobs_done()
    assert late_fees_on(app, invoice_id) == []
    assert shop.dispatcher.get(f"/invoices/{invoice_id}").json["reminders"] == []
    assert smtp_server.wait_for(1, seconds=0.5) == []


def test_a_partly_paid_invoice_is_still_chased(app, shop, file_invoice, jobs_done):
    set_policy(shop, late_fee_flat="20.00", late_fee_period_days=7)
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app) - 14 * DAY)
    change_invoice(app, invoice_id, amount_paid=Decimal("100.00"))

    fees, reminders = chase(app)

    assert (len(fees), len(reminders)) == (2, 1)


def test_an_invoice_settled_before_its_reminder_goes_out_is_not_chased(app, shop, file_invoice, smtp_server, jobs_done):
    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app))
    with app.app_context(), transaction():
        collections.send_due_reminders(company_day(app))
        # Paid before the reminder's email job has its turn: that job runs after this commit.
        invoice = db.session.get(Invoice, invoice_id)
        invoice.amount_paid = invoice.total
        invoice.refresh_status()
    jobs_done()

    assert smtp_server.wait_for(1, seconds=0.5) == []
    (shown,) = shop.dispatcher.get(f"/invoices/{invoice_id}").json["reminders"]
    assert shown["sent_at"] is None


# Once a day, whatever happens


def test_running_the_round_twice_in_a_day_doubles_nothing(app, shop, file_invoice, smtp_server, jobs_done):
    set_policy(shop, late_fee_flat="20.00", late_fee_period_days=30)
    overdue, reminded = file_invoice(), file_invoice()
    today = company_day(app)
    make_due(app, overdue, today - 60 * DAY)
    make_due(app, reminded, today - 7 * DAY)

    with app.app_context():
        first = chase_payments()  # the daily job itself, as cron runs it
    jobs_done()
    assert first == {"late_fees": 2, "reminders": 1}
    assert len(smtp_server.wait_for(3)) == 3  # two late-fee invoices, one reminder

    with app.app_context():
        again = chase_payments()
    assert again == {"late_fees": 0, "reminders": 0}
    assert chase(app, today) == ([], [])

    jobs_done()
    assert count(app, select(func.count()).select_from(Invoice).where(Invoice.kind == InvoiceKind.LATE_FEE)) == 2
    assert count(app, select(func.count()).select_from(Reminder)) == 1
    assert len(smtp_server.wait_for(4, seconds=1)) == 3


def test_the_reminder_job_sends_once_however_often_it_runs(app, shop, file_invoice, smtp_server, jobs_done):
    from dispatch.invoicing.jobs import email_reminder

    invoice_id = file_invoice()
    make_due(app, invoice_id, company_day(app))
    (_, (reminder_id,)) = chase(app)
    jobs_done()

    with app.app_context():
        assert email_reminder(reminder_id) is False
        assert email_reminder(reminder_id) is False
    assert len(smtp_server.wait_for(2, seconds=1)) == 1


@pytest.mark.postgres
def test_two_rounds_at_once_charge_and_remind_once(app, shop, file_invoice, smtp_server, jobs_done):
    set_policy(shop, late_fee_flat="20.00", late_fee_period_days=30)
    overdue, reminded = file_invoice(), file_invoice()
    today = company_day(app)
    make_due(app, overdue, today - 60 * DAY)
    make_due(app, reminded, today - 7 * DAY)
    start = threading.Barrier(2)
    results = []

    def run_round():
        start.wait()
        results.append(chase(app, today))

    rounds = [threading.Thread(target=run_round) for _ in range(2)]
    for each in rounds:
        each.start()
    for each in rounds:
        each.join()

    jobs_done()
    assert sorted((len(fees), len(reminders)) for fees, reminders in results) == [(0, 0), (2, 1)]
    assert fee_totals(app, overdue) == [Decimal("20.00"), Decimal("20.00")]
    assert count(app, select(func.count()).select_from(Reminder)) == 1
    assert len(smtp_server.wait_for(4, seconds=1)) == 3


def test_the_round_runs_every_day_from_cron():
    (when,) = [when for job, when in cron_schedule() if job is chase_payments]
    _minute, _hour, *every_day = when["cron"].split()
    assert every_day == ["*", "*", "*"]
