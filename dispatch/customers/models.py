from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class Customer(db.Model):
    __tablename__ = "customers"
    __table_args__ = (CheckConstraint("payment_terms_days >= 0", name="payment_terms_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    # None: the company's default terms apply.
    payment_terms_days: Mapped[int | None]
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    sites: Mapped[list["ServiceSite"]] = relationship(back_populates="customer", order_by="ServiceSite.id")


class ServiceSite(db.Model):
    """A place where the work is done: a customer may have several."""

    __tablename__ = "service_sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    customer: Mapped[Customer] = relationship(back_populates="sites")
