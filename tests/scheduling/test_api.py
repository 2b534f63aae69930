"""The dispatcher moves, reassigns and cancels visits; technicians report from the field; every change is kept.

The company runs on UTC here unless a test says otherwise; 2027-02-03 is a Wednesday.
"""
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from dispatch.extensions import db
from dispatch.scheduling.models import Appointment, AppointmentChange

NINE = datetime(2027, 2, 3, 9, tzinfo=UTC)


def visit(customer_id, technician_id, starts_at, minutes=60, **extra) -> dict:
    return {
        "customer_id": customer_id,
        "technician_id": technician_id,
        "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(minutes=minutes)).isoformat(),
        **extra,
    }


def at(answer) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(answer["starts_at"]), datetime.fromisoformat(answer["ends_at"])


def stored(app, appointment_id) -> tuple:
    with app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        changes = db.session.scalar(select(func.count()).where(AppointmentChange.appointment_id == appointment_id))
        return appointment.technician_id, appointment.starts_at, appointment.ends_at, appointment.status, changes


@pytest.fixture
def office(dispatcher_api, make_customer, api_as):
    technician = api_as("technician")
    customer_id = make_customer()["id"]

    def book(starts_at=NINE, minutes=60, technician_id=technician.user.id, **extra):
        answer = dispatcher_api.post("/appointments", json=visit(customer_id, technician_id, starts_at, minutes, **extra))
        assert answer.status_code == 201, answer.json
        return answer.json

    return dispatcher_api, technician, book


class TestMoving:
    def test_a_new_start_keeps_the_length_and_goes_in_the_history(self, office):
        dispatcher, _, book = office
        booked = book(minutes=90)
        moved = dispatcher.patch(f"/appointments/{booked['id']}", json={"starts_at": (NINE + timedelta(hours=4)).isoformat()})
        assert moved.status_code == 200, moved.json
        assert at(moved.json) == (NINE + timedelta(hours=4), NINE + timedelta(hours=5, minutes=30))

        history = dispatcher.get(f"/appointments/{booked['id']}/history").json
        assert [change["action"] for change in history] == ["booked", "moved"]
        assert datetime.fromisoformat(history[1]["old_starts_at"]) == NINE
        assert datetime.fromisoformat(history[1]["new_starts_at"]) == NINE + timedelta(hours=4)
        assert history[1]["changed_by_id"] == dispatcher.user.id

    def test_reassigning_to_another_technician(self, office, make_user):
        dispatcher, technician, book = office
        other = make_user("technician")
        booked = book()
        moved = dispatcher.patch(f"/appointments/{booked['id']}", json={"technician_id": other.id, "note": "Ana is sick"})
        assert moved.status_code == 200, moved.json
        assert moved.json["technician_id"] == other.id
        [_, change] = dispatcher.get(f"/appointments/{booked['id']}/history").json
        assert (change["action"], change["old_technician_id"], change["new_technician_id"], change["note"]) == (
            "reassigned", technician.user.id, other.id, "Ana is sick",
        )
        assert technician.get(f"/appointments/{booked['id']}").status_code == 404  # no longer theirs

    def test_back_to_the_unassigned_list(self, office):
        dispatcher, _, book = office
        booked = book()
        moved = dispatcher.patch(f"/appointments/{booked['id']}", json={"technician_id": None})
        assert (moved.status_code, moved.json["technician_id"]) == (200, None)

    def test_onto_a_booked_time_is_a_conflict_naming_it_and_changes_nothing(self, app, office):
        dispatcher, _, book = office
        first, second = book(), book(NINE + timedelta(hours=2))
        before = stored(app, second["id"])
        answer = dispatcher.patch(f"/appointments/{second['id']}", json={"starts_at": (NINE + timedelta(minutes=30)).isoformat()})
        assert answer.status_code == 409, answer.json
        assert f"appointment {first['id']}" in answer.json["message"]
        assert stored(app, second["id"]) == before

    def test_a_small_move_overlapping_only_itself_is_fine(self, office):
        dispatcher, _, book = office
        booked = book()
        answer = dispatcher.patch(f"/appointments/{booked['id']}", json={"starts_at": (NINE + timedelta(minutes=30)).isoformat()})
        assert answer.status_code == 200, answer.json

    def test_outside_working_hours_needs_the_override(self, app, office):
        dispatcher, _, book = office
        booked = book()
        evening = {"starts_at": (NINE + timedelta(hours=10)).isoformat()}  # 19:00
        refused = dispatcher.patch(f"/appointments/{booked['id']}", json=evening)
        assert refused.status_code == 409
        assert "working hours" in refused.json["message"]
        assert at(dispatcher.get(f"/appointments/{booked['id']}").json)[0] == NINE
        forced = dispatcher.patch(f"/appointments/{booked['id']}", json={**evening, "override": True})
        assert (forced.status_code, at(forced.json)[0]) == (200, NINE + timedelta(hours=10))

    def test_a_finished_appointment_stays_where_it_was(self, office):
        dispatcher, _, book = office
        booked = book()
        assert dispatcher.post(f"/appointments/{booked['id']}/cancel", json={"reason": "Customer away"}).status_code == 200
        answer = dispatcher.patch(f"/appointments/{booked['id']}", json={"starts_at": (NINE + timedelta(hours=1)).isoformat()})
        assert answer.status_code == 409
        assert "cancelled" in answer.json["message"]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"starts_at": NINE.isoformat(), "ends_at": NINE.isoformat()}, "ends_at"),
            ({"starts_at": NINE.isoformat(), "ends_at": (NINE + timedelta(hours=25)).isoformat()}, "ends_at"),
            ({"ends_at": (NINE + timedelta(hours=3)).isoformat()}, "starts_at"),
            ({"technician_id": 999_999}, "technician_id"),
            ({"starts_at": "2020-01-06T09:00:00+00:00"}, "starts_at"),  # in the past
        ],
    )
    def test_bad_moves_are_refused_by_field_and_change_nothing(self, app, office, change, field):
        dispatcher, _, book = office
        booked = book(NINE + timedelta(hours=2))
        before = stored(app, booked["id"])
        answer = dispatcher.patch(f"/appointments/{booked['id']}", json=change)
        assert answer.status_code == 422, answer.json
        assert field in answer.json["errors"]
        assert stored(app, booked["id"]) == before

    def test_technicians_do_not_move_appointments(self, office):
        _, technician, book = office
        booked = book()
        assert technician.patch(f"/appointments/{booked['id']}", json={"starts_at": NINE.isoformat()}).status_code == 403


class TestBookingRules:
    def test_a_visit_longer_than_a_day_is_refused(self, app, office, make_customer):
        dispatcher, technician, _ = office
        answer = dispatcher.post("/appointments", json=visit(make_customer()["id"], technician.user.id, NINE, minutes=24 * 60 + 1))
        assert answer.status_code == 422
        assert "ends_at" in answer.json["errors"]

    def test_the_past_needs_the_override(self, office, make_customer):
        dispatcher, technician, book = office
        yesterday = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)
        refused = dispatcher.post("/appointments", json=visit(make_customer()["id"], technician.user.id, yesterday))
        assert refused.status_code == 422
        assert "starts_at" in refused.json["errors"]
        assert book(yesterday, override=True)["status"] == "scheduled"  # entered after the fact

    def test_an_inactive_technician_cannot_be_booked(self, app, office, make_customer):
        dispatcher, technician, _ = office
        customer_id = make_customer()["id"]
        with app.app_context():
            db.session.execute(text("UPDATE users SET is_active = false WHERE id = :id"), {"id": technician.user.id})
            db.session.commit()
        answer = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE))
        assert answer.status_code == 422
        assert "technician_id" in answer.json["errors"]

    def test_custom_hours_and_time_off_are_kept_unless_overridden(self, office):
        dispatcher, technician, book = office
        week = {"days": [{"weekday": 2, "starts_at": "12:00:00", "ends_at": "20:00:00"}]}  # Wednesdays only, noon to eight
        assert dispatcher.put(f"/technicians/{technician.user.id}/working-hours", json=week).status_code == 200
        customer_id = book(NINE + timedelta(hours=4))["customer_id"]  # 13:00: fine

        morning = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE))
        thursday = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE + timedelta(days=1, hours=4)))
        assert (morning.status_code, thursday.status_code) == (409, 409)

        off = {"starts_at": (NINE + timedelta(hours=6)).isoformat(), "ends_at": (NINE + timedelta(hours=8)).isoformat(), "reason": "Dentist"}
        assert dispatcher.post(f"/technicians/{technician.user.id}/time-off", json=off).status_code == 201
        during = dispatcher.post("/appointments", json=visit(customer_id, technician.user.id, NINE + timedelta(hours=7)))
        assert during.status_code == 409
        assert "Dentist" in during.json["message"]
        assert book(NINE + timedelta(hours=7), override=True)["status"] == "scheduled"


class TestWorkingHours:
    def test_the_usual_week_until_set(self, office):
        dispatcher, technician, _ = office
        days = dispatcher.get(f"/technicians/{technician.user.id}/working-hours").json["days"]
        assert [(day["weekday"], day["starts_at"], day["ends_at"]) for day in days] == [(weekday, "08:00:00", "17:00:00") for weekday in range(5)]

    def test_setting_a_week_replaces_it(self, office):
        dispatcher, technician, _ = office
        week = {"days": [{"weekday": 5, "starts_at": "09:00:00", "ends_at": "13:00:00"}, {"weekday": 0, "starts_at": "07:00:00", "ends_at": "15:30:00"}]}
        assert dispatcher.put(f"/technicians/{technician.user.id}/working-hours", json=week).status_code == 200
        days = technician.get(f"/technicians/{technician.user.id}/working-hours").json["days"]
        assert [(day["weekday"], day["starts_at"]) for day in days] == [(0, "07:00:00"), (5, "09:00:00")]

    @pytest.mark.parametrize(
        "days",
        [
            [{"weekday": 1, "starts_at": "17:00:00", "ends_at": "08:00:00"}],
            [{"weekday": 7, "starts_at": "08:00:00", "ends_at": "17:00:00"}],
            [{"weekday": 1, "starts_at": "08:00:00", "ends_at": "12:00:00"}, {"weekday": 1, "starts_at": "13:00:00", "ends_at": "17:00:00"}],
        ],
    )
    def test_a_bad_week_is_refused_and_the_old_one_kept(self, office, days):
        dispatcher, technician, _ = office
        answer = dispatcher.put(f"/technicians/{technician.user.id}/working-hours", json={"days": days})
        assert answer.status_code == 422, answer.json
        assert len(dispatcher.get(f"/technicians/{technician.user.id}/working-hours").json["days"]) == 5

    def test_only_the_office_sets_hours_and_technicians_see_only_their_own(self, office, api_as):
        _, technician, _ = office
        other = api_as("technician")
        assert technician.put(f"/technicians/{technician.user.id}/working-hours", json={"days": []}).status_code == 403
        assert other.get(f"/technicians/{technician.user.id}/working-hours").status_code == 404
        assert other.get(f"/technicians/{technician.user.id}/time-off").status_code == 404


class TestFieldStatus:
    def test_on_the_way_then_started(self, office):
        _, technician, book = office
        booked = book()
        for status in ("en_route", "in_progress"):
            answer = technician.post(f"/appointments/{booked['id']}/status", json={"status": status})
            assert (answer.status_code, answer.json["status"]) == (200, status)
        history = technician.get(f"/appointments/{booked['id']}/history").json
        assert [(change["old_status"], change["new_status"]) for change in history[1:]] == [("scheduled", "en_route"), ("en_route", "in_progress")]

    def test_no_going_back(self, office):
        _, technician, book = office
        booked = book()
        technician.post(f"/appointments/{booked['id']}/status", json={"status": "in_progress"})
        answer = technician.post(f"/appointments/{booked['id']}/status", json={"status": "en_route"})
        assert answer.status_code == 409
        assert technician.get(f"/appointments/{booked['id']}").json["status"] == "in_progress"

    def test_technicians_finish_by_filing_and_leave_cancelling_to_the_office(self, office):
        _, technician, book = office
        booked = book()
        for status in ("completed", "cancelled", "scheduled"):
            assert technician.post(f"/appointments/{booked['id']}/status", json={"status": status}).status_code == 422

    def test_another_technicians_appointment_does_not_exist(self, office, api_as):
        _, _, book = office
        booked = book()
        other = api_as("technician")
        assert other.post(f"/appointments/{booked['id']}/status", json={"status": "en_route"}).status_code == 404
        assert other.get(f"/appointments/{booked['id']}/history").status_code == 404

    def test_cancelling_needs_a_reason_and_frees_the_time(self, app, office):
        dispatcher, _, book = office
        booked = book()
        assert dispatcher.post(f"/appointments/{booked['id']}/cancel", json={"reason": "  "}).status_code == 422
        assert stored(app, booked["id"])[3] == "scheduled"
        cancelled = dispatcher.post(f"/appointments/{booked['id']}/cancel", json={"reason": "Fixed it themselves"})
        assert cancelled.json["status"] == "cancelled"
        assert book()["id"] != booked["id"]  # the hour is free again
        [*_, change] = dispatcher.get(f"/appointments/{booked['id']}/history").json
        assert (change["new_status"], change["note"]) == ("cancelled", "Fixed it themselves")


class TestFreeSlots:
    def test_first_free_slot_respects_hours_time_off_and_bookings(self, office):
        dispatcher, technician, book = office
        tech = technician.user.id
        week = {"days": [{"weekday": 2, "starts_at": "10:00:00", "ends_at": "16:00:00"}]}
        dispatcher.put(f"/technicians/{tech}/working-hours", json=week)
        book(NINE + timedelta(hours=1), minutes=120)  # 10:00–12:00
        off = {"starts_at": (NINE + timedelta(hours=3)).isoformat(), "ends_at": (NINE + timedelta(hours=4)).isoformat()}
        dispatcher.post(f"/technicians/{tech}/time-off", json=off)  # 12:00–13:00
        slot = dispatcher.get("/scheduling/first-free-slot", query_string={"technician_id": tech, "on_or_after": "2027-02-03", "minutes": 120}).json
        assert at(slot) == (NINE + timedelta(hours=4), NINE + timedelta(hours=6))  # 13:00–15:00
        next_week = dispatcher.get("/scheduling/first-free-slot", query_string={"technician_id": tech, "on_or_after": "2027-02-03", "minutes": 240}).json
        assert at(next_week)[0] == NINE + timedelta(days=7, hours=1)  # the next Wednesday at 10:00

    def test_who_is_free_for_two_hours(self, office, make_user):
        dispatcher, technician, book = office
        busy, late, free = technician.user.id, make_user("technician", name="Late Lee").id, make_user("technician", name="Free Fay").id
        book(NINE - timedelta(hours=1), minutes=9 * 60)  # 08:00–17:00: no room
        book(NINE - timedelta(hours=1), minutes=4 * 60, technician_id=late)  # free from 12:00
        answer = dispatcher.get("/scheduling/free-technicians", query_string={"day": "2027-02-03", "minutes": 120})
        assert answer.status_code == 200, answer.json
        assert [(slot["technician_id"], datetime.fromisoformat(slot["starts_at"]).hour) for slot in answer.json] == [(free, 8), (late, 12)]
        assert busy not in [slot["technician_id"] for slot in answer.json]

    def test_slot_questions_are_for_the_office(self, office):
        _, technician, _ = office
        answer = technician.get("/scheduling/free-technicians", query_string={"day": "2027-02-03", "minutes": 60})
        assert answer.status_code == 403


@pytest.mark.postgres
def test_the_database_itself_refuses_a_double_booking(app, office):
    """Even a write that skips the service (a script, a bug) cannot double-book on PostgreSQL."""
    _, technician, book = office
    booked = book()
    with app.app_context(), pytest.raises(IntegrityError, match="no_double_booking"):
        db.session.execute(
            text(
                "INSERT INTO appointments (customer_id, technician_id, starts_at, ends_at, status, kind, sequence, created_at, updated_at) "
                "VALUES (:customer, :technician, :starts, :ends, 'scheduled', 'visit', 0, now(), now())"
            ),
            {"customer": booked["customer_id"], "technician": technician.user.id, "starts": NINE + timedelta(minutes=30), "ends": NINE + timedelta(hours=2)},
        )
        db.session.commit()


@pytest.mark.postgres
def test_two_dispatchers_moving_two_visits_into_one_hour_at_once(app, office, api_as):
    """Two desks each drag a different visit into the same free hour at the same instant: one lands, one gets 409."""
    _, technician, book = office
    visits = [book(NINE + timedelta(hours=hours)) for hours in (2, 4)]
    desks = [api_as("dispatcher") for _ in visits]
    barrier = threading.Barrier(len(desks))
    answers = []

    def move(desk, appointment):
        barrier.wait(timeout=30)
        answers.append(desk.patch(f"/appointments/{appointment['id']}", json={"starts_at": NINE.isoformat()}).status_code)

    threads = [threading.Thread(target=move, args=pair) for pair in zip(desks, visits)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(answers) == [200, 409]
    with app.app_context():
        at_nine = db.session.scalar(select(func.count()).where(Appointment.starts_at == NINE))
    assert at_nine == 1
