"""Booking appointments."""
from datetime import datetime

from sqlalchemy import select

from dispatch.core.errors import Conflict, InvalidInput
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.scheduling.models import Appointment, AppointmentKind, AppointmentStatus

INACTIVE = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)


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
