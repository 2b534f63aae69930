"""The dispatcher's board in a real browser: visits in their rows and columns, moved by drag and drop."""
from datetime import UTC, date, datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from dispatch.extensions import db
from dispatch.scheduling.models import Appointment
from tests.e2e.test_web_basics import log_in

# A Wednesday two weeks ahead, inside the usual working week (Mon–Fri 08:00–17:00, company time = UTC here).
WEDNESDAY = date.today() + timedelta(days=14 - date.today().weekday() + 2)
THURSDAY = WEDNESDAY + timedelta(days=1)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), UTC)


def where_is(app, appointment_id: int) -> tuple[int | None, datetime]:
    """Read from the database, not the page: the page could show a move that was never saved."""
    with app.app_context():
        appointment = db.session.get(Appointment, appointment_id)
        return appointment.technician_id, appointment.starts_at


@pytest.fixture
def diary(dispatcher_api, make_user, make_customer):
    """Ana at the dental practice Wednesday 09:00, Ben at the bakery Wednesday 09:30, one visit unassigned."""
    ana = make_user("technician", name="Ana Alvarez")
    ben = make_user("technician", name="Ben Brooks")
    dental = make_customer(name="Harbor View Dental")["id"]
    bakery = make_customer(name="Corner Bakery")["id"]
    school = make_customer(name="Seaside School")["id"]

    def book(customer_id, technician_id, starts_at, **details):
        body = {"customer_id": customer_id, "technician_id": technician_id, "starts_at": starts_at.isoformat(),
                "ends_at": (starts_at + timedelta(hours=1)).isoformat(), **details}
        answer = dispatcher_api.post("/appointments", json=body)
        assert answer.status_code == 201, answer.json
        return answer.json["id"]

    return {
        "ana": ana, "ben": ben,
        "dental": book(dental, ana.id, at(WEDNESDAY, 9)),
        "bakery": book(bakery, ben.id, at(WEDNESDAY, 9, 30), kind="estimate"),
        "school": book(school, None, at(THURSDAY, 10)),
    }


def board_cell(page, technician, day: date):
    return page.locator(f'tr[data-technician-id="{technician.id}"] td[data-day="{day}"]')


def card(page, appointment_id: int):
    return page.locator(f'.visit[data-appointment-id="{appointment_id}"]')


def test_the_week_shows_visits_in_their_rows_and_columns_and_a_drag_reassigns_one(app, page, make_user, diary, tmp_path):
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(error))
    ana, ben = diary["ana"], diary["ben"]
    log_in(page, make_user("dispatcher"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Board").click()
    expect(page.get_by_role("heading", name="Board:")).to_be_visible()
    page.goto(f"/board?view=week&on={WEDNESDAY}")

    expect(board_cell(page, ana, WEDNESDAY)).to_contain_text("09:00–10:00 Harbor View Dental Visit · scheduled")
    expect(board_cell(page, ben, WEDNESDAY)).to_contain_text("09:30–10:30 Corner Bakery Estimate · scheduled")
    expect(board_cell(page, ana, THURSDAY).locator(".visit")).to_have_count(0)
    expect(page.get_by_role("complementary", name="Unassigned")).to_contain_text("Seaside School")
    page.screenshot(path=tmp_path / "board-week.png", full_page=True)

    # To Ben on Thursday, same time: he is free then.
    card(page, diary["dental"]).drag_to(board_cell(page, ben, THURSDAY))

    expect(page.get_by_role("status")).to_contain_text(f"Appointment {diary['dental']} moved: Harbor View Dental")
    expect(board_cell(page, ben, THURSDAY)).to_contain_text("Harbor View Dental")
    expect(board_cell(page, ana, WEDNESDAY).locator(".visit")).to_have_count(0)
    assert where_is(app, diary["dental"]) == (ben.id, at(THURSDAY, 9))

    # The unassigned visit, to Ana on Thursday.
    card(page, diary["school"]).drag_to(board_cell(page, ana, THURSDAY))
    expect(board_cell(page, ana, THURSDAY)).to_contain_text("Seaside School")
    assert where_is(app, diary["school"]) == (ana.id, at(THURSDAY, 10))
    assert script_errors == []


def test_a_clash_shows_its_message_and_changes_nothing(app, page, make_user, diary, tmp_path):
    ana, ben = diary["ana"], diary["ben"]
    log_in(page, make_user("dispatcher"))
    page.goto(f"/board?view=week&on={WEDNESDAY}")

    # Ana's 09:00 onto Ben's Wednesday: he has the bakery from 09:30.
    card(page, diary["dental"]).drag_to(board_cell(page, ben, WEDNESDAY))

    alert = page.locator("#move").get_by_role("alert")
    expect(alert).to_contain_text(f"The technician is already booked then (appointment {diary['bakery']}).")
    expect(page.locator("#move").get_by_label("Book anyway")).to_be_visible()
    page.screenshot(path=tmp_path / "board-clash.png", full_page=True)
    assert where_is(app, diary["dental"]) == (ana.id, at(WEDNESDAY, 9))
    expect(board_cell(page, ana, WEDNESDAY)).to_contain_text("Harbor View Dental")


def test_in_the_day_view_a_drop_sets_the_time_and_after_hours_needs_book_anyway(app, page, make_user, diary, tmp_path):
    ana = diary["ana"]
    log_in(page, make_user("dispatcher"))
    page.goto(f"/board?view=day&on={WEDNESDAY}")
    timeline = board_cell(page, ana, WEDNESDAY)
    expect(timeline).to_contain_text("Harbor View Dental")
    page.screenshot(path=tmp_path / "board-day.png", full_page=True)

    # The axis runs 07:00–19:00: 18:00 is eleven twelfths of the way along. Picked up by its left edge.
    width = timeline.bounding_box()["width"]
    card(page, diary["dental"]).drag_to(timeline, source_position={"x": 1, "y": 5}, target_position={"x": width * 11 / 12 + 1, "y": 20})

    move = page.locator("#move")
    expect(move.get_by_role("alert")).to_contain_text("outside the technician's working hours")
    expect(move.get_by_label("New start")).to_have_value(f"{WEDNESDAY}T18:00")
    assert where_is(app, diary["dental"]) == (ana.id, at(WEDNESDAY, 9))

    move.get_by_label("Book anyway").check()
    move.get_by_role("button", name="Move").click()

    expect(page.get_by_role("status")).to_contain_text("18:00 with Ana Alvarez")
    assert where_is(app, diary["dental"]) == (ana.id, at(WEDNESDAY, 18))


def test_a_visit_is_booked_from_the_board(app, page, make_user, diary):
    log_in(page, make_user("dispatcher"))
    page.goto(f"/board?view=week&on={WEDNESDAY}")

    page.get_by_text("Book a visit").click()
    page.get_by_label("Customer").select_option(label="Corner Bakery")
    page.locator("#book").get_by_label("Technician", exact=True).select_option(label="Ana Alvarez")
    page.locator("#book").get_by_label("Start").fill(f"{THURSDAY}T13:00")
    page.get_by_label("Length (minutes)").fill("90")
    page.get_by_role("button", name="Book visit").click()

    expect(page.get_by_role("status")).to_contain_text("Visit booked: Corner Bakery")
    expect(board_cell(page, diary["ana"], THURSDAY)).to_contain_text("13:00–14:30 Corner Bakery")
