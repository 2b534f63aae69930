"""Finding a technician's first free slot (company time, working hours, DST) and booking visits.

Working hours are Mon–Fri 08:00–17:00 in the company's timezone, here America/New_York:
UTC−5 in winter (EST), UTC−4 from the second Sunday of March (EDT) to the first Sunday of November.
"""
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.scheduling import availability
from dispatch.scheduling import service as scheduling
from dispatch.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

FOLLOW_UP = AppointmentKind.FOLLOW_UP

NEW_YORK = ZoneInfo("America/New_York")


def local(year, month, day, hour, minute=0, second=0) -> datetime:
    """A moment in the company's time (New York)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=NEW_YORK)


def utc(year, month, day, hour, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Diary:
    def __init__(self, technician_id: int, customer_id: int):
        self.technician_id = technician_id
        self.customer_id = customer_id

    def book(self, starts_at: datetime, ends_at: datetime, technician_id: int | None = None) -> Appointment:
        return scheduling.book_appointment(self.customer_id, technician_id or self.technician_id, starts_at, ends_at)

    def first_free(self, on_or_after: date, minutes: int) -> datetime:
        return availability.find_first_free_slot(self.technician_id, on_or_after, minutes)


# "Now", for the slot finder: early on Monday 2027-01-04 (01:00 in New York), so the dates below stay ahead of it.
NOW = datetime(2027, 1, 4, 6, 0, tzinfo=UTC)


def freeze_now(monkeypatch, moment: datetime) -> None:
    for module in (scheduling, availability):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


@pytest.fixture
def diary(app, app_context, make_user, make_customer, monkeypatch) -> Diary:
    monkeypatch.setitem(app.config, "DISPATCH_TIMEZONE", "America/New_York")
    freeze_now(monkeypatch, NOW)
    technician = make_user("technician")
    return Diary(technician.id, make_customer()["id"])


class TestFirstFreeSlot:
    def test_an_empty_day_starts_at_eight_company_time(self, diary):
        slot = diary.first_free(date(2027, 2, 3), 60)  # a Wednesday, in winter
        assert slot == local(2027, 2, 3, 8) == utc(2027, 2, 3, 13)
        assert slot.utcoffset() == timedelta(0)  # stored and handed around in UTC

    @pytest.mark.parametrize("weekend_day", [date(2027, 2, 6), date(2027, 2, 7)])  # Saturday, Sunday
    def test_weekends_are_skipped(self, diary, weekend_day):
        assert diary.first_free(weekend_day, 60) == local(2027, 2, 8, 8)  # Monday

    def test_the_first_gap_big_enough_is_taken(self, diary):
        diary.book(local(2027, 2, 8, 8), local(2027, 2, 8, 9))
        diary.book(local(2027, 2, 8, 9, 30), local(2027, 2, 8, 10, 30))
        diary.book(local(2027, 2, 8, 11, 30), local(2027, 2, 8, 12))
        # Free: 09:00–09:30 (30 min), 10:30–11:30 (60 min), 12:00–17:00.
        assert diary.first_free(date(2027, 2, 8), 30) == local(2027, 2, 8, 9)
        assert diary.first_free(date(2027, 2, 8), 60) == local(2027, 2, 8, 10, 30)
        assert diary.first_free(date(2027, 2, 8), 90) == local(2027, 2, 8, 12)

    def test_a_visit_running_past_eight_pushes_the_start(self, diary):
        diary.book(local(2027, 2, 9, 7), local(2027, 2, 9, 8, 45))  # an early call-out
        assert diary.first_free(date(2027, 2, 9), 60) == local(2027, 2, 9, 8, 45)

    def test_a_day_full_until_half_past_four_has_no_hour_left(self, diary):
        diary.book(local(2027, 2, 12, 8), local(2027, 2, 12, 16, 30))  # a Friday
        assert diary.first_free(date(2027, 2, 12), 60) == local(2027, 2, 15, 8)  # Monday, past the weekend
        assert diary.first_free(date(2027, 2, 12), 30) == local(2027, 2, 12, 16, 30)  # half an hour still fits

    def test_a_slot_may_end_exactly_at_five(self, diary):
        diary.book(local(2027, 2, 10, 8), local(2027, 2, 10, 16))
        assert diary.first_free(date(2027, 2, 10), 60) == local(2027, 2, 10, 16)

    def test_cancelled_and_no_show_visits_do_not_block(self, diary):
        cancelled = diary.book(local(2027, 2, 3, 8), local(2027, 2, 3, 12))
        no_show = diary.book(local(2027, 2, 3, 12), local(2027, 2, 3, 17))
        cancelled.status = AppointmentStatus.CANCELLED
        no_show.status = AppointmentStatus.NO_SHOW
        db.session.commit()
        assert diary.first_free(date(2027, 2, 3), 60) == local(2027, 2, 3, 8)

    def test_completed_visits_still_took_the_time(self, diary):
        done = diary.book(local(2027, 2, 3, 8), local(2027, 2, 3, 10))
        done.status = AppointmentStatus.COMPLETED
        db.session.commit()
        assert diary.first_free(date(2027, 2, 3), 60) == local(2027, 2, 3, 10)

    def test_another_technicians_visits_do_not_block(self, diary, make_user):
        other = make_user("technician")
        diary.book(local(2027, 2, 3, 8), local(2027, 2, 3, 17), technician_id=other.id)
        assert diary.first_free(date(2027, 2, 3), 60) == local(2027, 2, 3, 8)

    def test_never_in_the_past(self, diary):
        # Asked for a day long gone: the first free time from now on, not "no slot in 90 days".
        assert diary.first_free(date(2020, 1, 6), 30) == local(2027, 1, 4, 8)

    def test_not_earlier_today_than_now_rounded_up_to_the_quarter_hour(self, diary, monkeypatch):
        freeze_now(monkeypatch, local(2027, 1, 4, 10, 7, 30))
        assert diary.first_free(date(2027, 1, 4), 60) == local(2027, 1, 4, 10, 15)
        freeze_now(monkeypatch, local(2027, 1, 4, 16, 31))  # no hour left today: tomorrow
        assert diary.first_free(date(2027, 1, 4), 60) == local(2027, 1, 5, 8)


class TestDaylightSavingTime:
    """New York springs forward on Sunday 2027-03-14 and falls back on Sunday 2027-11-07."""

    def test_eight_oclock_stays_eight_oclock_when_the_clocks_spring_forward(self, diary):
        assert diary.first_free(date(2027, 3, 12), 60) == utc(2027, 3, 12, 13)  # Friday 08:00 EST
        assert diary.first_free(date(2027, 3, 13), 60) == utc(2027, 3, 15, 12)  # Monday 08:00 EDT

    def test_a_full_friday_before_the_change_moves_to_monday_after_it(self, diary):
        diary.book(local(2027, 3, 12, 8), local(2027, 3, 12, 17))
        assert diary.first_free(date(2027, 3, 12), 60) == utc(2027, 3, 15, 12)  # 08:00 EDT, not 07:00 or 09:00

    def test_the_day_still_closes_at_five_after_the_change(self, diary):
        # Monday after the change, full until 16:30 EDT (20:30 UTC). With last week's offset the day
        # would close at 22:00 UTC and an hour would seem to fit; it does not: Tuesday 08:00 EDT.
        diary.book(local(2027, 3, 15, 8), local(2027, 3, 15, 16, 30))
        assert diary.first_free(date(2027, 3, 15), 60) == utc(2027, 3, 16, 12)
        assert diary.first_free(date(2027, 3, 15), 30) == utc(2027, 3, 15, 20, 30)

    def test_eight_oclock_stays_eight_oclock_when_the_clocks_fall_back(self, diary):
        assert diary.first_free(date(2027, 11, 5), 60) == utc(2027, 11, 5, 12)  # Friday 08:00 EDT
        diary.book(local(2027, 11, 5, 8), local(2027, 11, 5, 17))
        assert diary.first_free(date(2027, 11, 5), 60) == utc(2027, 11, 8, 13)  # Monday 08:00 EST

    def test_a_technicians_own_hours_follow_local_time_across_the_change(self, diary):
        # Mondays 07:00–15:00 New York time only: 12:00 UTC in winter, 11:00 UTC once the clocks spring forward.
        availability.set_weekly_hours(diary.technician_id, {0: (time(7), time(15))})
        assert diary.first_free(date(2027, 3, 8), 60) == utc(2027, 3, 8, 12)
        diary.book(local(2027, 3, 8, 7), local(2027, 3, 8, 15))
        assert diary.first_free(date(2027, 3, 8), 60) == utc(2027, 3, 15, 11)

    def test_who_is_free_on_the_first_monday_of_summer_time(self, diary, make_user):
        late = make_user("technician")
        diary.book(local(2027, 3, 15, 8), local(2027, 3, 15, 17))  # the diary's technician: fully booked
        scheduling.book_appointment(diary.customer_id, late.id, local(2027, 3, 15, 8), local(2027, 3, 15, 13))
        free = availability.free_technicians(date(2027, 3, 15), 240)
        assert [(technician.id, starts_at) for technician, starts_at in free] == [(late.id, utc(2027, 3, 15, 17))]  # 13:00 EDT


def test_follow_ups_are_booked_one_after_the_other(diary):
    first = scheduling.book_first_free_slot(diary.customer_id, diary.technician_id, None, date(2027, 2, 3), 60, "Check pressure", FOLLOW_UP)
    second = scheduling.book_first_free_slot(diary.customer_id, diary.technician_id, None, date(2027, 2, 3), 90, None, FOLLOW_UP)
    db.session.commit()
    assert (first.starts_at, first.ends_at) == (local(2027, 2, 3, 8), local(2027, 2, 3, 9))
    assert (second.starts_at, second.ends_at) == (local(2027, 2, 3, 9), local(2027, 2, 3, 10, 30))
    assert (first.kind, first.notes, first.status) == ("follow_up", "Check pressure", "scheduled")


# --- POST and GET /appointments -------------------------------------------------------------------

NINE = datetime(2027, 2, 3, 9, tzinfo=UTC)


def visit(customer_id: int, technician_id: int | None, starts_at: datetime, minutes: int = 60, **extra) -> dict:
    return {
        "customer_id": customer_id,
        "technician_id": technician_id,
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(minutes=minutes)).isoformat(),
        **extra,
    }


def appointments_stored(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Appointment))


@pytest.fixture
def office(dispatcher_api, make_customer, api_as):
    technician = api_as("technician")
    return dispatcher_api, technician, make_customer()["id"]


def test_booking_a_visit(office):
    dispatcher, technician, customer_id = office
    answer = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE, notes="Side door"))
    assert answer.status_code == 201, answer.json
    booked = answer.json
    assert (booked["technician_id"], booked["customer_id"], booked["status"], booked["kind"], booked["notes"]) == (
        technician.user.id, customer_id, "scheduled", "visit", "Side door",
    )
    assert datetime.fromisoformat(booked["starts_at"]) == NINE
    assert datetime.fromisoformat(booked["ends_at"]) == NINE + timedelta(hours=1)


@pytest.mark.parametrize(
    ("starts", "minutes"),
    [
        (NINE + timedelta(minutes=30), 60),  # overlaps the end
        (NINE - timedelta(minutes=30), 60),  # overlaps the start
        (NINE + timedelta(minutes=15), 15),  # inside
        (NINE - timedelta(minutes=30), 120),  # around
        (NINE, 60),  # the very same slot
    ],
)
def test_an_overlap_is_a_conflict_naming_the_booked_visit(app, office, starts, minutes):
    dispatcher, technician, customer_id = office
    booked = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE)).json
    clash = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, starts, minutes))
    assert clash.status_code == 409, clash.json
    assert str(booked["id"]) in clash.json["message"]
    assert appointments_stored(app) == 1


def test_back_to_back_visits_are_fine(office):
    dispatcher, technician, customer_id = office
    assert dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE)).status_code == 201
    after = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE + timedelta(hours=1)))
    before = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE - timedelta(hours=1)))
    assert (after.status_code, before.status_code) == (201, 201)


def test_the_same_time_with_another_technician_or_unassigned_is_fine(office, make_user):
    dispatcher, technician, customer_id = office
    other = make_user("technician")
    assert dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE)).status_code == 201
    assert dispatcher.post("/appointments", json=visit(customer_id, other.id, NINE)).status_code == 201
    assert dispatcher.post("/appointments", json=visit(customer_id, None, NINE)).status_code == 201
    assert dispatcher.post("/appointments", json=visit(customer_id, None, NINE)).status_code == 201


def test_a_cancelled_visit_frees_its_time(app, office):
    dispatcher, technician, customer_id = office
    booked = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE)).json
    with app.app_context():
        db.session.get(Appointment, booked["id"]).status = AppointmentStatus.CANCELLED
        db.session.commit()
    assert dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE)).status_code == 201


def test_the_owner_books_too(owner_api, office):
    _, technician, customer_id = office
    assert owner_api.post("/appointments", json=visit(customer_id, technician.user.id, NINE)).status_code == 201


def test_a_technician_may_not_book(app, office):
    _, technician, customer_id = office
    answer = technician.post("/appointments", json=visit(customer_id, technician.user.id, NINE))
    assert answer.status_code == 403
    assert appointments_stored(app) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": NINE.isoformat()}, "ends_at"),  # ends as it starts
        ({"ends_at": (NINE - timedelta(hours=1)).isoformat()}, "ends_at"),
        ({"starts_at": "2027-02-03T09:00:00"}, "starts_at"),  # no offset: which 09:00?
        ({"customer_id": 999_999}, "customer_id"),
        ({"technician_id": 999_999}, "technician_id"),
    ],
)
def test_a_bad_booking_is_refused_by_field_and_writes_nothing(app, office, change, field):
    dispatcher, technician, customer_id = office
    answer = dispatcher.post("/appointments", json={**visit(customer_id, technician.user.id, NINE), **change})
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
    assert appointments_stored(app) == 0


def test_a_visit_goes_to_one_of_the_customers_own_sites(app, office, make_customer):
    dispatcher, technician, customer_id = office
    [own_site] = dispatcher.get(f"/customers/{customer_id}").json["sites"]
    booked = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE, site_id=own_site["id"]))
    assert booked.status_code == 201, booked.json
    assert booked.json["site_id"] == own_site["id"]

    [their_site] = make_customer(name="Bayside Bakery", address="3 Quay St")["sites"]
    for site_id in (their_site["id"], 999_999):
        answer = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE + timedelta(hours=2), site_id=site_id))
        assert answer.status_code == 422, answer.json
        assert "site_id" in answer.json["errors"]
    assert appointments_stored(app) == 1


def test_a_closed_customer_cannot_be_booked(app, office):
    dispatcher, technician, customer_id = office
    with app.app_context():
        db.session.get(Customer, customer_id).is_active = False
        db.session.commit()
    answer = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE))
    assert answer.status_code == 422
    assert "customer_id" in answer.json["errors"]
    assert appointments_stored(app) == 0


def test_someone_who_is_not_a_technician_cannot_be_booked(app, office, dispatcher_api):
    dispatcher, _, customer_id = office
    answer = dispatcher.post("/appointments", json=visit(customer_id, dispatcher_api.user.id, NINE))
    assert answer.status_code == 422
    assert "technician_id" in answer.json["errors"]
    assert appointments_stored(app) == 0


def test_a_technician_lists_only_their_own(office, api_as):
    dispatcher, technician, customer_id = office
    other = api_as("technician")
    mine = [dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE + timedelta(days=days))).json["id"] for days in (1, 0)]
    theirs = dispatcher.post("/appointments", json=visit(customer_id, other.user.id, NINE)).json["id"]
    unassigned = dispatcher.post("/appointments", json=visit(customer_id, None, NINE)).json["id"]

    assert [a["id"] for a in technician.get("/appointments").json] == mine[::-1]  # by start time
    assert [a["id"] for a in technician.get(f"/appointments?technician_id={technician.user.id}").json] == mine[::-1]
    assert [a["id"] for a in other.get("/appointments").json] == [theirs]
    assert technician.get(f"/appointments?technician_id={other.user.id}").status_code == 404

    everyone = {a["id"] for a in dispatcher.get("/appointments").json}
    assert everyone == {*mine, theirs, unassigned}
    assert [a["id"] for a in dispatcher.get(f"/appointments?technician_id={other.user.id}").json] == [theirs]


def test_listing_by_time_window(office):
    dispatcher, technician, customer_id = office
    ids = [dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE + timedelta(days=days))).json["id"] for days in range(3)]
    window = {"from": (NINE + timedelta(days=1)).isoformat(), "to": (NINE + timedelta(days=2)).isoformat()}
    assert [a["id"] for a in technician.get("/appointments", query_string=window).json] == [ids[1]]  # from included, to excluded


@pytest.mark.postgres
def test_booking_the_same_slot_at_once_gives_it_to_one(app, office, api_as):
    """Eight desks book the same technician for the same hour at the same instant: one gets it."""
    import threading

    _, technician, customer_id = office
    desks = [api_as("dispatcher") for _ in range(8)]  # each its own client and token, made beforehand
    barrier = threading.Barrier(len(desks))
    answers = []

    def book(desk, minutes_late):
        barrier.wait(timeout=30)
        answer = desk.post("/appointments", json=visit(customer_id, technician.user.id, NINE + timedelta(minutes=minutes_late)))
        answers.append((answer.status_code, answer.json))

    threads = [threading.Thread(target=book, args=(desk, 15 * (index % 3))) for index, desk in enumerate(desks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(status for status, _ in answers) == [201] + [409] * 7, answers
    [booked] = [answer for status, answer in answers if status == 201]
    assert all(f"appointment {booked['id']}" in answer["message"] for status, answer in answers if status == 409)
    assert appointments_stored(app) == 1
