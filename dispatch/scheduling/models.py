import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ExcludeConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.auth.models import User
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.customers.models import Customer, ServiceSite
from dispatch.extensions import db


class AppointmentStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    EN_ROUTE = "en_route"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"


class AppointmentKind(enum.StrEnum):
    VISIT = "visit"
    FOLLOW_UP = "follow_up"
    ESTIMATE = "estimate"
    MAINTENANCE = "maintenance"


# Cancelled and no-show appointments free the technician's time; every other status holds it.
INACTIVE = (AppointmentStatus.CANCELLED, AppointmentStatus.NO_SHOW)
FINISHED = (*INACTIVE, AppointmentStatus.COMPLETED)
# Where each status may go next; completed, cancelled and no-show are final.
NEXT_STATUSES = {
    AppointmentStatus.SCHEDULED: {AppointmentStatus.EN_ROUTE, AppointmentStatus.IN_PROGRESS, *FINISHED},
    AppointmentStatus.EN_ROUTE: {AppointmentStatus.IN_PROGRESS, *FINISHED},
    AppointmentStatus.IN_PROGRESS: {AppointmentStatus.COMPLETED, AppointmentStatus.CANCELLED},
}


class Appointment(db.Model):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "status IN ('scheduled', 'en_route', 'in_progress', 'completed', 'cancelled', 'no_show')",
            name="status_known",
        ),
        CheckConstraint("kind IN ('visit', 'follow_up', 'estimate', 'maintenance')", name="kind_known"),
        # The database's own guarantee against double-booking; the service checks first to name the clash.
        ExcludeConstraint(
            ("technician_id", "="),
            (func.tstzrange(db.column("starts_at"), db.column("ends_at")), "&&"),
            name="no_double_booking",
            using="gist",
            where="technician_id IS NOT NULL AND status NOT IN ('cancelled', 'no_show')",
        ).ddl_if(dialect="postgresql"),
        UniqueConstraint("maintenance_plan_id", "occurrence_on", name="one_visit_per_occurrence"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("service_sites.id"))
    # None: unassigned work waiting on the dispatcher's board.
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(20), default=AppointmentStatus.SCHEDULED)
    kind: Mapped[str] = mapped_column(String(20), default=AppointmentKind.VISIT)
    notes: Mapped[str | None] = mapped_column(Text)
    # Calendars see a change only if SEQUENCE goes up (RFC 5545): bumped on every move, reassignment or cancellation.
    sequence: Mapped[int] = mapped_column(default=0)
    maintenance_plan_id: Mapped[int | None] = mapped_column(ForeignKey("maintenance_plans.id"))
    occurrence_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer] = relationship()
    site: Mapped[ServiceSite | None] = relationship()
    technician: Mapped[User | None] = relationship()
    changes: Mapped[list["AppointmentChange"]] = relationship(order_by="AppointmentChange.id", back_populates="appointment")

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class AppointmentChange(db.Model):
    """One line of an appointment's history: who changed what, from what, to what."""

    __tablename__ = "appointment_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    old_technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    new_technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    old_starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    new_starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    old_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    new_ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)

    appointment: Mapped[Appointment] = relationship(back_populates="changes")
    changed_by: Mapped[User | None] = relationship(foreign_keys=[changed_by_id])


class WorkingHours(db.Model):
    """A technician's hours on one weekday, in the company's timezone. No row for a day: not working."""

    __tablename__ = "working_hours"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_known"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("technician_id", "weekday", name="one_shift_a_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Monday is 0, as date.weekday() counts.
    weekday: Mapped[int]
    starts_at: Mapped[time]
    ends_at: Mapped[time]


class TimeOff(db.Model):
    __tablename__ = "time_off"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MaintenancePlan(db.Model):
    """Recurring maintenance at a customer's site: visits generated ahead from an RRULE."""

    __tablename__ = "maintenance_plans"
    __table_args__ = (
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_in_a_day"),
        CheckConstraint("days_ahead > 0 AND days_ahead <= 366", name="days_ahead_in_a_year"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("service_sites.id"))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # RFC 5545 recurrence rule, e.g. "FREQ=MONTHLY;INTERVAL=3"; occurrences count from starts_on.
    rrule: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    visit_time: Mapped[time]
    minutes: Mapped[int]
    days_ahead: Mapped[int] = mapped_column(default=30)
    notes: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()


class CalendarFeed(db.Model):
    """A technician's private iCalendar subscription; only the token's hash is kept."""

    __tablename__ = "calendar_feeds"

    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rotated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class VisitInvitation(db.Model):
    """An .ics invitation emailed to the customer for one version (sequence) of an appointment."""

    __tablename__ = "visit_invitations"
    __table_args__ = (UniqueConstraint("appointment_id", "sequence", name="one_email_per_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    appointment_id: Mapped[int] = mapped_column(ForeignKey("appointments.id"))
    sequence: Mapped[int]
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
