"""Technicians' private calendar feeds (iCalendar), and the event every calendar sees for an appointment.

The feed's URL holds a secret token; only its SHA-256 is stored, so the URL is shown
once, when made or rotated, like an API token. Rotating makes the old URL a 404.
"""
import hashlib
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from dispatch.auth.models import Role, User
from dispatch.auth.permissions import ensure_visible
from dispatch.core.errors import NotFound
from dispatch.core.time import utcnow
from dispatch.core.tokens import checked_link_token, new_link_token
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.scheduling.models import Appointment, AppointmentStatus, CalendarFeed

DAYS_BACK = 30
DAYS_AHEAD = 180
KIND_NAMES = {"visit": "visit", "follow_up": "follow-up", "estimate": "estimate", "maintenance": "maintenance"}


@transactional
def rotate_calendar_feed(technician_id: int, actor: User) -> str:
    """A new private feed URL for the technician (themself or the office); any earlier URL stops working."""
    ensure_visible(actor, technician_id)
    technician = db.session.get(User, technician_id)
    if technician is None or technician.role != Role.TECHNICIAN or not technician.is_active:
        raise NotFound()
    token = new_link_token()
    feed = db.session.get(CalendarFeed, technician_id) or CalendarFeed(technician_id=technician_id)
    feed.token_hash, feed.rotated_at = _digest(token), utcnow()
    db.session.add(feed)
    return feed_url(token)


def feed_url(token: str) -> str:
    return f"{current_app.config['PUBLIC_URL']}/calendar/{token}.ics"


def technician_calendar(token: str) -> bytes:
    """The technician's appointments from 30 days back to 180 ahead as iCalendar; 404 for any other token."""
    technician = db.session.scalar(
        select(User).join(CalendarFeed, CalendarFeed.technician_id == User.id).where(CalendarFeed.token_hash == _digest(checked_link_token(token)))
    )
    if technician is None or not technician.is_active:
        raise NotFound()
    now = utcnow()
    appointments = db.session.scalars(
        select(Appointment)
        .options(joinedload(Appointment.customer), joinedload(Appointment.site))
        .where(
            Appointment.technician_id == technician.id,
            Appointment.ends_at > now - timedelta(days=DAYS_BACK),
            Appointment.starts_at < now + timedelta(days=DAYS_AHEAD),
        )
        .order_by(Appointment.starts_at)
    )
    calendar = new_calendar()
    calendar.add("x-wr-calname", f"Dispatch: {technician.name}")
    for appointment in appointments:
        event = appointment_event(appointment)
        event.add("summary", f"{appointment.customer.name}: {KIND_NAMES[appointment.kind]}")
        event.add("description", _field_notes(appointment))
        calendar.add_component(event)
    return calendar.to_ical()


def new_calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//Dispatch//Scheduling//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def appointment_event(appointment: Appointment) -> Event:
    """What the technician's feed and the customer's invitation share: the same UID and SEQUENCE
    make a calendar update the event it has rather than add another."""
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("dtstamp", appointment.updated_at)
    event.add("last-modified", appointment.updated_at)
    event.add("status", "CANCELLED" if appointment.status == AppointmentStatus.CANCELLED else "CONFIRMED")
    address = appointment.site.address if appointment.site else appointment.customer.address
    if address:
        event.add("location", address)
    return event


def appointment_uid(appointment: Appointment) -> str:
    host = urlsplit(current_app.config["PUBLIC_URL"]).hostname or "dispatch.local"
    return f"appointment-{appointment.id}@{host}"


def _field_notes(appointment: Appointment) -> str:
    lines = [f"Phone: {appointment.customer.phone}"] if appointment.customer.phone else []
    if appointment.site and appointment.site.notes:
        lines.append(f"Site: {appointment.site.notes}")
    if appointment.notes:
        lines.append(appointment.notes)
    return "\n".join(lines)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
