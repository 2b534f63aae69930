"""The scheduling pages: the dispatcher's board, an appointment's page, a technician's hours, the technician's day."""
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, select

from dispatch.extensions import db
from dispatch.scheduling.models import Appointment, TimeOff, WorkingHours
from tests.conftest import csrf_token

# A Wednesday two weeks ahead: in the future, inside the usual working week (Mon–Fri 08:00–17:00, company time = UTC here).
WEDNESDAY = date.today() + timedelta(days=14 - date.today().weekday() + 2)
MONDAY = WEDNESDAY - timedelta(days=2)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def book(api, customer_id: int, technician_id: int | None, starts_at: datetime, minutes: int = 60, **details) -> dict:
    body = {
        "customer_id": customer_id, "technician_id": technician_id,
        "starts_at": starts_at.isoformat(), "ends_at": (starts_at + timedelta(minutes=minutes)).isoformat(), **details,
    }
    answer = api.post("/appointments", json=body)
    assert answer.status_code == 201, answer.json
    return answer.json


def saved(app, appointment_id: int) -> Appointment:
    with app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        db.session.expunge(appointment)
        return appointment


def cell(page: str, technician_id: int, day: date) -> str:
    """The board's cell for a technician on a day."""
    row = re.search(rf'<tr data-technician-id="{technician_id}">(.*?)</tr>', page, re.S).group(1)
    return re.search(rf'<td data-drop data-technician-id="{technician_id}" data-day="{day}".*?</td>', row, re.S).group(0)


def post_form(browser, page_url: str, action: str, **form):
    return browser.post(action, data={**form, "csrf_token": csrf_token(browser.get(page_url))})


@pytest.fixture
def crew(make_user):
    """Two technicians, named so the board lists Ana first."""
    return make_user("technician", name="Ana Alvarez"), make_user("technician", name="Ben Brooks")


@pytest.fixture
def dispatcher(browser_as):
    return browser_as("dispatcher")


class TestBoard:
    def test_the_week_shows_each_visit_in_its_technicians_row_and_its_days_column(self, dispatcher, dispatcher_api, crew, make_customer):
        ana, ben = crew
        dental = make_customer(name="Harbor View Dental")["id"]
        bakery = make_customer(name="Corner Bakery")["id"]
        book(dispatcher_api, dental, ana.id, at(WEDNESDAY, 9))
        book(dispatcher_api, bakery, ben.id, at(WEDNESDAY + timedelta(days=1), 13, 30), kind="estimate")

        page = dispatcher.get(f"/board?view=week&on={WEDNESDAY}").text

        assert "Harbor View Dental" in cell(page, ana.id, WEDNESDAY)
        assert "09:00–10:00" in cell(page, ana.id, WEDNESDAY)
        assert "Corner Bakery" not in cell(page, ana.id, WEDNESDAY + timedelta(days=1))
        thursday = cell(page, ben.id, WEDNESDAY + timedelta(days=1))
        assert "Corner Bakery" in thursday and "Estimate · scheduled" in thursday
        assert page.index("Ana Alvarez") < page.index("Ben Brooks")
        # The week runs Monday to Sunday, whichever day was asked for.
        assert f'data-day="{MONDAY}"' in page and f'data-day="{MONDAY + timedelta(days=6)}"' in page

    def test_the_day_view_places_a_visit_by_its_time(self, dispatcher, dispatcher_api, crew, make_customer):
        ana, _ben = crew
        book(dispatcher_api, make_customer()["id"], ana.id, at(WEDNESDAY, 10), minutes=120)

        page = dispatcher.get(f"/board?view=day&on={WEDNESDAY}").text

        # 07:00–19:00 is 12 hours: 10:00 is a quarter of the way, two hours a sixth of the width.
        assert 'style="left: 25.000%; width: 16.667%"' in cell(page, ana.id, WEDNESDAY)
        assert f"/board?view=day&amp;on={WEDNESDAY - timedelta(days=1)}" in page
        assert f"/board?view=day&amp;on={WEDNESDAY + timedelta(days=1)}" in page

    def test_unassigned_work_waits_in_the_side_list_and_cancelled_work_is_gone(self, dispatcher, dispatcher_api, crew, make_customer):
        waiting = book(dispatcher_api, make_customer(name="Unassigned Dental")["id"], None, at(WEDNESDAY, 9))
        called_off = book(dispatcher_api, make_customer(name="Cancelled Bakery")["id"], crew[0].id, at(WEDNESDAY, 9))
        assert dispatcher_api.post(f"/appointments/{called_off['id']}/cancel", json={"reason": "Customer called"}).status_code == 200

        page = dispatcher.get(f"/board?view=week&on={WEDNESDAY}").text

        unassigned = page[page.index('id="unassigned-heading"'):]
        assert "Unassigned Dental" in unassigned and f'data-appointment-id="{waiting["id"]}"' in unassigned
        assert f'data-appointment-id="{called_off["id"]}"' not in page

    def test_time_off_and_days_off_are_marked(self, dispatcher, dispatcher_api, crew):
        ana, _ben = crew
        answer = dispatcher_api.post(f"/technicians/{ana.id}/time-off", json={
            "starts_at": at(WEDNESDAY, 0).isoformat(), "ends_at": at(WEDNESDAY, 23).isoformat(), "reason": "Dentist",
        })
        assert answer.status_code == 201

        page = dispatcher.get(f"/board?view=week&on={WEDNESDAY}").text

        assert "Off: Dentist" in cell(page, ana.id, WEDNESDAY)
        assert "Day off" in cell(page, ana.id, MONDAY + timedelta(days=5))  # Saturday
        assert "Off" not in cell(page, ana.id, MONDAY)

    def test_the_board_takes_the_same_number_of_queries_for_a_bigger_company(self, app, dispatcher, dispatcher_api, make_user, make_customer):
        def queries_for_the_week() -> int:
            statements = []
            with app.app_context():
                listener = lambda *args: statements.append(args[2])  # noqa: E731
                event.listen(db.engine, "before_cursor_execute", listener)
                try:
                    assert dispatcher.get(f"/board?view=week&on={WEDNESDAY}").status_code == 200
                finally:
                    event.remove(db.engine, "before_cursor_execute", listener)
            return len(statements)

        customer = make_customer()["id"]
        first = make_user("technician")
        book(dispatcher_api, customer, first.id, at(WEDNESDAY, 9))
        small = queries_for_the_week()

        for number in range(6):
            technician = make_user("technician")
            for day in range(5):
                book(dispatcher_api, customer, technician.id, at(MONDAY + timedelta(days=day), 8 + number))
            dispatcher_api.post(f"/technicians/{technician.id}/time-off", json={
                "starts_at": at(MONDAY, 0).isoformat(), "ends_at": at(MONDAY, 7).isoformat(),
            })
        book(dispatcher_api, make_customer(name="Another")["id"], None, at(WEDNESDAY, 9))

        assert queries_for_the_week() == small

    @pytest.mark.parametrize("query", ["view=month", "on=someday", "technician=5"])
    def test_a_bad_query_is_refused(self, dispatcher, query):
        assert dispatcher.get(f"/board?{query}").status_code == 422

    def test_a_technician_may_not_see_the_board_or_anyones_appointment_pages(self, browser_as, dispatcher_api, crew, make_customer):
        ana, ben = crew
        visit = book(dispatcher_api, make_customer()["id"], ana.id, at(WEDNESDAY, 9))
        technician = browser_as(ana)

        assert technician.get("/board").status_code == 403
        assert technician.get(f"/appointments/{visit['id']}").status_code == 403
        assert technician.get(f"/technicians/{ben.id}/hours").status_code == 403
        token = csrf_token(technician.get("/today"))
        moved = technician.post(f"/appointments/{visit['id']}/move", data={"starts_at": f"{WEDNESDAY}T11:00", "csrf_token": token})
        assert moved.status_code == 403


class TestMovingFromTheBoard:
    def test_moving_to_another_technician_and_time_is_saved_with_its_history(self, app, dispatcher, dispatcher_api, crew, make_customer):
        ana, ben = crew
        visit = book(dispatcher_api, make_customer(name="Harbor View Dental")["id"], ana.id, at(WEDNESDAY, 9))
        board = f"/board?view=week&on={WEDNESDAY}"

        answer = post_form(dispatcher, board, f"/appointments/{visit['id']}/move",
                           view="week", on=str(WEDNESDAY), starts_at=f"{WEDNESDAY}T14:00", technician_id=str(ben.id), note="Ana is ill")

        assert answer.status_code == 302
        assert answer.headers["Location"] == f"/board?view=week&on={WEDNESDAY}"
        moved = saved(app, visit["id"])
        assert (moved.technician_id, moved.starts_at, moved.ends_at) == (ben.id, at(WEDNESDAY, 14), at(WEDNESDAY, 15))
        page = dispatcher.get(board).text
        assert "Harbor View Dental" in cell(page, ben.id, WEDNESDAY) and "Harbor View Dental" not in cell(page, ana.id, WEDNESDAY)
        assert f"Appointment {visit['id']} moved: Harbor View Dental, {WEDNESDAY:%a} {WEDNESDAY.day} {WEDNESDAY:%b} 14:00 with Ben Brooks." in page

    def test_a_clash_is_refused_with_its_message_and_nothing_changes(self, app, dispatcher, dispatcher_api, crew, make_customer):
        ana, ben = crew
        visit = book(dispatcher_api, make_customer()["id"], ana.id, at(WEDNESDAY, 9))
        taken = book(dispatcher_api, make_customer(name="Corner Bakery")["id"], ben.id, at(WEDNESDAY, 9, 30))

        answer = post_form(dispatcher, "/board", f"/appointments/{visit['id']}/move",
                           view="week", on=str(WEDNESDAY), starts_at=f"{WEDNESDAY}T09:00", technician_id=str(ben.id))

        assert answer.status_code == 409
        assert f"The technician is already booked then (appointment {taken['id']})." in answer.text
        assert 'name="override"' in answer.text  # the form is shown again, to book anyway
        assert saved(app, visit["id"]).technician_id == ana.id

    def test_outside_working_hours_is_refused_unless_overridden(self, app, dispatcher, dispatcher_api, crew, make_customer):
        ana, _ben = crew
        visit = book(dispatcher_api, make_customer()["id"], ana.id, at(WEDNESDAY, 9))
        evening = {"view": "day", "on": str(WEDNESDAY), "starts_at": f"{WEDNESDAY}T18:00", "technician_id": str(ana.id)}

        refused = post_form(dispatcher, "/board", f"/appointments/{visit['id']}/move", **evening)
        assert refused.status_code == 409
        assert "outside the technician&#39;s working hours" in refused.text
        assert saved(app, visit["id"]).starts_at == at(WEDNESDAY, 9)

        overridden = post_form(dispatcher, "/board", f"/appointments/{visit['id']}/move", **evening, override="on")
        assert overridden.status_code == 302
        assert saved(app, visit["id"]).starts_at == at(WEDNESDAY, 18)

    def test_a_bad_start_is_refused_on_the_form(self, app, dispatcher, dispatcher_api, crew, make_customer):
        visit = book(dispatcher_api, make_customer()["id"], crew[0].id, at(WEDNESDAY, 9))

        answer = post_form(dispatcher, "/board", f"/appointments/{visit['id']}/move", view="week", starts_at="next tuesday")

        assert answer.status_code == 422
        assert "Nothing was changed." in answer.text
        assert saved(app, visit["id"]).starts_at == at(WEDNESDAY, 9)

    def test_moving_back_to_unassigned(self, app, dispatcher, dispatcher_api, crew, make_customer):
        visit = book(dispatcher_api, make_customer()["id"], crew[0].id, at(WEDNESDAY, 9))

        answer = post_form(dispatcher, "/board", f"/appointments/{visit['id']}/move",
                           view="week", starts_at=f"{WEDNESDAY}T09:00", technician_id="")

        assert answer.status_code == 302
        assert saved(app, visit["id"]).technician_id is None


class TestBookingFromTheBoard:
    def test_a_visit_is_booked_for_a_technician_or_unassigned(self, app, dispatcher, crew, make_customer):
        ana, _ben = crew
        customer = make_customer(name="Harbor View Dental")["id"]

        for technician_id in (str(ana.id), ""):
            answer = post_form(dispatcher, "/board", "/board/visits", view="week", on=str(WEDNESDAY), customer_id=str(customer),
                               technician_id=technician_id, starts_at=f"{WEDNESDAY}T10:30", minutes="90", kind="estimate", notes="Gate code 4411")
            assert answer.status_code == 302, answer.text

        with app.app_context():
            booked = db.session.execute(select(Appointment.technician_id, Appointment.starts_at, Appointment.ends_at, Appointment.kind, Appointment.notes)).all()
        assert sorted(booked, key=lambda row: row[0] or 0) == [
            (None, at(WEDNESDAY, 10, 30), at(WEDNESDAY, 12), "estimate", "Gate code 4411"),
            (ana.id, at(WEDNESDAY, 10, 30), at(WEDNESDAY, 12), "estimate", "Gate code 4411"),
        ]

    @pytest.mark.parametrize("change, field_message", [
        ({"minutes": "0"}, "Must be greater than or equal to 1"),
        ({"customer_id": ""}, "Missing data for required field."),
        ({"starts_at": "2020-01-01T09:00"}, "That time has passed"),
        ({"minutes": "1500"}, "Must be greater than or equal to 1 and less than or equal to 1440."),
    ])
    def test_bad_input_is_refused_and_nothing_is_booked(self, app, dispatcher, crew, make_customer, change, field_message):
        form = {"view": "week", "customer_id": str(make_customer()["id"]), "technician_id": str(crew[0].id),
                "starts_at": f"{WEDNESDAY}T10:00", "minutes": "60", **change}

        answer = post_form(dispatcher, "/board", "/board/visits", **form)

        assert answer.status_code == 422
        assert field_message in answer.text
        assert '<details class="panel" id="book" open>' in answer.text
        with app.app_context():
            assert db.session.scalars(select(Appointment)).all() == []


class TestAppointmentPage:
    def test_it_shows_the_history_in_company_time_and_who_did_it(self, app, monkeypatch, browser_as, make_user, api_as, crew, make_customer):
        monkeypatch.setitem(app.config, "DISPATCH_TIMEZONE", "America/New_York")
        dana = make_user("dispatcher", name="Dana Diaz")
        dana_api = api_as(dana)
        ana, ben = crew
        # 14:00 UTC is 09:00 or 10:00 in New York, whichever the season.
        visit = book(dana_api, make_customer(name="Harbor View Dental")["id"], ana.id, at(WEDNESDAY, 14), override=True)
        assert dana_api.patch(f"/appointments/{visit['id']}", json={"technician_id": ben.id, "override": True}).status_code == 200

        page = browser_as(dana).get(f"/appointments/{visit['id']}").text

        local_hour = at(WEDNESDAY, 14).astimezone(ZoneInfo("America/New_York")).strftime("%H:%M %Z")
        assert f"Booked for {WEDNESDAY:%a} {WEDNESDAY.day} {WEDNESDAY:%b %Y}, {local_hour} with Ana Alvarez." in page
        assert "Reassigned from Ana Alvarez to Ben Brooks." in page
        assert page.count("Dana Diaz") >= 2

    def test_cancelling_needs_a_reason_and_is_kept_in_the_history(self, app, dispatcher, dispatcher_api, crew, make_customer):
        visit = book(dispatcher_api, make_customer()["id"], crew[0].id, at(WEDNESDAY, 9))
        url = f"/appointments/{visit['id']}"

        blank = post_form(dispatcher, url, f"{url}/cancel", reason="   ")
        assert blank.status_code == 422
        assert saved(app, visit["id"]).status == "scheduled"

        answer = post_form(dispatcher, url, f"{url}/cancel", reason="Customer called to cancel")
        assert answer.status_code == 302
        assert saved(app, visit["id"]).status == "cancelled"
        page = dispatcher.get(url).text
        assert "Scheduled → cancelled." in page and "Customer called to cancel" in page
        assert "Cancel appointment" not in page  # nothing more to do with it

    def test_moving_from_its_page_shows_a_refusal_there(self, app, dispatcher, dispatcher_api, crew, make_customer):
        visit = book(dispatcher_api, make_customer()["id"], crew[0].id, at(WEDNESDAY, 9))
        url = f"/appointments/{visit['id']}"

        answer = post_form(dispatcher, url, f"{url}/move", starts_at=f"{WEDNESDAY}T22:00", technician_id=str(crew[0].id))

        assert answer.status_code == 409
        assert f"<h1>Appointment {visit['id']}</h1>" in answer.text
        assert f'value="{WEDNESDAY}T22:00"' in answer.text  # what was typed, to tick "book anyway" and send again
        assert saved(app, visit["id"]).starts_at == at(WEDNESDAY, 9)

    def test_an_unknown_appointment_is_not_found(self, dispatcher):
        assert dispatcher.get("/appointments/999999").status_code == 404


class TestHoursPage:
    def test_weekly_hours_are_saved_and_a_half_typed_day_is_refused(self, app, dispatcher, crew):
        ana, _ben = crew
        url = f"/technicians/{ana.id}/hours"
        week = {f"starts_{day}": "07:00" for day in range(4)} | {f"ends_{day}": "15:30" for day in range(4)}

        assert post_form(dispatcher, url, url, **week).status_code == 302
        with app.app_context():
            saved_days = db.session.execute(select(WorkingHours.weekday, WorkingHours.starts_at, WorkingHours.ends_at)).all()
        assert sorted(saved_days) == [(day, time(7), time(15, 30)) for day in range(4)]
        page = dispatcher.get(url).text
        assert 'name="starts_0" aria-label="Monday from" value="07:00"' in page
        assert 'name="starts_4" aria-label="Friday from" value=""' in page

        half = post_form(dispatcher, url, url, **week, starts_5="09:00")
        assert half.status_code == 422
        assert "Give both times, or neither for a day off." in half.text
        backwards = post_form(dispatcher, url, url, starts_0="17:00", ends_0="08:00")
        assert backwards.status_code == 422
        with app.app_context():
            assert len(db.session.scalars(select(WorkingHours)).all()) == 4

    def test_time_off_is_added_and_removed(self, app, dispatcher, crew):
        ana, _ben = crew
        url = f"/technicians/{ana.id}/hours"

        refused = post_form(dispatcher, url, f"/technicians/{ana.id}/time-off", starts_at=f"{WEDNESDAY}T12:00", ends_at=f"{WEDNESDAY}T08:00")
        assert refused.status_code == 422
        added = post_form(dispatcher, url, f"/technicians/{ana.id}/time-off", starts_at=f"{WEDNESDAY}T08:00", ends_at=f"{WEDNESDAY}T12:00", reason="Dentist")
        assert added.status_code == 302
        with app.app_context():
            [away] = db.session.scalars(select(TimeOff)).all()
            assert (away.starts_at, away.ends_at, away.reason) == (at(WEDNESDAY, 8), at(WEDNESDAY, 12), "Dentist")
        assert "Dentist" in dispatcher.get(url).text

        assert post_form(dispatcher, url, f"/technicians/{ana.id}/time-off/{away.id}/cancel").status_code == 302
        with app.app_context():
            assert db.session.scalars(select(TimeOff)).all() == []

    def test_a_page_for_someone_who_is_not_a_technician_is_not_found(self, dispatcher, make_user):
        assert dispatcher.get(f"/technicians/{make_user('dispatcher').id}/hours").status_code == 404


class TestToday:
    @pytest.fixture
    def day(self, dispatcher_api, crew, make_customer):
        """Ana's day: two visits booked out of order, one cancelled; and one of Ben's."""
        ana, ben = crew
        today = datetime.now(UTC).date()
        dental = make_customer(name="Harbor View Dental", phone="+1 555 0142", address="12 Harbor Rd, Portsmouth")["id"]
        bakery = make_customer(name="Corner Bakery")["id"]
        late = book(dispatcher_api, dental, ana.id, at(today, 14), override=True, notes="Dog in the yard")
        early = book(dispatcher_api, bakery, ana.id, at(today, 8), override=True)
        called_off = book(dispatcher_api, bakery, ana.id, at(today, 11), override=True)
        dispatcher_api.post(f"/appointments/{called_off['id']}/cancel", json={"reason": "Closed today"})
        bens = book(dispatcher_api, make_customer(name="Bens Customer")["id"], ben.id, at(today, 9), override=True)
        return {"early": early, "late": late, "bens": bens}

    def test_a_technician_sees_their_own_visits_in_order_with_address_phone_and_notes(self, browser_as, crew, day):
        page = browser_as(crew[0]).get("/today").text

        assert page.index("Corner Bakery") < page.index("Harbor View Dental")
        assert "08:00–09:00" in page and "14:00–15:00" in page
        assert 'href="https://www.google.com/maps/search/?api=1&amp;query=12%20Harbor%20Rd%2C%20Portsmouth"' in page
        assert 'href="tel:+15550142"' in page
        assert "Dog in the yard" in page
        assert "Closed today" not in page and page.count("<article") == 2
        assert "Bens Customer" not in page
        assert f'href="/work-orders/new?appointment_id={day["late"]["id"]}"' in page

    def test_on_my_way_then_start(self, app, browser_as, crew, day):
        technician = browser_as(crew[0])
        visit = day["early"]["id"]

        answer = post_form(technician, "/today", f"/appointments/{visit}/status", status="en_route")
        assert answer.status_code == 302 and answer.headers["Location"] == "/today"
        assert saved(app, visit).status == "en_route"
        page = technician.get("/today").text
        assert "On your way to Corner Bakery." in page
        assert post_form(technician, "/today", f"/appointments/{visit}/status", status="in_progress").status_code == 302
        assert saved(app, visit).status == "in_progress"

    def test_a_technician_cannot_touch_another_technicians_visit_or_finish_without_a_work_order(self, app, browser_as, crew, day):
        technician = browser_as(crew[0])

        assert post_form(technician, "/today", f"/appointments/{day['bens']['id']}/status", status="en_route").status_code == 404
        assert saved(app, day["bens"]["id"]).status == "scheduled"
        completed = post_form(technician, "/today", f"/appointments/{day['early']['id']}/status", status="completed")
        assert completed.status_code == 422
        assert "Finish a visit by filing its work order" in completed.text
        assert saved(app, day["early"]["id"]).status == "scheduled"
        assert post_form(technician, "/today", f"/appointments/{day['early']['id']}/status", status="sleeping").status_code == 422

    def test_a_status_change_needs_the_csrf_token(self, app, browser_as, crew, day):
        answer = browser_as(crew[0]).post(f"/appointments/{day['early']['id']}/status", data={"status": "en_route"})
        assert answer.status_code == 400
        assert saved(app, day["early"]["id"]).status == "scheduled"

    def test_the_office_has_the_board_not_a_day(self, dispatcher):
        assert dispatcher.get("/today").status_code == 403

    def test_a_technician_lands_on_their_day_after_logging_in(self, client, crew):
        form = {"email": crew[0].email, "password": "correct horse battery", "csrf_token": csrf_token(client.get("/login"))}
        assert client.post("/login", data=form).headers["Location"] == "/today"

    def test_the_calendar_address_is_shown_once_and_a_new_one_retires_it(self, app, browser_as, crew, day):
        ana = browser_as(crew[0])
        first = ana.post("/today/calendar-feed", data={"csrf_token": csrf_token(ana.get("/today"))})
        assert first.status_code == 200
        first_url = re.search(r'value="(http[^"]+\.ics)"', first.text).group(1)
        assert ana.get("/today").text.count(".ics") == 0  # shown only when made

        feed = app.test_client().get(first_url.split(app.config["PUBLIC_URL"])[1])  # no login: the address is the key
        assert (feed.status_code, feed.mimetype) == (200, "text/calendar")
        assert "Harbor View Dental" in feed.text and "Bens Customer" not in feed.text

        second = ana.post("/today/calendar-feed", data={"csrf_token": csrf_token(ana.get("/today"))})
        second_url = re.search(r'value="(http[^"]+\.ics)"', second.text).group(1)
        assert second_url != first_url
        assert app.test_client().get(first_url.split(app.config["PUBLIC_URL"])[1]).status_code == 404
