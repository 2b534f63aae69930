import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class Part(db.Model):
    __tablename__ = "parts"
    __table_args__ = (
        CheckConstraint("unit_price >= 0", name="unit_price_not_negative"),
        CheckConstraint("unit_cost >= 0", name="unit_cost_not_negative"),
        CheckConstraint("reorder_point >= 0 AND reorder_quantity >= 0", name="reorder_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    # What one counts in: every quantity of this part is a whole number of these ("each", "box", "ft").
    unit: Mapped[str] = mapped_column(String(20), default="each", server_default="each")
    # Free text for the owner's profit report ("Motors", "Filters"); none is fine.
    category: Mapped[str | None] = mapped_column(String(60), index=True)
    unit_price: Mapped[Decimal] = mapped_column(MONEY)
    # Moving-average cost of what is on the shelves, updated by receipts.
    unit_cost: Mapped[Decimal] = mapped_column(MONEY)
    is_taxable: Mapped[bool] = mapped_column(default=True)
    # A shelf at or below its reorder point is in the daily low-stock digest (None: never);
    # the reorder quantity is what to order from the supplier then.
    reorder_point: Mapped[int | None]
    reorder_quantity: Mapped[int | None]
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
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reorder_point >= 0 AND target_quantity >= 0", name="targets_not_negative"),
    )

    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_locations.id"), primary_key=True)
    quantity: Mapped[int] = mapped_column(default=0)
    # This shelf's own reorder point, instead of the part's (a van carries far fewer than the warehouse).
    reorder_point: Mapped[int | None]
    # How many this shelf should hold once restocked (a van's par level); None: no target.
    target_quantity: Mapped[int | None]

    part: Mapped[Part] = relationship(viewonly=True)
    location: Mapped[StockLocation] = relationship(viewonly=True)

    @property
    def effective_reorder_point(self) -> int | None:
        return self.reorder_point if self.reorder_point is not None else self.part.reorder_point


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
        # A part's history over a date range: the movements report.
        Index("ix_stock_movements_part_id_created_at", "part_id", "created_at"),
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
    location: Mapped[StockLocation] = relationship()


class LowStockDigest(db.Model):
    """The day's low-stock email: one a day, however often the job runs."""

    __tablename__ = "low_stock_digests"

    sent_on: Mapped[date] = mapped_column(Date, primary_key=True)
    shelves: Mapped[int]
    message_id: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
