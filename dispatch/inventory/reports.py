"""Stock reports: what the shelves are worth, and a part's movements over a date range; as CSV too."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from dispatch.core.errors import InvalidInput
from dispatch.core.time import company_timezone
from dispatch.extensions import db
from dispatch.inventory.models import Part, StockLevel, StockLocation, StockMovement

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ShelfValue:
    location: StockLocation
    part: Part
    quantity: int

    @property
    def value(self) -> Decimal:
        return self.part.unit_cost * self.quantity


@dataclass(frozen=True)
class LocationValue:
    location: StockLocation
    quantity: int
    value: Decimal


@dataclass(frozen=True)
class MovementLine:
    movement: StockMovement
    balance: int  # on hand after this movement, in the locations reported on


@dataclass(frozen=True)
class PartHistory:
    part: Part
    opening: int
    lines: list[MovementLine]

    @property
    def closing(self) -> int:
        return self.lines[-1].balance if self.lines else self.opening


def shelf_values(location_id: int | None = None) -> list[ShelfValue]:
    """Every shelf with stock on it, valued at the part's average cost; by location, then SKU."""
    query = (
        select(StockLocation, Part, StockLevel.quantity)
        .join(StockLevel, StockLevel.location_id == StockLocation.id)
        .join(Part, Part.id == StockLevel.part_id)
        .where(StockLevel.quantity > 0)
        .order_by(StockLocation.kind.desc(), StockLocation.name, StockLocation.id, Part.sku)
    )
    if location_id is not None:
        query = query.where(StockLocation.id == location_id)
    return [ShelfValue(location, part, quantity) for location, part, quantity in db.session.execute(query)]


def location_values() -> list[LocationValue]:
    """Quantity × average cost, summed per location in SQL; every location, empty ones at zero."""
    rows = db.session.execute(
        select(
            StockLocation,
            func.coalesce(func.sum(StockLevel.quantity), 0),
            func.sum(StockLevel.quantity * Part.unit_cost),
        )
        .outerjoin(StockLevel, StockLevel.location_id == StockLocation.id)
        .outerjoin(Part, Part.id == StockLevel.part_id)
        .group_by(StockLocation.id)
        .order_by(StockLocation.kind.desc(), StockLocation.name, StockLocation.id)
    )
    return [LocationValue(location, quantity, _exact(value)) for location, quantity, value in rows]


def _exact(total) -> Decimal:
    # SQLite sums NUMERIC as a float: bring it back to exact cents through its text form.
    return Decimal(str(total)).quantize(Decimal("0.01")) if total is not None else ZERO


def part_history(part_id: int, from_on: date, to_on: date, location_id: int | None = None) -> PartHistory:
    """A part's movements in the company-time days from_on..to_on (both included), with the
    quantity on hand before the first and after each; in one location or all of them."""
    part = db.session.get(Part, part_id)
    if part is None:
        raise InvalidInput.on_field("part_id", "No such part.")
    if from_on > to_on:
        raise InvalidInput.on_field("to", "The end of the range is before its start.")
    zone = company_timezone()
    starts_at = datetime.combine(from_on, time.min, zone)
    ends_at = datetime.combine(to_on + timedelta(days=1), time.min, zone)
    scope = [StockMovement.part_id == part_id]
    if location_id is not None:
        scope.append(StockMovement.location_id == location_id)
    opening = db.session.scalar(select(func.coalesce(func.sum(StockMovement.quantity), 0)).where(*scope, StockMovement.created_at < starts_at))
    movements = db.session.scalars(
        select(StockMovement)
        .where(*scope, StockMovement.created_at >= starts_at, StockMovement.created_at < ends_at)
        .order_by(StockMovement.created_at, StockMovement.id)
    )
    lines, balance = [], opening
    for movement in movements:
        balance += movement.quantity
        lines.append(MovementLine(movement, balance))
    return PartHistory(part, opening, lines)


def valuation_csv(shelves: list[ShelfValue]) -> str:
    return _csv(
        ("Location", "SKU", "Part", "Category", "Unit", "Quantity", "Average cost", "Value"),
        (
            (shelf.location.name, shelf.part.sku, shelf.part.name, shelf.part.category or "", shelf.part.unit,
             shelf.quantity, f"{shelf.part.unit_cost:.2f}", f"{shelf.value:.2f}")
            for shelf in shelves
        ),
    )


def history_csv(history: PartHistory) -> str:
    """Times in the company's timezone, with their offset."""
    zone = company_timezone()
    return _csv(
        ("When", "Location", "Kind", "Quantity", "Unit cost", "Reference", "Note", "On hand after"),
        (
            (line.movement.created_at.astimezone(zone).isoformat(timespec="seconds"), line.movement.location.name, line.movement.kind, line.movement.quantity,
             f"{line.movement.unit_cost:.2f}" if line.movement.unit_cost is not None else "",
             line.movement.reference or "", line.movement.note or "", line.balance)
            for line in history.lines
        ),
    )


def _csv(header: tuple, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()
