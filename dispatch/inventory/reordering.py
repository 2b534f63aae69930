"""What to order and what to restock: shelves at their reorder point, vans below their target levels."""
from dataclasses import dataclass

from sqlalchemy import func, select

from dispatch.core.errors import InvalidInput
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.inventory import service
from dispatch.inventory.models import LocationKind, Part, StockLevel, StockLocation, StockMovement


@dataclass(frozen=True)
class LowShelf:
    level: StockLevel
    reorder_point: int
    # To reach the shelf's target level if it has one, else the part's reorder quantity.
    suggested: int

    @property
    def source(self) -> str:
        return "the supplier" if self.level.location.kind == LocationKind.WAREHOUSE else "the warehouse"


@dataclass(frozen=True)
class RestockLine:
    part: Part
    on_van: int
    target: int
    in_warehouse: int

    @property
    def needed(self) -> int:
        return self.target - self.on_van

    @property
    def to_send(self) -> int:
        """What the warehouse can send now: what is needed, if it has that many."""
        return min(self.needed, self.in_warehouse)


@dataclass(frozen=True)
class VanRestock:
    van: StockLocation
    lines: list[RestockLine]


def low_shelves() -> list[LowShelf]:
    """Shelves of active parts at or below their reorder point (the shelf's own, else the part's)."""
    reorder_point = func.coalesce(StockLevel.reorder_point, Part.reorder_point)
    rows = db.session.execute(
        select(StockLevel, reorder_point)
        .join(Part, Part.id == StockLevel.part_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(Part.is_active, reorder_point.isnot(None), StockLevel.quantity <= reorder_point)
        .order_by(StockLocation.kind.desc(), StockLocation.name, Part.sku)
    )
    return [LowShelf(level, point, _suggested(level)) for level, point in rows]


def _suggested(level: StockLevel) -> int:
    if level.target_quantity is not None and level.target_quantity > level.quantity:
        return level.target_quantity - level.quantity
    return level.part.reorder_quantity or 0


def restock_suggestions(warehouse_id: int) -> list[VanRestock]:
    """For each van, the parts below their target level and what the warehouse has of them."""
    warehouse = db.session.get(StockLocation, warehouse_id)
    if warehouse is None or warehouse.kind != LocationKind.WAREHOUSE:
        raise InvalidInput.on_field("warehouse_id", "No such warehouse.")
    in_warehouse = dict(
        db.session.execute(select(StockLevel.part_id, StockLevel.quantity).where(StockLevel.location_id == warehouse.id)).all()
    )
    short = db.session.scalars(
        select(StockLevel)
        .join(Part, Part.id == StockLevel.part_id)
        .join(StockLocation, StockLocation.id == StockLevel.location_id)
        .where(StockLocation.kind == LocationKind.VAN, Part.is_active, StockLevel.target_quantity > StockLevel.quantity)
        .order_by(StockLocation.name, StockLocation.id, Part.sku)
    )
    by_van: dict[int, VanRestock] = {}
    for level in short:
        restock = by_van.setdefault(level.location_id, VanRestock(level.location, []))
        restock.lines.append(RestockLine(level.part, level.quantity, level.target_quantity, in_warehouse.get(level.part_id, 0)))
    return list(by_van.values())


@transactional
def restock_van(van_id: int, warehouse_id: int, actor) -> list[StockMovement]:
    """Send a van what it needs from the warehouse to reach its target levels, as far as the warehouse has it.

    Every shelf is locked first, in the one order, then the transfers are booked.
    """
    restock = next((found for found in restock_suggestions(warehouse_id) if found.van.id == van_id), None)
    lines = [line for line in restock.lines if line.to_send > 0] if restock else []
    if not lines:
        raise InvalidInput.on_field("van_id", "This van needs nothing the warehouse has.")
    shelves = service.locked_shelves(
        [(location_id, line.part.id) for line in lines for location_id in (warehouse_id, van_id)]
    )
    warehouse, van = db.session.get(StockLocation, warehouse_id), restock.van
    movements = []
    for line in lines:
        # Recomputed on the locked shelves: a filing may have taken some since the suggestion was read.
        needed = line.target - shelves[van_id, line.part.id].quantity
        to_send = min(needed, shelves[warehouse_id, line.part.id].quantity)
        if to_send > 0:
            movements += service.move_stock(shelves, line.part, warehouse, van, to_send, actor, "Van restock")
    return movements
