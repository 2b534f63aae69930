"""The customer's link: the estimate shown without a login, accepted (booking the visit) or declined, once."""
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

import dispatch.core.time
import dispatch.estimates.models
import dispatch.scheduling.availability
import dispatch.scheduling.service
from dispatch.estimates.models import Estimate
from dispatch.extensions import db
from dispatch.scheduling.models import Appointment
from tests.estimates.conftest import answer_estimate, open_link
from tests.invoicing.test_email import pdf_text

NEW_YORK = ZoneInfo("America/New_York")
# "Now": Monday 2030-01-07, 01:00 in New York. Tomorrow is Tuesday the 8th.
NOW = datetime(2030, 1, 7, 6, 0, tzinfo=UTC)


def local(day, hour, minute=0) -> datetime:
    return datetime(2030, 1, day, hour, minute, tzinfo=NEW_YORK)


def freeze(monkeypatch, moment: datetime) -> None:
    for module in (dispatch.core.time, dispatch.estimates.models, dispatch.scheduling.service, dispatch.scheduling.availability):
        monkeypatch.setattr(module, "utcnow", lambda: moment)


@pytest.fixture(autouse=True)
def company_clock(app, monkeypatch):
    """The company is in New York and it is early on Monday morning there."""
    monkeypatch.setitem(app.config, "DISPATCH_TIMEZONE", "America/New_York")
    freeze(monkeypatch, NOW)


def stored(app, estimate_id: int) -> dict:
    """The estimate and the appointments as saved: what a refused answer must leave alone."""
    with app.app_context():
        estimate = db.session.get(Estimate, estimate_id)
        appointments = db.session.scalar(select(func.count()).select_from(Appointment))
        return {"status": estimate.status, "decided_at": estimate.decided_at, "appointment_id": estimate.appointment_id,
                "appointments": appointments}


def book(shop, starts_at: datetime, ends_at: datetime) -> dict:
    answer = shop.dispatcher.post("/appointments", json={
        "customer_id": shop.customer["id"], "technician_id": shop.technician.user.id,
        "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
    })
    assert answer.status_code == 201, answer.json
    return answer.json


def test_the_customer_sees_the_estimate_without_logging_in(client, prepare):
    estimate = prepare()
    page = client.get(f"/e/{estimate['token']}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for expected in (estimate["number"], "Harbor View Dental", "Condenser fan motor, supplied and fitted", "659.09",
                     "Tax 8.25 %", "2030-02-06", "Accept estimate", "Decline estimate", f"/e/{estimate['token']}/pdf"):
        assert expected in html, expected
    # The link is the key: not cached, not sent on as a Referer, not indexed.
    assert (page.headers["Cache-Control"], page.headers["Referrer-Policy"]) == ("no-store", "no-referrer")


def test_the_pdf_can_be_downloaded_from_the_link(client, prepare):
    estimate = prepare()
    answer = client.get(f"/e/{estimate['token']}/pdf")
    assert answer.status_code == 200
    assert answer.content_type == "application/pdf"
    text = pdf_text(answer.data)
    assert estimate["number"] in text
    assert "659.09" in text


def test_accepting_books_the_visit_in_the_technicians_first_free_slot_from_tomorrow(app, shop, prepare):
    book(shop, local(8, 8), local(8, 9, 30))  # Tuesday's first hour and a half is taken
    estimate = prepare()  # a 90-minute visit
    answer = answer_estimate(app, estimate["token"], "accept")
    assert answer.status_code == 302
    assert answer.location.endswith(f"/e/{estimate['token']}")

    accepted = shop.dispatcher.get(f"/estimates/{estimate['id']}").json
    assert accepted["status"] == "accepted"
    assert accepted["decided_at"] == NOW.isoformat()
    visit = next(booked for booked in shop.dispatcher.get("/appointments").json if booked["id"] == accepted["appointment_id"])
    # Not today (Monday, free all day) but tomorrow, right after the booked visit: 09:30–11:00 in New York.
    assert visit["starts_at"] == local(8, 9, 30).astimezone(UTC).isoformat()
    assert visit["ends_at"] == local(8, 11).astimezone(UTC).isoformat()
    assert (visit["technician_id"], visit["customer_id"]) == (shop.technician.user.id, shop.customer["id"])
    assert (visit["kind"], visit["notes"]) == ("visit", f"Estimate {estimate['number']}")

    page = app.test_client().get(f"/e/{estimate['token']}").get_data(as_text=True)
    assert "You accepted this estimate" in page
    assert "Tue 8 Jan 2030, 09:30 EST" in page
    assert "Accept estimate" not in page


def test_without_a_technician_the_acceptance_stands_and_we_call_to_book(app, shop, prepare):
    estimate = prepare(technician_id=None)
    browser, form_token = open_link(app, estimate["token"])
    answer = browser.post(f"/e/{estimate['token']}/accept", data={"csrf_token": form_token}, follow_redirects=True)
    assert answer.status_code == 200
    assert "We&#39;ll call you to book" in answer.get_data(as_text=True)
    assert stored(app, estimate["id"])["status"] == "accepted"
    assert stored(app, estimate["id"])["appointments"] == 0


def test_with_the_diary_full_the_acceptance_stands_and_we_call_to_book(app, shop, prepare, monkeypatch):
    monkeypatch.setattr(dispatch.scheduling.availability, "SEARCH_DAYS", 1)  # only Tuesday is looked at
    book(shop, local(8, 8), local(8, 17))
    estimate = prepare()
    assert answer_estimate(app, estimate["token"], "accept").status_code == 302
    after = stored(app, estimate["id"])
    assert (after["status"], after["appointment_id"], after["appointments"]) == ("accepted", None, 1)


def test_declining_books_nothing(app, shop, prepare):
    estimate = prepare()
    assert answer_estimate(app, estimate["token"], "decline").status_code == 302
    after = stored(app, estimate["id"])
    assert (after["status"], after["appointment_id"], after["appointments"]) == ("declined", None, 0)
    assert after["decided_at"] == NOW
    page = app.test_client().get(f"/e/{estimate['token']}").get_data(as_text=True)
    assert "You declined this estimate" in page
    assert "Accept estimate" not in page


@pytest.mark.parametrize(("first", "second"), [("accept", "accept"), ("accept", "decline"), ("decline", "accept"), ("decline", "decline")])
def test_answering_twice_is_a_conflict_that_changes_nothing(app, prepare, first, second):
    estimate = prepare()
    browser, form_token = open_link(app, estimate["token"])  # the page stays open: a double tap, a second tab
    assert browser.post(f"/e/{estimate['token']}/{first}", data={"csrf_token": form_token}).status_code == 302
    before = stored(app, estimate["id"])
    answer = browser.post(f"/e/{estimate['token']}/{second}", data={"csrf_token": form_token})
    assert answer.status_code == 409
    assert f"was already {before['status']}" in answer.get_data(as_text=True)
    assert stored(app, estimate["id"]) == before


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_an_expired_estimate_cannot_be_answered_and_nothing_changes(app, prepare, decision):
    estimate = prepare()
    browser, form_token = open_link(app, estimate["token"])  # opened while it was still valid
    with app.app_context():
        db.session.execute(update(Estimate).where(Estimate.id == estimate["id"]).values(valid_until=NOW.date() - timedelta(days=2)))
        db.session.commit()
    before = stored(app, estimate["id"])
    page = browser.get(f"/e/{estimate['token']}").get_data(as_text=True)
    assert "This estimate has expired" in page
    assert "Accept estimate" not in page

    answer = browser.post(f"/e/{estimate['token']}/{decision}", data={"csrf_token": form_token})
    assert answer.status_code == 409
    assert "expired on 2030-01-05" in answer.get_data(as_text=True)
    assert stored(app, estimate["id"]) == before


def test_an_estimate_is_good_through_its_last_day_in_company_time(app, prepare, monkeypatch):
    estimate = prepare(valid_until="2030-01-07")
    freeze(monkeypatch, datetime(2030, 1, 8, 3, 0, tzinfo=UTC))  # already the 8th in UTC, still 22:00 on the 7th in New York
    assert answer_estimate(app, estimate["token"], "accept").status_code == 302


@pytest.mark.parametrize("path", ["/e/{wrong}", "/e/{wrong}/pdf", "/e/not-a-token", "/e/%00", "/e/" + "x" * 500])
def test_a_wrong_token_is_not_found_and_reveals_nothing(client, prepare, path):
    estimate = prepare()
    wrong = estimate["token"][:-4] + ("AAAA" if not estimate["token"].endswith("AAAA") else "BBBB")
    answer = client.get(path.format(wrong=wrong))
    assert answer.status_code == 404
    html = answer.get_data(as_text=True)
    assert estimate["number"] not in html
    assert "Harbor View Dental" not in html


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_answering_with_a_wrong_token_is_not_found(app, prepare, decision):
    estimate = prepare()
    browser, form_token = open_link(app, estimate["token"])
    assert browser.post(f"/e/{estimate['token'][::-1]}/{decision}", data={"csrf_token": form_token}).status_code == 404
    assert stored(app, estimate["id"])["status"] == "draft"


@pytest.mark.parametrize("decision", ["accept", "decline"])
def test_an_answer_needs_the_pages_csrf_token(app, prepare, decision):
    estimate = prepare()
    before = stored(app, estimate["id"])
    browser = app.test_client()
    browser.get(f"/e/{estimate['token']}")
    assert browser.post(f"/e/{estimate['token']}/{decision}").status_code == 400
    assert browser.post(f"/e/{estimate['token']}/{decision}", data={"csrf_token": "forged"}).status_code == 400
    assert stored(app, estimate["id"]) == before


def all_at_once(answers: list) -> list[int]:
    """Run each answer (a no-argument callable) in its own thread, released together; their status codes."""
    barrier = threading.Barrier(len(answers))
    codes = [None] * len(answers)

    def run(index, answer):
        barrier.wait(timeout=30)
        try:
            codes[index] = answer().status_code
        except Exception as error:  # a crash in the thread must fail the test, not vanish
            codes[index] = repr(error)

    threads = [threading.Thread(target=run, args=(index, answer)) for index, answer in enumerate(answers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "an answer hung"
    return codes


def pressing(app, token: str, decision: str):
    """A customer with the page open, about to press a button: the press, to be run later."""
    browser, form_token = open_link(app, token)
    return lambda: browser.post(f"/e/{token}/{decision}", data={"csrf_token": form_token})


@pytest.mark.postgres
def test_two_answers_at_the_same_moment_one_wins_and_one_visit_is_booked(app, prepare):
    estimate = prepare()
    codes = all_at_once([pressing(app, estimate["token"], decision) for decision in ("accept", "accept", "decline", "accept")])
    assert sorted(codes) == [302, 409, 409, 409]
    after = stored(app, estimate["id"])
    assert after["appointments"] == (1 if after["status"] == "accepted" else 0)


@pytest.mark.postgres
def test_estimates_accepted_at_the_same_moment_get_the_technicians_next_slots_in_turn(app, shop, prepare):
    tokens = [prepare()["token"] for _ in range(4)]
    assert all_at_once([pressing(app, token, "accept") for token in tokens]) == [302] * 4
    with app.app_context():
        starts = sorted(db.session.scalars(select(Appointment.starts_at)))
    # 90 minutes each from 08:00 on Tuesday in New York: 08:00, 09:30, 11:00, 12:30.
    assert starts == [local(8, 8).astimezone(UTC) + timedelta(minutes=90 * n) for n in range(4)]
