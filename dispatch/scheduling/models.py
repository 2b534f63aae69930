import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


class Appointment(db.Model):
    __tablename__ = "appointments"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(
            "status IN ('scheduled', 'en_route', 'in_progress', 'completed', 'cancelled', 'no_show')",
            name="status_known",
        ),
        CheckConstraint("kind IN ('visit', 'follow_up', 'estimate', 'maintenance')", name="kind_known"),
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
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    site: Mapped[ServiceSite | None] = relationship()
