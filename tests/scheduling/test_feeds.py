"""A technician's private calendar feed, read back with the icalendar library event by event, as a phone would."""
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from dispatch.auth.models import User
from dispatch.extensions import db
from dispatch.scheduling.models import CalendarFeed

# Whole hours, clear of the real clock: the feed's window is counted from now.
NEXT_HOUR = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def at(days: float, hours: int = 0) -> datetime:
    return NEXT_HOUR + timedelta(days=days, hours=hours)


class Diary:
    def __init__(self, client, dispatcher, technician, customer: dict):
        self.client = client
        self.dispatcher = dispatcher
        self.technician = technician
        self.customer = customer

    def book(self, starts_at: datetime, minutes: int = 60, technician_id: int | None = None, **extra) -> dict:
        body = {
            "customer_id": self.customer["id"],
            "technician_id": technician_id or self.technician.user.id,
            "starts_at": starts_at.isoformat(),
            "ends_at": (starts_at + timedelta(minutes=minutes)).isoformat(),
            "override": True,  # any hour, any day, even in the past: the feed shows what is booked
            **extra,
        }
        answer = self.dispatcher.post("/appointments", json=body)
        assert answer.status_code == 201, answer.json
        return answer.json

    def subscribe(self, api=None) -> str:
        answer = (api or self.technician).post(f"/technicians/{self.technician.user.id}/calendar-feed")
        assert answer.status_code == 201, answer.json
        return answer.json["url"]

    def fetch(self, url: str):
        """What a phone's calendar gets: no login, no cookie, only the URL."""
        return self.client.get(url.removeprefix("http://localhost:8000"))

    def events(self, url: str) -> dict[str, dict]:
        answer = self.fetch(url)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        assert answer.mimetype == "text/calendar"
        calendar = Calendar.from_ical(answer.data)
        return {str(event["uid"]): read(event) for event in calendar.walk("VEVENT")}


def read(event) -> dict:
    return {
        "summary": str(event["summary"]),
        "starts_at": event.decoded("dtstart"),
        "ends_at": event.decoded("dtend"),
        "sequence": event.decoded("sequence"),
        "status": str(event["status"]),
        "location": str(event.get("location", "")),
        "description": str(event.get("description", "")),
        "last_modified": event.decoded("last-modified"),
        "stamped": event.decoded("dtstamp"),
    }


def uid(appointment: dict) -> str:
    return f"appointment-{appointment['id']}@localhost"


@pytest.fixture
def diary(app, dispatcher_api, api_as, make_customer) -> Diary:
    customer = make_customer(name="Harbor View Dental", phone="603-555-0142", address="12 Harbor Rd, Portsmouth")
    return Diary(app.test_client(), dispatcher_api, api_as("technician"), customer)


def test_the_feed_lists_each_appointment_as_a_calendar_event(diary):
    visit = diary.book(at(1), notes="Side door, ask for Pat")
    maintenance = diary.book(at(2), minutes=90, kind="maintenance")
    events = diary.events(diary.subscribe())

    assert set(events) == {uid(visit), uid(maintenance)}
    first = events[uid(visit)]
    assert (first["starts_at"], first["ends_at"]) == (at(1), at(1, 1))
    assert first["starts_at"].utcoffset() == timedelta(0)  # in UTC
    assert first["summary"] == "Harbor View Dental: visit"
    assert first["location"] == "12 Harbor Rd, Portsmouth"
    assert "603-555-0142" in first["description"] and "Side door, ask for Pat" in first["description"]
    assert (first["sequence"], first["status"]) == (0, "CONFIRMED")
    assert first["last_modified"] <= datetime.now(UTC) and first["stamped"] <= datetime.now(UTC)
    second = events[uid(maintenance)]
    assert (second["summary"], second["ends_at"] - second["starts_at"]) == ("Harbor View Dental: maintenance", timedelta(minutes=90))


def test_the_sites_address_is_the_location(diary):
    [site] = diary.dispatcher.get(f"/customers/{diary.customer['id']}").json["sites"]
    visit = diary.book(at(1), site_id=site["id"])
    assert diary.events(diary.subscribe())[uid(visit)]["location"] == site["address"]


def test_moves_cancellations_and_reassignments_show_at_the_next_fetch(diary, api_as):
    moved, cancelled, kept, handed_over = (diary.book(at(days)) for days in (1, 2, 3, 4))
    url = diary.subscribe()
    before = diary.events(url)

    other = api_as("technician")
    assert diary.dispatcher.patch(f"/appointments/{moved['id']}", json={"starts_at": at(1, 3).isoformat(), "override": True}).status_code == 200
    assert diary.dispatcher.post(f"/appointments/{cancelled['id']}/cancel", json={"reason": "Customer called off"}).status_code == 200
    assert diary.dispatcher.patch(f"/appointments/{handed_over['id']}", json={"technician_id": other.user.id, "override": True}).status_code == 200
    after = diary.events(url)

    assert set(after) == {uid(moved), uid(cancelled), uid(kept)}  # the one handed over left this diary
    assert (after[uid(moved)]["starts_at"], after[uid(moved)]["ends_at"], after[uid(moved)]["sequence"]) == (at(1, 3), at(1, 4), 1)
    assert after[uid(moved)]["last_modified"] >= before[uid(moved)]["last_modified"]
    assert (after[uid(cancelled)]["status"], after[uid(cancelled)]["sequence"]) == ("CANCELLED", 1)
    assert after[uid(cancelled)]["starts_at"] == before[uid(cancelled)]["starts_at"]
    assert after[uid(kept)] == before[uid(kept)]


def test_thirty_days_back_to_a_hundred_and_eighty_ahead(diary):
    inside = [diary.book(at(days)) for days in (-29, 0, 179)]
    for days in (-31, 181):
        diary.book(at(days))
    assert set(diary.events(diary.subscribe())) == {uid(visit) for visit in inside}


def test_only_the_technicians_own_appointments(diary, make_user):
    mine = diary.book(at(1))
    diary.book(at(1), technician_id=make_user("technician").id)
    diary.dispatcher.post("/appointments", json={"customer_id": diary.customer["id"], "technician_id": None, "starts_at": at(2).isoformat(), "ends_at": at(2, 1).isoformat(), "override": True})
    assert set(diary.events(diary.subscribe())) == {uid(mine)}


def test_rotating_makes_the_old_url_a_404(app, diary):
    visit = diary.book(at(1))
    old = diary.subscribe()
    new = diary.subscribe(diary.dispatcher)  # the office may rotate it too
    assert new != old
    assert diary.fetch(old).status_code == 404
    assert set(diary.events(new)) == {uid(visit)}
    token = new.rsplit("/", 1)[1].removesuffix(".ics")
    with app.app_context():
        [feed] = db.session.scalars(select(CalendarFeed)).all()
        assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()  # only the hash is kept


@pytest.mark.parametrize("path", ["/calendar/not-a-token.ics", "/calendar/" + "A" * 43 + ".ics", "/calendar/.ics"])
def test_any_other_url_is_a_404(diary, path):
    diary.subscribe()
    assert diary.client.get(path).status_code == 404


def test_a_deactivated_technicians_feed_is_gone(app, diary):
    url = diary.subscribe()
    with app.app_context():
        db.session.get(User, diary.technician.user.id).is_active = False
        db.session.commit()
    assert diary.fetch(url).status_code == 404


def test_who_may_make_a_technicians_feed(diary, api_as, owner_api, dispatcher_api):
    path = f"/technicians/{diary.technician.user.id}/calendar-feed"
    assert api_as("technician").post(path).status_code == 404  # another technician's: not even there
    assert owner_api.post(path).status_code == 201
    assert dispatcher_api.post(f"/technicians/{dispatcher_api.user.id}/calendar-feed").status_code == 404  # not a technician
    assert dispatcher_api.post("/technicians/999999/calendar-feed").status_code == 404
