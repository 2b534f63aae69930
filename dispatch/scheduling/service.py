"""Booking appointments and finding free slots."""
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from dispatch.auth.models import User
from dispatch.auth.permissions import ensure_visible
from dispatch.customers.models import Customer, ServiceSite
from dispatch.core.errors import Conflict, InvalidInput
from dispatch.core.time import company_timezone, company_today, utcnow
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

INACTIVE = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
# Default working hours, company time, until technicians have their own.
WORKING_DAYS = range(0, 5)
WORKDAY_STARTS, WORKDAY_ENDS = time(8), time(17)
SEARCH_DAYS = 90
LIST_LIMIT = 1000


@transactional
def book_appointment(
    customer_id: int,
    technician_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    notes: str | None = None,
    kind: AppointmentKind = AppointmentKind.VISIT,
    site_id: int | None = None,
) -> Appointment:
    if ends_at <= starts_at:
        raise InvalidInput.on_field("ends_at", "The appointment must end after it starts.")
    if technician_id is not None:
        # Every way into a technician's diary takes its turn, not only the ones that remembered to lock.
        _lock_technicians_diary(technician_id)
        _refuse_double_booking(technician_id, starts_at, ends_at)
    appointment = Appointment(
        customer_id=customer_id,
        technician_id=technician_id,
        site_id=site_id,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes,
        kind=kind,
    )
    db.session.add(appointment)
    db.session.flush()
    return appointment


def _refuse_double_booking(technician_id: int, starts_at: datetime, ends_at: datetime) -> None:
    clash = db.session.scalar(
        select(Appointment).where(
            Appointment.technician_id == technician_id,
            Appointment.status.not_in(INACTIVE),
            Appointment.starts_at < ends_at,
            Appointment.ends_at > starts_at,
        )
    )
    if clash is not None:
        raise Conflict(f"The technician is already booked then (appointment {clash.id}).")


@transactional
def book_visit(customer_id: int, technician_id: int | None, starts_at: datetime, ends_at: datetime, **details) -> Appointment:
    """The dispatcher books a visit for a customer, with a technician or unassigned."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or not customer.is_active:
        raise InvalidInput.on_field("customer_id", "No such customer.")
    site_id = details.get("site_id")
    if site_id is not None and db.session.scalar(select(ServiceSite.customer_id).where(ServiceSite.id == site_id)) != customer.id:
        raise InvalidInput.on_field("site_id", "No such site for this customer.")
    if technician_id is not None:
        technician = db.session.get(User, technician_id)
        if technician is None or not technician.is_technician or not technician.is_active:
            raise InvalidInput.on_field("technician_id", "No such technician.")
    return book_appointment(customer_id, technician_id, starts_at, ends_at, **details)


def find_appointments(
    actor, technician_id: int | None = None, starts_from: datetime | None = None, starts_before: datetime | None = None
) -> list[Appointment]:
    if actor.is_technician:
        ensure_visible(actor, technician_id if technician_id is not None else actor.id)
        technician_id = actor.id
    query = select(Appointment).order_by(Appointment.starts_at).limit(LIST_LIMIT)
    if technician_id is not None:
        query = query.where(Appointment.technician_id == technician_id)
    if starts_from is not None:
        query = query.where(Appointment.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(Appointment.starts_at < starts_before)
    return list(db.session.scalars(query))


def open_appointments(technician_id: int, days: int) -> list[Appointment]:
    """The technician's appointments from today through `days` more days that still await a work order."""
    since = datetime.combine(company_today(), time(), company_timezone())
    return list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.technician_id == technician_id,
                Appointment.status.not_in((*INACTIVE, AppointmentStatus.COMPLETED)),
                Appointment.starts_at >= since,
                Appointment.starts_at < since + timedelta(days=days + 1),
            )
            .order_by(Appointment.starts_at)
        )
    )


def find_first_free_slot(technician_id: int, on_or_after: date, minutes: int) -> datetime:
    """The start of the technician's first free `minutes` inside working hours, from `on_or_after`.

    Working hours are Mon–Fri 08:00–17:00 in the company's timezone; each day is
    laid out in local time, so a slot is right across daylight-saving changes.
    """
    length = timedelta(minutes=minutes)
    zone = company_timezone()
    earliest = _next_quarter_hour(utcnow())
    # Days gone by have no free time: search the SEARCH_DAYS from today, not from a date in the past.
    first_day = max(on_or_after, earliest.astimezone(zone).date())
    for offset in range(SEARCH_DAYS):
        day = first_day + timedelta(days=offset)
        if day.weekday() not in WORKING_DAYS:
            continue
        opens_at = datetime.combine(day, WORKDAY_STARTS, zone).astimezone(UTC)
        closes_at = datetime.combine(day, WORKDAY_ENDS, zone).astimezone(UTC)
        candidate = max(opens_at, earliest)
        for booked in _active_appointments(technician_id, opens_at, closes_at):
            if booked.starts_at - candidate >= length:
                break
            candidate = max(candidate, booked.ends_at)
        if closes_at - candidate >= length:
            return candidate
    raise Conflict(f"No free slot of {minutes} minutes in the next {SEARCH_DAYS} days.")


def _next_quarter_hour(moment: datetime) -> datetime:
    past = timedelta(minutes=moment.minute % 15, seconds=moment.second, microseconds=moment.microsecond)
    return moment if not past else moment - past + timedelta(minutes=15)


def _active_appointments(technician_id: int, starts_at: datetime, ends_at: datetime) -> list[Appointment]:
    return list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.technician_id == technician_id,
                Appointment.status.not_in(INACTIVE),
                Appointment.starts_at < ends_at,
                Appointment.ends_at > starts_at,
            )
            .order_by(Appointment.starts_at)
        )
    )


def book_first_free_slot(
    customer_id: int,
    technician_id: int,
    site_id: int | None,
    on_or_after: date,
    minutes: int,
    notes: str | None,
    kind: AppointmentKind,
) -> Appointment:
    """Book a visit in the technician's first free slot (409 if none). Joins the caller's transaction."""
    # Locked before the slot is looked for, so no other booking can take it in between.
    _lock_technicians_diary(technician_id)
    starts_at = find_first_free_slot(technician_id, on_or_after, minutes)
    return book_appointment(
        customer_id, technician_id, starts_at, starts_at + timedelta(minutes=minutes), notes=notes, kind=kind, site_id=site_id
    )


def _lock_technicians_diary(technician_id: int) -> None:
    """Bookings for one technician take turns (their user row is locked until commit), so
    two at once cannot both find the same free slot.

    FOR NO KEY UPDATE, not FOR UPDATE: a transaction that has already written a row pointing
    at the technician (a stock movement, say) holds the FOR KEY SHARE lock of that foreign key,
    which FOR UPDATE would wait on. Two filings by the same technician would then each wait
    for the other (a deadlock); FOR NO KEY UPDATE makes them simply take turns.
    """
    db.session.execute(select(User.id).where(User.id == technician_id).with_for_update(key_share=True))


def complete_appointment(appointment_id: int, technician_id: int, customer_id: int) -> Appointment:
    """Mark the appointment a work order fulfils as completed. Joins the caller's transaction."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.technician_id != technician_id or appointment.customer_id != customer_id:
        raise InvalidInput.on_field("appointment_id", "No such appointment for this technician and customer.")
    if appointment.status in INACTIVE:
        raise Conflict(f"Appointment {appointment.id} was {appointment.status.replace('_', ' ')}.")
    appointment.status = AppointmentStatus.COMPLETED
    return appointment
