import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db
from dispatch.inventory.models import Part
from dispatch.invoicing.models import Invoice
from dispatch.payroll.models import PayAccrual
from dispatch.scheduling.models import Appointment


class WorkOrderStatus(enum.StrEnum):
    INVOICED = "invoiced"
    VOID = "void"


class LabourKind(enum.StrEnum):
    ONSITE = "onsite"
    REMOTE = "remote"
    PHONE = "phone"
    TRAVEL = "travel"


class WorkOrder(db.Model):
    """What a technician did on a job, as filed from the field."""

    __tablename__ = "work_orders"
    __table_args__ = (CheckConstraint("status IN ('invoiced', 'void')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=WorkOrderStatus.INVOICED)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("service_sites.id"))
    technician_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"), unique=True)
    # The estimate this job was quoted on; the invoice still bills the actual work.
    estimate_id: Mapped[int | None] = mapped_column(ForeignKey("estimates.id"))
    follow_up_appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))
    summary: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    po_number: Mapped[str | None] = mapped_column(String(64))
    filed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str | None] = mapped_column(Text)
    # The customer's sign-off on the phone: their typed name and the PNG they drew (under FILES_DIR).
    signed_by: Mapped[str | None] = mapped_column(String(120))
    signature_path: Mapped[str | None] = mapped_column(String(255))
    signed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    labour: Mapped[list["LabourEntry"]] = relationship(order_by="LabourEntry.id", back_populates="work_order")
    parts: Mapped[list["PartUsage"]] = relationship(order_by="PartUsage.id", back_populates="work_order")
    mileage: Mapped[list["MileageEntry"]] = relationship(order_by="MileageEntry.id", back_populates="work_order")
    photos: Mapped[list["JobPhoto"]] = relationship(order_by="JobPhoto.id", back_populates="work_order")
    invoice: Mapped[Invoice | None] = relationship(viewonly=True)
    follow_up_appointment: Mapped[Appointment | None] = relationship(foreign_keys=[follow_up_appointment_id])
    pay_accruals: Mapped[list[PayAccrual]] = relationship(viewonly=True)

    @property
    def pay_accrued(self) -> Decimal:
        return sum((accrual.amount for accrual in self.pay_accruals), Decimal("0.00"))


class LabourEntry(db.Model):
    __tablename__ = "labour_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('onsite', 'remote', 'phone', 'travel')", name="kind_known"),
        CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_in_a_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    minutes: Mapped[int]
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    is_billable: Mapped[bool] = mapped_column(default=True)

    work_order: Mapped[WorkOrder] = relationship(back_populates="labour")

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60


class PartUsage(db.Model):
    """A part used on a job, with what it sold for and what it cost at that moment."""

    __tablename__ = "part_usages"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"))
    quantity: Mapped[int]
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)

    work_order: Mapped[WorkOrder] = relationship(back_populates="parts")
    part: Mapped[Part] = relationship(viewonly=True)


class MileageEntry(db.Model):
    __tablename__ = "mileage_entries"
    __table_args__ = (CheckConstraint("miles > 0", name="miles_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    miles: Mapped[Decimal] = mapped_column(Numeric(8, 1))
    vehicle: Mapped[str | None] = mapped_column(String(80))
    # The company vehicle driven, for the miles-per-vehicle report; `vehicle` keeps its name as billed.
    vehicle_id: Mapped[int | None] = mapped_column(ForeignKey("vehicles.id"), index=True)

    work_order: Mapped[WorkOrder] = relationship(back_populates="mileage")


class JobPhoto(db.Model):
    """A photo of the job taken on the phone; served only to those who may see the work order."""

    __tablename__ = "job_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    work_order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    path: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(40))
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    work_order: Mapped[WorkOrder] = relationship(back_populates="photos")
