"""Booking, moving, reassigning and cancelling appointments; their status and history."""
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError

from dispatch.auth.models import User
from dispatch.auth.permissions import ensure_visible
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.locks import lock_for_no_key_update
from dispatch.core.time import company_timezone, company_today, utcnow
from dispatch.core.tx import transactional
from dispatch.customers.models import Customer, ServiceSite
from dispatch.extensions import db
from dispatch.scheduling import availability, invitations
from dispatch.scheduling.models import (
    FINISHED,
    INACTIVE,
    NEXT_STATUSES,
    Appointment,
    AppointmentChange,
    AppointmentKind,
    AppointmentStatus,
)

LONGEST_VISIT = timedelta(hours=24)
# What a technician may set from the field; cancelling and the rest are the office's.
FIELD_STATUSES = {AppointmentStatus.EN_ROUTE, AppointmentStatus.IN_PROGRESS, AppointmentStatus.NO_SHOW}


def book_appointment(
    customer_id: int,
    technician_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    notes: str | None = None,
    kind: AppointmentKind = AppointmentKind.VISIT,
    site_id: int | None = None,
    actor: User | None = None,
    **recurrence,
) -> Appointment:
    """Put an appointment in the diary (409 naming the clash if the technician is taken). Joins the caller's transaction."""
    _refuse_bad_times(starts_at, ends_at)
    if technician_id is not None:
        # Every way into a technician's diary takes its turn, not only the ones that remembered to lock.
        _lock_technicians_diary(technician_id)
        _refuse_double_booking(technician_id, starts_at, ends_at)
    appointment = _put_in_diary(customer_id, technician_id, starts_at, ends_at, notes, kind, site_id, actor, **recurrence)
    _flush_refusing_double_booking(appointment)
    return appointment


def _put_in_diary(
    customer_id: int, technician_id: int | None, starts_at: datetime, ends_at: datetime, notes: str | None,
    kind: AppointmentKind, site_id: int | None, actor: User | None, **recurrence,
) -> Appointment:
    appointment = Appointment(
        customer_id=customer_id,
        technician_id=technician_id,
        site_id=site_id,
        starts_at=starts_at,
        ends_at=ends_at,
        notes=notes,
        kind=kind,
        **recurrence,
    )
    db.session.add(appointment)
    _record_change(appointment, "booked", actor, new_technician_id=technician_id, new_starts_at=starts_at, new_ends_at=ends_at)
    return appointment


@transactional
def book_visit(
    actor: User,
    customer_id: int,
    technician_id: int | None,
    starts_at: datetime,
    ends_at: datetime,
    override: bool = False,
    **details,
) -> Appointment:
    """The dispatcher books a visit, with a technician or unassigned; inside working hours unless overridden."""
    customer = db.session.get(Customer, customer_id)
    if customer is None or not customer.is_active:
        raise InvalidInput.on_field("customer_id", "No such customer.")
    site_id = details.get("site_id")
    if site_id is not None and db.session.scalar(select(ServiceSite.customer_id).where(ServiceSite.id == site_id)) != customer.id:
        raise InvalidInput.on_field("site_id", "No such site for this customer.")
    _refuse_bad_times(starts_at, ends_at)
    if not override:
        _refuse_the_past(starts_at)
    if technician_id is not None:
        availability.active_technician(technician_id)
        if not override:
            availability.refuse_outside_working_time(technician_id, starts_at, ends_at)
    appointment = book_appointment(customer_id, technician_id, starts_at, ends_at, actor=actor, **details)
    invitations.invite_customer(appointment)
    return appointment


@transactional
def move_appointment(appointment_id: int, actor: User, override: bool = False, note: str | None = None, **change) -> Appointment:
    """Move an appointment in time and/or to another technician (or back to unassigned).

    `change` holds any of starts_at, ends_at, technician_id, notes. Moving only the start keeps the length.
    """
    appointment = _open_appointment(appointment_id, actor)
    starts_at = change.get("starts_at", appointment.starts_at)
    ends_at = change.get("ends_at", starts_at + (appointment.ends_at - appointment.starts_at))
    technician_id = change.get("technician_id", appointment.technician_id)
    _refuse_bad_times(starts_at, ends_at)
    moved = (starts_at, ends_at) != (appointment.starts_at, appointment.ends_at)
    reassigned = technician_id != appointment.technician_id
    if not override and moved:
        _refuse_the_past(starts_at)
    if technician_id is not None and (moved or reassigned):
        if reassigned:
            availability.active_technician(technician_id)
        _lock_technicians_diary(technician_id)
        _refuse_double_booking(technician_id, starts_at, ends_at, besides=appointment.id)
        if not override:
            availability.refuse_outside_working_time(technician_id, starts_at, ends_at)
    if moved or reassigned:
        _record_change(
            appointment,
            "reassigned" if reassigned and not moved else "moved",
            actor,
            note,
            old_technician_id=appointment.technician_id,
            new_technician_id=technician_id,
            old_starts_at=appointment.starts_at,
            new_starts_at=starts_at,
            old_ends_at=appointment.ends_at,
            new_ends_at=ends_at,
        )
        appointment.starts_at, appointment.ends_at, appointment.technician_id = starts_at, ends_at, technician_id
        appointment.sequence += 1
    if "notes" in change and change["notes"] != appointment.notes:
        _record_change(appointment, "notes", actor, note)
        appointment.notes = change["notes"]
    _flush_refusing_double_booking(appointment)
    if moved:
        invitations.invite_customer(appointment)
    return appointment


@transactional
def cancel_appointment(appointment_id: int, actor: User, reason: str) -> Appointment:
    appointment = _open_appointment(appointment_id, actor)
    _change_status(appointment, AppointmentStatus.CANCELLED, actor, reason)
    appointment.sequence += 1
    invitations.invite_customer(appointment)
    return appointment


@transactional
def update_status(appointment_id: int, actor: User, status: AppointmentStatus, note: str | None = None) -> Appointment:
    """The technician on the way, started or facing a locked door; the office may also mark it completed."""
    appointment = _visible_appointment(appointment_id, actor)
    if actor.is_technician and status not in FIELD_STATUSES:
        raise InvalidInput.on_field("status", "Finish a visit by filing its work order; the office cancels visits.")
    if status == AppointmentStatus.CANCELLED:
        raise InvalidInput.on_field("status", "Cancel an appointment with its own request, giving a reason.")
    _change_status(appointment, status, actor, note)
    return appointment


def complete_appointment(appointment_id: int, technician_id: int, customer_id: int, actor: User | None = None) -> Appointment:
    """Mark the appointment a work order fulfils as completed. Joins the caller's transaction."""
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None or appointment.technician_id != technician_id or appointment.customer_id != customer_id:
        raise InvalidInput.on_field("appointment_id", "No such appointment for this technician and customer.")
    _change_status(appointment, AppointmentStatus.COMPLETED, actor, None)
    return appointment


def get_appointment(appointment_id: int, actor: User) -> Appointment:
    return _visible_appointment(appointment_id, actor)


def appointment_history(appointment_id: int, actor: User) -> list[AppointmentChange]:
    return _visible_appointment(appointment_id, actor).changes


def appointments_query(
    actor, technician_id: int | None = None, starts_from: datetime | None = None, starts_before: datetime | None = None
) -> Select:
    """Appointments by start time (the API reads them a page at a time); a technician's own only."""
    if actor.is_technician:
        ensure_visible(actor, technician_id if technician_id is not None else actor.id)
        technician_id = actor.id
    query = select(Appointment).order_by(Appointment.starts_at, Appointment.id)
    if technician_id is not None:
        query = query.where(Appointment.technician_id == technician_id)
    if starts_from is not None:
        query = query.where(Appointment.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(Appointment.starts_at < starts_before)
    return query


def open_appointments(technician_id: int, days: int) -> list[Appointment]:
    """The technician's appointments from today through `days` more days that still await a work order."""
    since = datetime.combine(company_today(), time(), company_timezone())
    return list(
        db.session.scalars(
            select(Appointment)
            .where(
                Appointment.technician_id == technician_id,
                Appointment.status.not_in(FINISHED),
                Appointment.starts_at >= since,
                Appointment.starts_at < since + timedelta(days=days + 1),
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
    starts_at = availability.find_first_free_slot(technician_id, on_or_after, minutes)
    # Found free with the diary locked: nothing can clash with it (book_appointment's look for a clash and
    # savepoint would cost three statements for nothing), and it is written with the caller's next flush.
    return _put_in_diary(customer_id, technician_id, starts_at, starts_at + timedelta(minutes=minutes), notes, kind, site_id, None)


def _refuse_bad_times(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidInput.on_field("ends_at", "The appointment must end after it starts.")
    if ends_at - starts_at > LONGEST_VISIT:
        raise InvalidInput.on_field("ends_at", "An appointment lasts at most 24 hours.")


def _refuse_the_past(starts_at: datetime) -> None:
    if starts_at < utcnow():
        raise InvalidInput.on_field("starts_at", "That time has passed; book it anyway with override.")


def _refuse_double_booking(technician_id: int, starts_at: datetime, ends_at: datetime, besides: int | None = None) -> None:
    clash = _clash(technician_id, starts_at, ends_at, besides)
    if clash is not None:
        raise Conflict(f"The technician is already booked then (appointment {clash.id}).")


def _clash(technician_id: int, starts_at: datetime, ends_at: datetime, besides: int | None) -> Appointment | None:
    return db.session.scalar(
        select(Appointment).where(
            Appointment.technician_id == technician_id,
            Appointment.status.not_in(INACTIVE),
            Appointment.starts_at < ends_at,
            Appointment.ends_at > starts_at,
            Appointment.id != besides if besides is not None else True,
        )
    )


def _flush_refusing_double_booking(appointment: Appointment) -> None:
    """Flush; if PostgreSQL's exclusion constraint refuses it, answer the same 409 the service check gives."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as refusal:
        if "no_double_booking" not in str(refusal.orig):
            raise
        raise Conflict("The technician is already booked then.") from refusal


def _lock_technicians_diary(technician_id: int) -> None:
    """Bookings for one technician take turns (their user row is locked until commit), so
    two at once cannot both find the same free slot.

    FOR NO KEY UPDATE, not FOR UPDATE: a transaction that has already written a row pointing
    at the technician (a stock movement, say) holds the FOR KEY SHARE lock of that foreign key,
    which FOR UPDATE would wait on. Two filings by the same technician would then each wait
    for the other (a deadlock); FOR NO KEY UPDATE makes them simply take turns.
    """
    lock_for_no_key_update(User, technician_id)


def _visible_appointment(appointment_id: int, actor: User) -> Appointment:
    appointment = db.session.get(Appointment, appointment_id)
    if appointment is None:
        raise NotFound()
    ensure_visible(actor, appointment.technician_id)
    return appointment


def _open_appointment(appointment_id: int, actor: User) -> Appointment:
    appointment = _visible_appointment(appointment_id, actor)
    if appointment.is_finished:
        raise Conflict(f"Appointment {appointment.id} is {appointment.status.replace('_', ' ')}: it cannot be changed.")
    return appointment


def _change_status(appointment: Appointment, status: AppointmentStatus, actor: User | None, note: str | None) -> None:
    if status == appointment.status:
        return
    if status not in NEXT_STATUSES.get(appointment.status, ()):
        raise Conflict(
            f"Appointment {appointment.id} is {appointment.status.replace('_', ' ')}: it cannot become {status.replace('_', ' ')}."
        )
    _record_change(appointment, "status", actor, note, old_status=appointment.status, new_status=status)
    appointment.status = status


def _record_change(appointment: Appointment, action: str, actor: User | None, note: str | None = None, **values) -> None:
    db.session.add(
        AppointmentChange(appointment=appointment, action=action, changed_by_id=actor.id if actor else None, note=note, **values)
    )
