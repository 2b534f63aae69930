"""The dispatcher's board (day and week, a row per technician), an appointment's page with its
history, each technician's hours, and the technician's "today" page on the phone."""
from datetime import date, datetime, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role, User
from dispatch.auth.permissions import STAFF
from dispatch.core.errors import DomainError, InvalidInput, NotFound
from dispatch.core.schemas import load_form
from dispatch.core.time import company_date, company_timezone, company_today, utcnow
from dispatch.extensions import db
from dispatch.scheduling import availability, feeds, service
from dispatch.scheduling.board import active_technicians, customer_choices, read_board, technicians_day
from dispatch.scheduling.forms import (
    WEEKDAYS,
    BoardQueryArgsSchema,
    BookVisitFormSchema,
    CancelFormSchema,
    MoveFormSchema,
    TimeOffFormSchema,
    WeeklyHoursFormSchema,
    local_input,
)
from dispatch.scheduling.models import AppointmentKind, AppointmentStatus
from dispatch.scheduling.schemas import AppointmentStatusSchema

bp = Blueprint("scheduling", __name__)
bp.add_app_template_filter(company_date, "company_day")

DAYS_SHOWN = {"day": 1, "week": 7}
# The day view's time axis: a working day, widened to take in any visit outside it.
FIRST_HOUR, LAST_HOUR = 7, 19
# The board's place travels with its forms, so a refused change shows the same board again.
PLACE_FIELDS = ("view", "on")
KIND_NAMES = {kind.value: kind.value.replace("_", "-").capitalize() for kind in AppointmentKind}
STATUS_SAID = {
    AppointmentStatus.EN_ROUTE: "On your way to {customer}.",
    AppointmentStatus.IN_PROGRESS: "Started at {customer}. Tap Finish to file the work order.",
    AppointmentStatus.NO_SHOW: "{customer} marked as no one there.",
    AppointmentStatus.COMPLETED: "{customer}'s visit marked as completed.",
}


@bp.route("/board")
@login_required
@require_role(*STAFF)
def board():
    return _board_page(load_form(BoardQueryArgsSchema(), request.args))


@bp.route("/board/visits", methods=["POST"])
@login_required
@require_role(*STAFF)
def book_visit():
    place, typed = _place_and_typed(request.form)
    try:
        visit = service.book_visit(current_actor(), **load_form(BookVisitFormSchema(), typed))
    except DomainError as error:
        return _board_page(place, "book", typed, error), error.status_code
    flash(f"Visit booked: {visit.customer.name}, {_when(visit.starts_at)}{_with(visit.technician)}.", "success")
    return redirect(url_for(".board", view=place["view"], on=company_date(visit.starts_at)))


@bp.route("/appointments/<int:appointment_id>/move", methods=["POST"])
@login_required
@require_role(*STAFF)
def move_appointment(appointment_id):
    """From the board (drag and drop, or its form) or the appointment's page: a refusal is shown where it came from."""
    from_board = "view" in request.form
    place, typed = _place_and_typed(request.form)
    try:
        moved = service.move_appointment(appointment_id, current_actor(), **load_form(MoveFormSchema(), typed))
    except DomainError as error:
        if from_board:
            return _board_page(place, "move", {**typed, "appointment_id": appointment_id}, error), error.status_code
        return _appointment_page(appointment_id, "move", typed, error), error.status_code
    flash(f"Appointment {moved.id} moved: {moved.customer.name}, {_when(moved.starts_at)}{_with(moved.technician)}.", "success")
    if from_board:
        return redirect(url_for(".board", view=place["view"], on=place["on"] or company_date(moved.starts_at)))
    return redirect(url_for(".show_appointment", appointment_id=moved.id))


@bp.route("/appointments/<int:appointment_id>")
@login_required
@require_role(*STAFF)
def show_appointment(appointment_id):
    return _appointment_page(appointment_id)


@bp.route("/appointments/<int:appointment_id>/cancel", methods=["POST"])
@login_required
@require_role(*STAFF)
def cancel_appointment(appointment_id):
    try:
        cancelled = service.cancel_appointment(appointment_id, current_actor(), **load_form(CancelFormSchema(), request.form))
    except DomainError as error:
        return _appointment_page(appointment_id, "cancel", request.form, error), error.status_code
    flash(f"Appointment {cancelled.id} cancelled.", "success")
    return redirect(url_for(".show_appointment", appointment_id=cancelled.id))


@bp.route("/appointments/<int:appointment_id>/status", methods=["POST"])
@login_required
def update_status(appointment_id):
    """A technician's one tap from the field: on my way, started."""
    actor = current_actor()
    try:
        updated = service.update_status(appointment_id, actor, **load_form(AppointmentStatusSchema(), request.form))
    except DomainError as error:
        if actor.is_technician:
            return _today_page(error), error.status_code
        return _appointment_page(appointment_id, "status", request.form, error), error.status_code
    flash(STATUS_SAID[updated.status].format(customer=updated.customer.name), "success")
    if actor.is_technician:
        return redirect(url_for(".today"))
    return redirect(url_for(".show_appointment", appointment_id=updated.id))


@bp.route("/today")
@login_required
@require_role(Role.TECHNICIAN)
def today():
    return _today_page()


@bp.route("/today/calendar-feed", methods=["POST"])
@login_required
@require_role(Role.TECHNICIAN)
def rotate_calendar_feed():
    """A new private calendar address for the technician's phone; shown once, the old one stops working."""
    url = feeds.rotate_calendar_feed(current_actor().id, current_actor())
    return _today_page(feed_url=url)


@bp.route("/technicians/<int:technician_id>/hours")
@login_required
@require_role(*STAFF)
def technician_hours(technician_id):
    return _hours_page(technician_id)


@bp.route("/technicians/<int:technician_id>/hours", methods=["POST"])
@login_required
@require_role(*STAFF)
def set_weekly_hours(technician_id):
    _technician(technician_id)
    try:
        availability.set_weekly_hours(technician_id, load_form(WeeklyHoursFormSchema(), request.form))
    except InvalidInput as error:
        return _hours_page(technician_id, "hours", request.form, error), error.status_code
    flash("Working hours saved.", "success")
    return redirect(url_for(".technician_hours", technician_id=technician_id))


@bp.route("/technicians/<int:technician_id>/time-off", methods=["POST"])
@login_required
@require_role(*STAFF)
def add_time_off(technician_id):
    _technician(technician_id)
    try:
        away = availability.add_time_off(technician_id, **load_form(TimeOffFormSchema(), request.form))
    except InvalidInput as error:
        return _hours_page(technician_id, "time-off", request.form, error), error.status_code
    flash(f"Time off added: {_when(away.starts_at)} to {_when(away.ends_at)}.", "success")
    return redirect(url_for(".technician_hours", technician_id=technician_id))


@bp.route("/technicians/<int:technician_id>/time-off/<int:time_off_id>/cancel", methods=["POST"])
@login_required
@require_role(*STAFF)
def cancel_time_off(technician_id, time_off_id):
    _technician(technician_id)
    availability.cancel_time_off(time_off_id)
    flash("Time off removed.", "success")
    return redirect(url_for(".technician_hours", technician_id=technician_id))


def _board_page(place: dict, failed_form: str | None = None, typed=None, error: DomainError | None = None):
    view = place["view"]
    shown_day = place["on"] or company_today()
    # The week runs Monday to Sunday; the day view is the day asked for.
    first_day = shown_day - timedelta(days=shown_day.weekday()) if view == "week" else shown_day
    days = DAYS_SHOWN[view]
    board = read_board(first_day, days)
    moving = service.get_appointment(typed["appointment_id"], current_actor()) if failed_form == "move" else None
    return render_template(
        "scheduling/board.html",
        board=board,
        view=view,
        shown_day=shown_day,
        today=company_today(),
        step=timedelta(days=days),
        hours=_hours_axis(board) if view == "day" else None,
        customers=customer_choices(),
        kinds=list(AppointmentKind),
        kind_names=KIND_NAMES,
        # Built once, not once a card.
        appointment_url=url_for(".show_appointment", appointment_id=0).removesuffix("0"),
        failed_form=failed_form,
        typed=typed or {},
        error=error,
        moving=moving,
    )


def _hours_axis(board) -> range:
    """The hours the day view shows: the working day, and any visit before or after it."""
    visits = [visit for visits in board.visits.values() for visit in visits]
    first = min([FIRST_HOUR, *(visit.starts_at.hour for visit in visits)])
    last = max([LAST_HOUR, *(_hour_after(visit.ends_at, board.days[0]) for visit in visits)])
    return range(first, last)


def _hour_after(moment: datetime, day: date) -> int:
    """The hour on the day's axis by which `moment` is over (24 for anything running past midnight)."""
    if moment.date() > day:
        return 24
    return moment.hour + (1 if moment.minute else 0)


def _appointment_page(appointment_id: int, failed_form: str | None = None, typed=None, error: DomainError | None = None):
    actor = current_actor()
    appointment = service.get_appointment(appointment_id, actor)
    history = service.appointment_history(appointment_id, actor)
    people = {change.new_technician_id for change in history} | {change.old_technician_id for change in history}
    return render_template(
        "scheduling/appointment.html",
        appointment=appointment,
        history=history,
        names=_names(people - {None}),
        technicians=active_technicians(),
        # What the move form shows until something is typed into it.
        current={"starts_at": local_input(appointment.starts_at), "technician_id": str(appointment.technician_id or "")},
        typed=typed or {},
        failed_form=failed_form,
        error=error,
    )


def _today_page(error: DomainError | None = None, feed_url: str | None = None):
    actor = current_actor()
    day = company_today()
    return render_template(
        "scheduling/today.html",
        visits=technicians_day(actor.id, day),
        day=day,
        failed_form="status" if error else None,
        error=error,
        feed_url=feed_url,
    )


def _hours_page(technician_id: int, failed_form: str | None = None, typed=None, error: DomainError | None = None):
    technician = _technician(technician_id)
    week = availability.weekly_hours(technician_id)
    shown = {}
    for weekday, (starts_at, ends_at) in week.items():
        shown[f"starts_{weekday}"], shown[f"ends_{weekday}"] = starts_at.strftime("%H:%M"), ends_at.strftime("%H:%M")
    return render_template(
        "scheduling/hours.html",
        technician=technician,
        weekdays=list(enumerate(WEEKDAYS)),
        hours=typed if failed_form == "hours" else shown,
        time_off=availability.list_time_off(technician_id, utcnow()),
        typed=typed or {},
        failed_form=failed_form,
        error=error,
    )


def _technician(technician_id: int) -> User:
    """The technician the page is about; anyone else (or no one) is not found."""
    try:
        return availability.active_technician(technician_id)
    except InvalidInput:
        raise NotFound() from None


def _names(user_ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all()) if user_ids else {}


def _place_and_typed(form) -> tuple[dict, dict]:
    """Split a board form into where the board was (view, day) and what was typed into the form."""
    place = load_form(BoardQueryArgsSchema(), {name: form.get(name, "") for name in PLACE_FIELDS})
    return place, {name: value for name, value in form.items() if name not in PLACE_FIELDS}


def _when(moment: datetime) -> str:
    local = moment.astimezone(company_timezone())
    return f"{local:%a} {local.day} {local:%b %H:%M}"


def _with(technician: User | None) -> str:
    return f" with {technician.name}" if technician else ", unassigned"
