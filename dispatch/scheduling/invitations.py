"""The customer's calendar invitation (.ics by email) when the office books, moves or cancels their visit.

One VisitInvitation per version (sequence) of an appointment: requested in the booking's
transaction, sent by a job that locks it and sends only if it is not sent yet. The
invitation carries the same UID and SEQUENCE as the technician's feed.
"""
from email.message import EmailMessage

from flask import current_app
from icalendar import vCalAddress
from sqlalchemy import select

from dispatch.company.service import company_settings
from dispatch.core import mail
from dispatch.core.time import company_timezone, utcnow
from dispatch.core.tx import transaction
from dispatch.extensions import db
from dispatch.jobs import request_job
from dispatch.scheduling.feeds import KIND_NAMES, appointment_event, new_calendar
from dispatch.scheduling.models import Appointment, AppointmentStatus, VisitInvitation


def invite_customer(appointment: Appointment) -> None:
    """Ask for this version of the appointment to be emailed to the customer, after commit. Joins the caller's transaction."""
    if not appointment.customer.email or (appointment.status == AppointmentStatus.CANCELLED and not _was_invited(appointment)):
        return
    invitation = VisitInvitation(appointment_id=appointment.id, sequence=appointment.sequence)
    db.session.add(invitation)
    db.session.flush()
    # Imported here: the job module sends through this one.
    from dispatch.scheduling.jobs import email_visit_invitation

    request_job(email_visit_invitation, invitation.id)


def send_invitation(invitation_id: int) -> bool:
    """Email one invitation; whether it went out now.

    The invitation stays locked while we send, so a second run waits, then finds it sent.
    It carries the appointment as it is now. One superseded (moved again, or cancelled,
    before it went out) is not sent: the newer one follows. SMTP errors raise for the job to retry.
    """
    with transaction():
        invitation = db.session.scalars(select(VisitInvitation).where(VisitInvitation.id == invitation_id).with_for_update()).one()
        if invitation.sent_at is not None or _is_superseded(invitation):
            return False
        appointment = db.session.get(Appointment, invitation.appointment_id)
        mail.send(_invitation_message(appointment, is_change=invitation.sequence > 0))
        invitation.sent_at = utcnow()
        return True


def _was_invited(appointment: Appointment) -> bool:
    """A cancellation goes only to a customer who was sent the visit: a generated maintenance visit
    or a follow-up never was, and a plan stopped must not bring a dozen emails about visits they never heard of."""
    earlier = select(VisitInvitation.id).where(VisitInvitation.appointment_id == appointment.id)
    return db.session.scalar(earlier.limit(1)) is not None


def _is_superseded(invitation: VisitInvitation) -> bool:
    newer = select(VisitInvitation.id).where(
        VisitInvitation.appointment_id == invitation.appointment_id, VisitInvitation.sequence > invitation.sequence
    )
    return db.session.scalar(newer.limit(1)) is not None


def _invitation_message(appointment: Appointment, is_change: bool) -> EmailMessage:
    company = company_settings()
    is_cancelled = appointment.status == AppointmentStatus.CANCELLED
    starts = appointment.starts_at.astimezone(company_timezone())
    when = f"{starts:%A %-d %B %Y at %H:%M} ({starts.tzname()})"
    what = KIND_NAMES[appointment.kind]
    if is_cancelled:
        subject, news = f"Cancelled: {company.name} {what} on {starts:%-d %B}", f"we have cancelled your {what} on {when}"
    elif is_change:
        subject, news = f"Moved: {company.name} {what}, now {when}", f"your {what} is now on {when}"
    else:
        subject, news = f"Booked: {company.name} {what}, {when}", f"your {what} is booked for {when}"
    message = mail.new_message(
        to=appointment.customer.email,
        subject=subject,
        body=(
            f"Hello {appointment.customer.name},\n\n"
            f"This is to let you know that {news}.\n"
            f"The attached invitation {'removes it from' if is_cancelled else 'puts it in'} your calendar.\n\n"
            f"Kind regards,\n{company.name}\n"
        ),
    )
    method = "CANCEL" if is_cancelled else "REQUEST"
    message.add_attachment(
        _invitation_calendar(appointment, company.name, method),
        maintype="text",
        subtype="calendar",
        filename="invite.ics",
        params={"method": method, "charset": "utf-8"},
    )
    return message


def _invitation_calendar(appointment: Appointment, company_name: str, method: str) -> bytes:
    calendar = new_calendar(method)
    event = appointment_event(appointment)
    event.add("summary", f"{company_name}: {KIND_NAMES[appointment.kind]}")
    organizer = vCalAddress(f"mailto:{current_app.config['MAIL_FROM']}")
    organizer.params["cn"] = company_name
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{appointment.customer.email}")
    attendee.params.update({"cn": appointment.customer.name, "role": "REQ-PARTICIPANT"})
    event.add("attendee", attendee)
    calendar.add_component(event)
    return calendar.to_ical()
