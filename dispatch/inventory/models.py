import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class Part(db.Model):
    __tablename__ = "parts"
    __table_args__ = (
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    # Moving-average cost of what is on the shelves, updated by receipts.
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    is_taxable: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LocationKind(enum.StrEnum):
    WAREHOUSE = "warehouse"
    VAN = "van"


class StockLocation(db.Model):
    __tablename__ = "stock_locations"
    __table_args__ = (
        # A van belongs to exactly one technician; a warehouse to nobody.
        CheckConstraint("kind IN ('warehouse', 'van')", name="kind_known"),
        CheckConstraint(
            "(kind = 'van' AND technician_id IS NOT NULL) OR (kind = 'warehouse' AND technician_id IS NULL)",
            name="van_has_technician",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)


class StockLevel(db.Model):
    """How many of a part are at a location: always the sum of its movements."""

    __tablename__ = "stock_levels"
    __table_args__ = (CheckConstraint("quantity >= 0", name="quantity_not_negative"),)

    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(default=0)


class MovementKind(enum.StrEnum):
    RECEIPT = "receipt"
    USAGE = "usage"
    TRANSFER_OUT = "transfer_out"
    TRANSFER_IN = "transfer_in"
    RETURN = "return"
    ADJUSTMENT = "adjustment"


class StockMovement(db.Model):
    """The stock ledger: every change of a stock level, signed, never edited."""

    __tablename__ = "stock_movements"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('receipt', 'usage', 'transfer_out', 'transfer_in', 'return', 'adjustment')",
            name="kind_known",
        ),
        CheckConstraint("quantity <> 0", name="quantity_not_zero"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int]
    unit_cost: Mapped[Decimal | None] = mapped_column(MONEY)
    reference: Mapped[str | None] = mapped_column(String(120))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    part: Mapped[Part] = relationship()
