from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class Vehicle(db.Model):
    """A company vehicle: the van or truck whose miles a work order's mileage entries record."""

    __tablename__ = "vehicles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    registration: Mapped[str | None] = mapped_column(String(20))
    # A sold vehicle keeps its history but takes no new miles.
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
