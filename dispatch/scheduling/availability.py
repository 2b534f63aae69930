"""When technicians can work: weekly hours, time off, and the free slots between appointments.

Hours are kept as wall-clock times in the company's timezone and laid onto each date in
that timezone, so 08:00 stays 08:00 across daylight-saving changes.
"""
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import delete, select

from dispatch.auth.models import Role, User
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.time import company_timezone, utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.scheduling.models import INACTIVE, Appointment, TimeOff, WorkingHours

# A technician with no weekly pattern of their own works the company's usual week.
USUAL_WEEK = {weekday: (time(8), time(17)) for weekday in range(5)}
SEARCH_DAYS = 90


@dataclass(frozen=True)
class Window:
    starts_at: datetime
    ends_at: datetime

    def holds(self, starts_at: datetime, ends_at: datetime) -> bool:
        return self.starts_at <= starts_at and ends_at <= self.ends_at


def active_technician(technician_id: int, field: str = "technician_id") -> User:
    technician = db.session.get(User, technician_id)
    if technician is None or technician.role != Role.TECHNICIAN or not technician.is_active:
        raise InvalidInput.on_field(field, "No such technician.")
    return technician


def weekly_hours(technician_id: int) -> dict[int, tuple[time, time]]:
    """The technician's hours by weekday (Monday 0); a day missing from it is a day off."""
    rows = db.session.scalars(select(WorkingHours).where(WorkingHours.technician_id == technician_id)).all()
    return {row.weekday: (row.starts_at, row.ends_at) for row in rows} if rows else dict(USUAL_WEEK)


@transactional
def set_weekly_hours(technician_id: int, week: dict[int, tuple[time, time]]) -> dict[int, tuple[time, time]]:
    """Replace the technician's weekly pattern. Appointments already booked are left where they are."""
    active_technician(technician_id)
    for weekday, (starts_at, ends_at) in week.items():
        if ends_at <= starts_at:
            raise InvalidInput.on_field(f"{weekday}", "A working day ends after it starts.")
    db.session.execute(delete(WorkingHours).where(WorkingHours.technician_id == technician_id))
    db.session.add_all(
        WorkingHours(technician_id=technician_id, weekday=weekday, starts_at=starts_at, ends_at=ends_at)
        for weekday, (starts_at, ends_at) in week.items()
    )
    db.session.flush()
    return weekly_hours(technician_id)


@transactional
def add_time_off(technician_id: int, starts_at: datetime, ends_at: datetime, reason: str | None = None) -> TimeOff:
    active_technician(technician_id)
    if ends_at <= starts_at:
        raise InvalidInput.on_field("ends_at", "Time off ends after it starts.")
    time_off = TimeOff(technician_id=technician_id, starts_at=starts_at, ends_at=ends_at, reason=reason)
    db.session.add(time_off)
    db.session.flush()
    return time_off


@transactional
def cancel_time_off(time_off_id: int) -> None:
    time_off = db.session.get(TimeOff, time_off_id)
    if time_off is None:
        raise NotFound()
    db.session.delete(time_off)


def list_time_off(technician_id: int, since: datetime) -> list[TimeOff]:
    return list(
        db.session.scalars(
            select(TimeOff).where(TimeOff.technician_id == technician_id, TimeOff.ends_at > since).order_by(TimeOff.starts_at)
        )
    )


def working_window(week: dict[int, tuple[time, time]], day: date) -> Window | None:
    """The technician's working hours on a date, in UTC; None on a day off."""
    if day.weekday() not in week:
        return None
    zone = company_timezone()
    opens, closes = week[day.weekday()]
    return Window(datetime.combine(day, opens, zone).astimezone(UTC), datetime.combine(day, closes, zone).astimezone(UTC))


def refuse_outside_working_time(technician_id: int, starts_at: datetime, ends_at: datetime) -> None:
    """A booking must sit inside the technician's hours on its day and clear of their time off (409 otherwise)."""
    local_day = starts_at.astimezone(company_timezone()).date()
    window = working_window(weekly_hours(technician_id), local_day)
    if window is None or not window.holds(starts_at, ends_at):
        raise Conflict("That is outside the technician's working hours; book it anyway with override.")
    away = db.session.scalar(
        select(TimeOff).where(TimeOff.technician_id == technician_id, TimeOff.starts_at < ends_at, TimeOff.ends_at > starts_at)
    )
    if away is not None:
        raise Conflict(f"The technician is off then ({away.reason or 'time off'}); book it anyway with override.")


def find_first_free_slot(technician_id: int, on_or_after: date, minutes: int) -> datetime:
    """The start of the technician's first free `minutes` inside their working hours, from `on_or_after`."""
    length = timedelta(minutes=minutes)
    earliest = _next_quarter_hour(utcnow())
    # Days gone by have no free time: search the SEARCH_DAYS from today, not from a date in the past.
    first_day = max(on_or_after, earliest.astimezone(company_timezone()).date())
    week = weekly_hours(technician_id)
    for offset in range(SEARCH_DAYS):
        window = working_window(week, first_day + timedelta(days=offset))
        if window is None:
            continue
        busy = _busy_times([technician_id], window.starts_at, window.ends_at).get(technician_id, [])
        starts_at = first_gap(window, busy, length, earliest)
        if starts_at is not None:
            return starts_at
    raise Conflict(f"No free slot of {minutes} minutes in the next {SEARCH_DAYS} days.")


def free_technicians(day: date, minutes: int) -> list[tuple[User, datetime]]:
    """Every active technician with `minutes` free on `day`, with the start of their first such slot, earliest first."""
    length = timedelta(minutes=minutes)
    earliest = _next_quarter_hour(utcnow())
    technicians = db.session.scalars(
        select(User).where(User.role == Role.TECHNICIAN, User.is_active.is_(True)).order_by(User.name)
    ).all()
    weeks = _weekly_hours_of([technician.id for technician in technicians])
    windows = {technician.id: working_window(weeks.get(technician.id, USUAL_WEEK), day) for technician in technicians}
    open_windows = [window for window in windows.values() if window is not None]
    if not open_windows:
        return []
    busy = _busy_times(
        [technician.id for technician in technicians],
        min(window.starts_at for window in open_windows),
        max(window.ends_at for window in open_windows),
    )
    free = []
    for technician in technicians:
        window = windows[technician.id]
        starts_at = first_gap(window, busy.get(technician.id, []), length, earliest) if window else None
        if starts_at is not None:
            free.append((technician, starts_at))
    return sorted(free, key=lambda pair: pair[1])


def first_gap(window: Window, busy: list[Window], length: timedelta, earliest: datetime) -> datetime | None:
    """The first start inside `window`, not before `earliest`, with `length` clear of every busy time (sorted)."""
    candidate = max(window.starts_at, earliest)
    for taken in busy:
        if taken.starts_at - candidate >= length:
            break
        candidate = max(candidate, taken.ends_at)
    return candidate if window.ends_at - candidate >= length else None


def _weekly_hours_of(technician_ids: list[int]) -> dict[int, dict[int, tuple[time, time]]]:
    weeks: dict[int, dict[int, tuple[time, time]]] = {}
    for row in db.session.scalars(select(WorkingHours).where(WorkingHours.technician_id.in_(technician_ids))):
        weeks.setdefault(row.technician_id, {})[row.weekday] = (row.starts_at, row.ends_at)
    return weeks


def _busy_times(technician_ids: list[int], starts_at: datetime, ends_at: datetime) -> dict[int, list[Window]]:
    """Appointments that hold the technicians' time and their time off between two moments, in order, per technician."""
    booked = select(Appointment.technician_id, Appointment.starts_at, Appointment.ends_at).where(
        Appointment.technician_id.in_(technician_ids),
        Appointment.status.not_in(INACTIVE),
        Appointment.starts_at < ends_at,
        Appointment.ends_at > starts_at,
    )
    away = select(TimeOff.technician_id, TimeOff.starts_at, TimeOff.ends_at).where(
        TimeOff.technician_id.in_(technician_ids), TimeOff.starts_at < ends_at, TimeOff.ends_at > starts_at
    )
    # One query for both: every booking (a filing's follow-up among them) asks, so a round trip saved counts.
    busy_rows = db.session.execute(booked.union_all(away)).all()
    busy: dict[int, list[Window]] = {}
    for technician_id, busy_from, busy_until in sorted(busy_rows, key=lambda row: row[1]):
        busy.setdefault(technician_id, []).append(Window(busy_from, busy_until))
    return busy


def _next_quarter_hour(moment: datetime) -> datetime:
    past = timedelta(minutes=moment.minute % 15, seconds=moment.second, microseconds=moment.microsecond)
    return moment if not past else moment - past + timedelta(minutes=15)
