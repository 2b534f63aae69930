"""The customer's .ics invitation by email when the office books, moves or cancels their visit.

Mail goes to the real SMTP server fixture; the attachment is parsed back with icalendar.
"""
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.scheduling.jobs import email_visit_invitation
from dispatch.scheduling.models import VisitInvitation

NEXT_HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
CUSTOMER_EMAIL = "office@harborview.example"


def at(days: float, hours: int = 0) -> datetime:
    return NEXT_HOUR + timedelta(days=days, hours=hours)


def invitation(message) -> tuple[str, dict]:
    """The attachment's METHOD and its one event, read back."""
    [part] = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    calendar = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(calendar["method"])
    [event] = calendar.walk("VEVENT")
    return str(calendar["method"]), {
        "uid": str(event["uid"]),
        "sequence": event.decoded("sequence"),
        "starts_at": event.decoded("dtstart"),
        "ends_at": event.decoded("dtend"),
        "status": str(event["status"]),
        "summary": str(event["summary"]),
        "location": str(event.get("location", "")),
        "organizer": str(event["organizer"]),
        "attendee": str(event["attendee"]),
    }


def feed_event(technician, client, appointment_id: int) -> dict:
    url = technician.post(f"/technicians/{technician.user.id}/calendar-feed").json["url"]
    calendar = Calendar.from_ical(client.get(url.removeprefix("http://localhost:8000")).data)
    [event] = [event for event in calendar.walk("VEVENT") if str(event["uid"]).startswith(f"appointment-{appointment_id}@")]
    return {"uid": str(event["uid"]), "sequence": event.decoded("sequence")}


class Office:
    def __init__(self, dispatcher, technician, customer):
        self.dispatcher = dispatcher
        self.technician = technician
        self.customer = customer

    def book(self, starts_at: datetime, **extra) -> dict:
        body = {
            "customer_id": self.customer["id"],
            "technician_id": self.technician.user.id,
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(hours=1)).isoformat(),
            "override": True,
            **extra,
        }
        answer = self.dispatcher.post("/appointments", json=body)
        assert answer.status_code == 201, answer.json
        return answer.json

    def move(self, appointment_id: int, **change):
        answer = self.dispatcher.patch(f"/appointments/{appointment_id}", json={"override": True, **change})
        assert answer.status_code == 200, answer.json
        return answer.json


@pytest.fixture
def office(shop) -> Office:
    return Office(shop.dispatcher, shop.technician, shop.customer)


def test_booking_a_visit_sends_the_customer_an_invitation(app, office, smtp_server, jobs_done):
    visit = office.book(at(3))
    jobs_done()
    [message] = smtp_server.wait_for(1)
    assert message["To"] == CUSTOMER_EMAIL
    assert message["Subject"].startswith("Booked: Seacoast Heating & Cooling visit")
    method, event = invitation(message)
    assert method == "REQUEST"
    assert (event["starts_at"], event["ends_at"], event["sequence"], event["status"]) == (at(3), at(3, 1), 0, "CONFIRMED")
    assert event["uid"] == f"appointment-{visit['id']}@localhost"
    assert event["summary"] == "Seacoast Heating & Cooling: visit"
    assert event["attendee"] == f"mailto:{CUSTOMER_EMAIL}"
    assert event["organizer"] == f"mailto:{app.config['MAIL_FROM']}"


def test_moving_it_sends_the_new_time_as_the_same_event_one_version_on(app, office, smtp_server, jobs_done):
    visit = office.book(at(3))
    jobs_done()
    [booked] = smtp_server.wait_for(1)
    office.move(visit["id"], starts_at=at(4, 2).isoformat())
    jobs_done()
    moved = smtp_server.wait_for(2)[1]
    assert moved["Subject"].startswith("Moved: ")
    method, event = invitation(moved)
    assert method == "REQUEST"
    assert (event["starts_at"], event["ends_at"], event["sequence"]) == (at(4, 2), at(4, 3), 1)
    assert event["uid"] == invitation(booked)[1]["uid"]
    # The technician's feed shows the very same event and version.
    assert feed_event(office.technician, app.test_client(), visit["id"]) == {"uid": event["uid"], "sequence": 1}


def test_cancelling_it_sends_a_cancellation(office, smtp_server, jobs_done):
    visit = office.book(at(3))
    assert office.dispatcher.post(f"/appointments/{visit['id']}/cancel", json={"reason": "Customer away"}).status_code == 200
    jobs_done()
    cancelled = max(smtp_server.wait_for(2), key=lambda message: invitation(message)[1]["sequence"])
    assert cancelled["Subject"].startswith("Cancelled: ")
    method, event = invitation(cancelled)
    assert (method, event["status"], event["sequence"], event["starts_at"]) == ("CANCEL", "CANCELLED", 1, at(3))


def test_a_new_technician_or_new_notes_alone_do_not_bother_the_customer(office, smtp_server, jobs_done, make_user):
    visit = office.book(at(3))
    office.move(visit["id"], technician_id=make_user("technician").id)
    office.move(visit["id"], notes="Bring the long ladder")
    jobs_done()
    [message] = smtp_server.wait_for(2, seconds=1)
    assert invitation(message)[1]["starts_at"] == at(3)


def test_moved_twice_before_the_mail_goes_the_customer_gets_the_last_time(app, office, smtp_server, jobs_done):
    smtp_server.is_refusing = True  # nothing goes out while the dispatcher changes their mind
    visit = office.book(at(3))
    office.move(visit["id"], starts_at=at(4).isoformat())
    office.move(visit["id"], starts_at=at(5).isoformat())
    jobs_done()
    smtp_server.is_refusing = False
    with app.app_context():
        waiting = db.session.scalars(select(VisitInvitation.id).order_by(VisitInvitation.sequence)).all()
        assert [email_visit_invitation(invitation_id) for invitation_id in waiting] == [False, False, True]  # the retries: only the last version goes out
    [message] = smtp_server.wait_for(2, seconds=1)
    assert (invitation(message)[1]["starts_at"], invitation(message)[1]["sequence"]) == (at(5), 2)


def test_the_job_run_twice_sends_once(app, office, smtp_server, jobs_done):
    office.book(at(3))
    jobs_done()
    assert len(smtp_server.wait_for(1)) == 1
    with app.app_context():
        [sent] = db.session.scalars(select(VisitInvitation)).all()
        assert sent.sent_at is not None
        assert email_visit_invitation(sent.id) is False
    assert len(smtp_server.wait_for(2, seconds=1)) == 1


def test_a_version_moved_on_before_it_went_out_is_not_sent(app, office, smtp_server, jobs_done):
    smtp_server.is_refusing = True  # the booking's invitation fails (every retry)...
    visit = office.book(at(3))
    jobs_done()
    smtp_server.is_refusing = False
    office.move(visit["id"], starts_at=at(5).isoformat())  # ...and the visit moves before it is sent again
    jobs_done()
    with app.app_context():
        first = db.session.scalar(select(VisitInvitation).where(VisitInvitation.sequence == 0))
        assert email_visit_invitation(first.id) is False  # the late retry of the old time
    [message] = smtp_server.wait_for(2, seconds=1)
    assert invitation(message)[1]["starts_at"] == at(5)


def test_a_follow_up_booked_by_filing_a_work_order_sends_no_invitation(shop, smtp_server, jobs_done):
    filed = shop.technician.post("/work-orders", json=shop.work_order())
    assert filed.status_code == 201, filed.json
    assert filed.json["follow_up_appointment"]["id"]
    jobs_done()
    messages = smtp_server.wait_for(2, seconds=1)
    assert [message["Subject"].split()[0] for message in messages] == ["Invoice"]  # the invoice email tells them
    assert not any(part.get_content_type() == "text/calendar" for message in messages for part in message.iter_attachments())


def test_maintenance_visits_are_not_sent_nor_their_cancellation_when_the_plan_stops(office, smtp_server, jobs_done):
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    plan = office.dispatcher.post(
        "/maintenance-plans",
        json={"customer_id": office.customer["id"], "every_weeks": 1, "starts_on": tomorrow.isoformat(), "visit_time": "12:00", "minutes": 60, "days_ahead": 14},
    )
    assert plan.status_code == 201, plan.json
    assert len(office.dispatcher.get("/appointments").json) == 2  # tomorrow and a week later
    assert office.dispatcher.post(f"/maintenance-plans/{plan.json['id']}/deactivate").status_code == 200
    assert {visit["status"] for visit in office.dispatcher.get("/appointments").json} == {"cancelled"}
    jobs_done()
    assert smtp_server.wait_for(1, seconds=1) == []


def test_a_visit_moved_then_cancelled_is_cancelled_in_the_customers_calendar(office, smtp_server, jobs_done):
    """A follow-up the customer was never sent is sent when the office moves it: its cancellation follows too."""
    visit = office.book(at(3), kind="follow_up")
    office.move(visit["id"], starts_at=at(4).isoformat())
    assert office.dispatcher.post(f"/appointments/{visit['id']}/cancel", json={"reason": "Fixed already"}).status_code == 200
    jobs_done()
    # The move's invitation may be overtaken by the cancellation before a worker sends it; the last word is CANCEL.
    method, event = max((invitation(message) for message in smtp_server.wait_for(2, seconds=2)), key=lambda sent: sent[1]["sequence"])
    assert (method, event["status"], event["sequence"]) == ("CANCEL", "CANCELLED", 2)
