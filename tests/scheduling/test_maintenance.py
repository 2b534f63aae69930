"""Recurring maintenance plans: the visits they book ahead, once each, at the plan's local time.

Company time is America/New_York, which springs forward on Sunday 2027-03-14 and falls back on
Sunday 2027-11-07. Technicians work the usual week, Mon–Fri 08:00–17:00.
"""
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.core import time as core_time
from dispatch.extensions import db
from dispatch.jobs import cron_schedule, job_queue
from dispatch.scheduling import availability, maintenance, service
from dispatch.scheduling import jobs as scheduling_jobs
from dispatch.scheduling.models import Appointment, MaintenancePlan
from tests.conftest import csrf_token

NEW_YORK = ZoneInfo("America/New_York")
# "Now": early on Monday 2027-01-04 (01:00 in New York).
NOW = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)
TODAY = date(2027, 1, 4)


def local(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NEW_YORK)


def freeze_now(monkeypatch, moment: datetime) -> None:
    for module in (core_time, maintenance, service, availability):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


class Office:
    def __init__(self, dispatcher_id: int, technician_id: int, customer_id: int):
        self.dispatcher_id = dispatcher_id
        self.technician_id = technician_id
        self.customer_id = customer_id

    @property
    def dispatcher(self) -> User:
        return db.session.get(User, self.dispatcher_id)

    def plan(self, **details) -> MaintenancePlan:
        details = {"technician_id": self.technician_id, "visit_time": time(9), "minutes": 60, "every_months": 1, **details}
        plan = maintenance.create_plan(self.dispatcher, self.customer_id, **details)
        return plan

    def book(self, starts_at: datetime, ends_at: datetime) -> Appointment:
        appointment = service.book_appointment(self.customer_id, self.technician_id, starts_at, ends_at)
        db.session.commit()
        return appointment


def visits(plan_id: int) -> list[Appointment]:
    return list(db.session.scalars(select(Appointment).where(Appointment.maintenance_plan_id == plan_id).order_by(Appointment.starts_at)))


@pytest.fixture
def office(app, app_context, make_user, make_customer, monkeypatch) -> Office:
    monkeypatch.setitem(app.config, "DISPATCH_TIMEZONE", "America/New_York")
    freeze_now(monkeypatch, NOW)
    return Office(make_user("dispatcher").id, make_user("technician").id, make_customer()["id"])


class TestGenerating:
    def test_a_monthly_plan_at_nine_stays_at_nine_when_the_clocks_spring_forward(self, office):
        plan = office.plan(starts_on=date(2027, 1, 15), days_ahead=120)
        booked = visits(plan.id)
        assert [visit.starts_at for visit in booked] == [
            datetime(2027, 1, 15, 14, tzinfo=UTC),  # 09:00 EST
            datetime(2027, 2, 15, 14, tzinfo=UTC),
            datetime(2027, 3, 15, 13, tzinfo=UTC),  # 09:00 EDT, the day after the change
            datetime(2027, 4, 15, 13, tzinfo=UTC),
        ]
        assert all(visit.starts_at.astimezone(NEW_YORK).time() == time(9) for visit in booked)
        assert all(visit.ends_at - visit.starts_at == timedelta(hours=1) for visit in booked)
        assert {(visit.kind, visit.technician_id, visit.status) for visit in booked} == {("maintenance", office.technician_id, "scheduled")}
        assert [visit.occurrence_on for visit in booked] == [date(2027, 1, 15), date(2027, 2, 15), date(2027, 3, 15), date(2027, 4, 15)]

    def test_a_weekly_plan_stays_at_nine_when_the_clocks_fall_back(self, office, monkeypatch):
        freeze_now(monkeypatch, datetime(2027, 10, 25, 6, tzinfo=UTC))
        plan = office.plan(every_weeks=1, starts_on=date(2027, 11, 1), days_ahead=14, technician_id=None)
        assert [visit.starts_at for visit in visits(plan.id)] == [
            datetime(2027, 11, 1, 13, tzinfo=UTC),  # 09:00 EDT
            datetime(2027, 11, 8, 14, tzinfo=UTC),  # 09:00 EST
        ]

    def test_running_again_books_nothing_twice(self, office):
        plan = office.plan(starts_on=date(2027, 1, 15), days_ahead=60)
        db.session.commit()
        assert len(visits(plan.id)) == 2
        assert maintenance.generate_maintenance_visits(TODAY) == 0
        assert maintenance.generate_maintenance_visits(TODAY) == 0
        assert len(visits(plan.id)) == 2

    def test_each_day_books_the_dates_coming_into_reach(self, office, monkeypatch):
        plan_id = office.plan(starts_on=date(2027, 1, 15), days_ahead=30).id
        db.session.commit()
        assert [visit.occurrence_on for visit in visits(plan_id)] == [date(2027, 1, 15)]
        later = date(2027, 1, 16)  # 2027-02-15 is now 30 days ahead
        freeze_now(monkeypatch, datetime(2027, 1, 16, 11, tzinfo=UTC))
        assert maintenance.generate_maintenance_visits(later) == 1
        assert maintenance.generate_maintenance_visits(later) == 0
        assert [visit.occurrence_on for visit in visits(plan_id)] == [date(2027, 1, 15), date(2027, 2, 15)]

    def test_it_stops_at_the_end_date(self, office):
        plan = office.plan(every_weeks=2, starts_on=date(2027, 1, 11), ends_on=date(2027, 2, 8), days_ahead=366)
        assert [visit.occurrence_on for visit in visits(plan.id)] == [date(2027, 1, 11), date(2027, 1, 25), date(2027, 2, 8)]

    def test_a_date_whose_visit_was_moved_or_cancelled_is_not_booked_again(self, office):
        plan_id = office.plan(starts_on=date(2027, 1, 15), days_ahead=60).id
        db.session.commit()
        first, second = visits(plan_id)
        service.move_appointment(first.id, office.dispatcher, starts_at=local(2027, 1, 18, 10))
        service.cancel_appointment(second.id, office.dispatcher, "Customer away")
        assert maintenance.generate_maintenance_visits(TODAY) == 0
        assert len(visits(plan_id)) == 2

    def test_a_monthly_plan_from_the_31st_falls_on_the_last_day_of_shorter_months(self, office):
        plan = office.plan(starts_on=date(2027, 1, 31), days_ahead=120, technician_id=None)
        assert [visit.occurrence_on for visit in visits(plan.id)] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]

    def test_a_visit_time_already_gone_today_is_not_booked_in_the_past(self, office, monkeypatch):
        freeze_now(monkeypatch, local(2027, 1, 4, 10))
        plan = office.plan(every_weeks=1, starts_on=date(2027, 1, 4), days_ahead=7)
        assert [visit.occurrence_on for visit in visits(plan.id)] == [date(2027, 1, 11)]

    def test_a_stopped_plan_books_nothing(self, office):
        plan_id = office.plan(starts_on=date(2027, 1, 15), days_ahead=30).id
        maintenance.deactivate_plan(plan_id, office.dispatcher)
        db.session.get(MaintenancePlan, plan_id).days_ahead = 200
        db.session.commit()
        assert maintenance.generate_maintenance_visits(TODAY) == 0


class TestWhoGoes:
    def test_the_plans_technician_at_the_plans_time_when_free(self, office):
        [visit] = visits(office.plan(starts_on=date(2027, 1, 12), days_ahead=20).id)
        assert (visit.technician_id, visit.starts_at) == (office.technician_id, local(2027, 1, 12, 9))

    def test_the_technicians_first_free_slot_that_day_when_the_time_is_taken(self, office):
        office.book(local(2027, 1, 12, 8), local(2027, 1, 12, 11, 30))
        [visit] = visits(office.plan(starts_on=date(2027, 1, 12), days_ahead=20).id)
        assert (visit.technician_id, visit.starts_at, visit.ends_at) == (office.technician_id, local(2027, 1, 12, 11, 30), local(2027, 1, 12, 12, 30))

    def test_unassigned_at_the_plans_time_when_the_technician_is_full_that_day(self, office):
        office.book(local(2027, 1, 12, 8), local(2027, 1, 12, 16, 30))
        [visit] = visits(office.plan(starts_on=date(2027, 1, 12), days_ahead=20).id)
        assert (visit.technician_id, visit.starts_at) == (None, local(2027, 1, 12, 9))

    def test_unassigned_on_the_technicians_day_off(self, office):
        [visit] = visits(office.plan(starts_on=date(2027, 1, 16), days_ahead=20).id)  # a Saturday
        assert (visit.technician_id, visit.starts_at) == (None, local(2027, 1, 16, 9))

    def test_unassigned_while_the_technician_is_off(self, office):
        availability.add_time_off(office.technician_id, local(2027, 1, 11, 0), local(2027, 1, 13, 0), "Holiday")
        [visit] = visits(office.plan(starts_on=date(2027, 1, 12), days_ahead=20).id)
        assert (visit.technician_id, visit.starts_at) == (None, local(2027, 1, 12, 9))

    def test_unassigned_when_the_plan_names_no_technician(self, office):
        [visit] = visits(office.plan(starts_on=date(2027, 1, 12), days_ahead=20, technician_id=None).id)
        assert (visit.technician_id, visit.starts_at) == (None, local(2027, 1, 12, 9))


# --- the API ---------------------------------------------------------------------------------------


def plan_body(customer_id: int, **changes) -> dict:
    # Far enough ahead of the real clock that every visit is to come.
    return {"customer_id": customer_id, "every_months": 3, "starts_on": "2031-03-03", "visit_time": "09:00", "minutes": 90, **changes}


def stored(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_creating_listing_and_changing_a_plan(app, dispatcher_api, make_customer, api_as):
    technician = api_as("technician")
    customer_id = make_customer()["id"]
    [site] = dispatcher_api.get(f"/customers/{customer_id}").json["sites"]
    answer = dispatcher_api.post(
        "/maintenance-plans",
        json=plan_body(customer_id, technician_id=technician.user.id, site_id=site["id"], notes="Filters 20x25", days_ahead=10),
    )
    assert answer.status_code == 201, answer.json
    plan = answer.json
    assert (plan["rrule"], plan["visit_time"], plan["minutes"], plan["days_ahead"], plan["is_active"]) == (
        "FREQ=MONTHLY;INTERVAL=3", "09:00", 90, 10, True,
    )
    assert (plan["technician_id"], plan["site_id"], plan["notes"], plan["ends_on"]) == (technician.user.id, site["id"], "Filters 20x25", None)
    assert [p["id"] for p in dispatcher_api.get(f"/maintenance-plans?customer_id={customer_id}").json] == [plan["id"]]
    assert dispatcher_api.get(f"/maintenance-plans/{plan['id']}").json == plan

    changed = dispatcher_api.patch(f"/maintenance-plans/{plan['id']}", json={"rrule": "FREQ=WEEKLY;BYDAY=MO,TH", "visit_time": "13:30", "ends_on": "2031-12-31"})
    assert changed.status_code == 200, changed.json
    assert (changed.json["rrule"], changed.json["visit_time"], changed.json["ends_on"]) == ("FREQ=WEEKLY;BYDAY=MO,TH", "13:30", "2031-12-31")


def test_stopping_a_plan_cancels_its_visits_to_come(app, dispatcher_api, make_customer):
    customer_id = make_customer()["id"]
    plan = dispatcher_api.post("/maintenance-plans", json={**plan_body(customer_id), "every_months": 1}).json
    with app.app_context():
        # As if the plan had been running for years and now reached ahead to its first dates.
        db.session.get(MaintenancePlan, plan["id"]).days_ahead = 366
        db.session.commit()
        maintenance.generate_maintenance_visits(date(2031, 3, 1))
    assert len(dispatcher_api.get("/appointments").json) == 12  # 2031-03-03 through 2032-02-03
    answer = dispatcher_api.post(f"/maintenance-plans/{plan['id']}/deactivate")
    assert answer.status_code == 200, answer.json
    assert answer.json["is_active"] is False
    assert {visit["status"] for visit in dispatcher_api.get("/appointments").json} == {"cancelled"}
    assert dispatcher_api.get("/maintenance-plans?is_active=false").json[0]["id"] == plan["id"]
    assert dispatcher_api.patch(f"/maintenance-plans/{plan['id']}", json={"minutes": 30}).status_code == 409


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"rrule": "every three months", "every_months": None}, "rrule"),
        ({"rrule": "FREQ=SOMETIMES", "every_months": None}, "rrule"),
        ({"rrule": "FREQ=HOURLY;INTERVAL=4", "every_months": None}, "rrule"),
        ({"rrule": "FREQ=DAILY;BYHOUR=9,15", "every_months": None}, "rrule"),
        ({"rrule": "FREQ=MONTHLY;INTERVAL=x", "every_months": None}, "rrule"),
        ({"rrule": "FREQ=MONTHLY;BYDAY=XX", "every_months": None}, "rrule"),
        ({"rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "every_months": None}, "rrule"),  # never
        ({"rrule": "FREQ=YEARLY;INTERVAL=4;BYMONTH=2;BYMONTHDAY=29", "every_months": None, "starts_on": "2031-02-01"}, "rrule"),  # 2031, 2035…: never leap
        ({"rrule": "FREQ=MONTHLY", "every_months": 3}, "every_months"),
        ({"every_months": None}, "rrule"),
        ({"every_months": 0}, "every_months"),
        ({"ends_on": "2031-01-01"}, "ends_on"),
        ({"visit_time": "9 o'clock"}, "visit_time"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 1441}, "minutes"),
        ({"days_ahead": 400}, "days_ahead"),
        ({"technician_id": 999_999}, "technician_id"),
        ({"customer_id": 999_999}, "customer_id"),
        ({"site_id": 999_999}, "site_id"),
    ],
)
def test_a_bad_plan_is_refused_by_field_and_writes_nothing(app, dispatcher_api, make_customer, changes, field):
    body = {name: value for name, value in {**plan_body(make_customer()["id"]), **changes}.items() if value is not None}
    answer = dispatcher_api.post("/maintenance-plans", json=body)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json
    assert (stored(app, MaintenancePlan), stored(app, Appointment)) == (0, 0)


def test_a_nonsense_rule_says_what_a_rule_looks_like(dispatcher_api, make_customer):
    body = {**plan_body(make_customer()["id"]), "rrule": "every three months"}
    del body["every_months"]
    [message] = dispatcher_api.post("/maintenance-plans", json=body).json["errors"]["rrule"]
    assert "FREQ=MONTHLY;INTERVAL=3" in message


def test_plans_are_the_offices(app, technician_api, make_customer):
    assert technician_api.post("/maintenance-plans", json=plan_body(make_customer()["id"])).status_code == 403
    assert technician_api.get("/maintenance-plans").status_code == 403
    assert stored(app, MaintenancePlan) == 0


# --- from cron ---------------------------------------------------------------------------------------


def running_plan(customer_id: int, technician_id: int | None, starts_on: date, **details) -> int:
    """A plan saved as if made earlier, with none of its visits booked yet."""
    plan = MaintenancePlan(
        customer_id=customer_id, technician_id=technician_id, rrule="FREQ=WEEKLY", starts_on=starts_on,
        visit_time=time(9), minutes=60, days_ahead=60, **details,
    )
    db.session.add(plan)
    db.session.commit()
    return plan.id


def test_the_visits_are_generated_every_day_from_cron():
    (when,) = [when for job, when in cron_schedule() if job is scheduling_jobs.generate_maintenance_visits]
    _minute, _hour, *every_day = when["cron"].split()
    assert every_day == ["*", "*", "*"]


def test_the_cron_job_takes_nothing_and_books_from_the_company_today(app, app_context, make_customer):
    tomorrow = core_time.company_today() + timedelta(days=1)
    plan_id = running_plan(make_customer()["id"], None, tomorrow)
    assert scheduling_jobs.generate_maintenance_visits() == 9  # 60 days ahead: tomorrow and the eight weeks after
    assert scheduling_jobs.generate_maintenance_visits() == 0
    assert visits(plan_id)[0].occurrence_on == tomorrow


@pytest.mark.redis
def test_the_cron_job_runs_in_the_worker(app, make_customer, jobs_done):
    with app.app_context():
        plan_id = running_plan(make_customer()["id"], None, core_time.company_today() + timedelta(days=1))
    # As rq cron puts it on the queue: the bare function, no arguments.
    job_queue(app).enqueue(scheduling_jobs.generate_maintenance_visits)
    jobs_done()
    with app.app_context():
        assert len(visits(plan_id)) == 9


@pytest.mark.postgres
def test_two_runs_at_once_book_each_date_once(app, make_customer, make_user):
    with app.app_context():
        technician_id = make_user("technician").id
        tomorrow = core_time.company_today() + timedelta(days=1)
        plan_ids = [running_plan(make_customer()["id"], technician_id if index % 2 else None, tomorrow) for index in range(4)]
    start = threading.Barrier(2)
    results, failures = [], []

    def run():
        with app.app_context():
            start.wait(timeout=30)
            try:
                results.append(maintenance.generate_maintenance_visits(tomorrow - timedelta(days=1)))
            except Exception as error:  # noqa: BLE001 — the test reports it
                failures.append(error)
            finally:
                db.session.remove()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for each in runs:
        each.start()
    for each in runs:
        each.join(timeout=120)

    assert failures == []
    assert sum(results) == 4 * 9
    with app.app_context():
        for plan_id in plan_ids:
            assert len({visit.occurrence_on for visit in visits(plan_id)}) == len(visits(plan_id)) == 9


# --- the office's page --------------------------------------------------------------------------------


def test_the_office_adds_lists_and_stops_plans_on_a_page(app, browser_as, make_customer, make_user):
    customer = make_customer(name="Bayside Bakery")
    technician = make_user("technician", name="Dana Reyes")
    office = browser_as("dispatcher")
    page = office.get("/maintenance-plans/")
    assert page.status_code == 200
    form = {
        "csrf_token": csrf_token(page), "customer_id": str(customer["id"]), "technician_id": str(technician.id),
        "every": "6", "unit": "weeks", "rrule": "", "starts_on": "2031-03-03", "visit_time": "07:30", "minutes": "45",
        "days_ahead": "", "ends_on": "", "notes": "Grease trap",
    }
    added = office.post("/maintenance-plans/", data=form, follow_redirects=True)
    assert added.status_code == 200
    listed = added.get_data(as_text=True)
    assert "Bayside Bakery" in listed and "FREQ=WEEKLY;INTERVAL=6" in listed and "07:30, 45 min" in listed and "Dana Reyes" in listed
    with app.app_context():
        [plan] = db.session.scalars(select(MaintenancePlan)).all()
        assert (plan.notes, plan.days_ahead, plan.technician_id) == ("Grease trap", 30, technician.id)

    stopped = office.post(f"/maintenance-plans/{plan.id}/deactivate", data={"csrf_token": csrf_token(added)}, follow_redirects=True)
    assert "stopped" in stopped.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MaintenancePlan, plan.id).is_active is False


def test_a_bad_plan_on_the_page_shows_why_and_saves_nothing(app, browser_as, make_customer):
    customer = make_customer()
    office = browser_as("dispatcher")
    form = {"csrf_token": csrf_token(office.get("/maintenance-plans/")), "customer_id": str(customer["id"]), "every": "1",
            "unit": "months", "rrule": "whenever suits", "visit_time": "09:00", "minutes": "60"}
    answer = office.post("/maintenance-plans/", data=form)
    assert answer.status_code == 422
    assert "FREQ=MONTHLY;INTERVAL=3" in answer.get_data(as_text=True)  # the rule's error, next to its input
    assert stored(app, MaintenancePlan) == 0


def test_the_page_is_the_offices(browser_as):
    assert browser_as("technician").get("/maintenance-plans/").status_code == 403
