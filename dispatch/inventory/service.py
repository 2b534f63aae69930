"""Parts, stock locations and stock levels; every level change goes through the ledger."""
from decimal import Decimal

from sqlalchemy import func, or_, select, update

from dispatch.auth.permissions import ensure_visible
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.money import to_cents
from dispatch.core.sql import insert_on_conflict
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.inventory.models import LocationKind, MovementKind, Part, StockLevel, StockLocation, StockMovement

LIST_LIMIT = 200


@transactional
def create_part(sku: str, name: str, unit_price: Decimal, unit_cost: Decimal, is_taxable: bool = True) -> Part:
    sku = sku.strip()
    if db.session.scalar(select(Part.id).where(Part.sku == sku)):
        raise InvalidInput.on_field("sku", "A part with this SKU already exists.")
    part = Part(sku=sku, name=name.strip(), unit_price=unit_price, unit_cost=unit_cost, is_taxable=is_taxable)
    db.session.add(part)
    db.session.flush()
    return part


def find_parts(search: str | None = None) -> list[Part]:
    """Active parts by SKU, optionally matching `search` in SKU or name."""
    query = select(Part).where(Part.is_active)
    if search:
        # Taken literally: "_" is common in SKUs and is no wildcard here.
        search = search.strip()
        query = query.where(or_(Part.sku.icontains(search, autoescape=True), Part.name.icontains(search, autoescape=True)))
    return list(db.session.scalars(query.order_by(Part.sku).limit(LIST_LIMIT)))


def get_part(part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None:
        raise NotFound("No such part.")
    return part


def open_van(technician) -> StockLocation:
    """A technician's van: a stock location of their own. Joins the caller's transaction."""
    van = StockLocation(name=f"Van – {technician.name}", kind=LocationKind.VAN, technician_id=technician.id)
    db.session.add(van)
    db.session.flush()
    return van


def visible_locations(actor) -> list[StockLocation]:
    """Warehouses and vans; a technician sees the warehouses and their own van."""
    query = select(StockLocation).order_by(StockLocation.kind.desc(), StockLocation.name)
    if actor.is_technician:
        query = query.where(or_(StockLocation.kind == LocationKind.WAREHOUSE, StockLocation.technician_id == actor.id))
    return list(db.session.scalars(query))


def get_location(location_id: int, actor) -> StockLocation:
    location = db.session.get(StockLocation, location_id)
    if location is None:
        raise NotFound("No such stock location.")
    if location.kind == LocationKind.VAN:
        ensure_visible(actor, location.technician_id)
    return location


@transactional
def receive_stock(
    part_id: int, location_id: int, quantity: int, unit_cost: Decimal, actor, reference: str | None = None
) -> StockMovement:
    """Book a delivery into a location and fold its cost into the part's moving-average cost."""
    part = _locked_part(part_id)
    if db.session.get(StockLocation, location_id) is None:
        raise InvalidInput.on_field("location_id", "No such stock location.")
    on_hand = db.session.scalar(select(func.coalesce(func.sum(StockLevel.quantity), 0)).where(StockLevel.part_id == part_id))
    part.unit_cost = to_cents((part.unit_cost * on_hand + unit_cost * quantity) / (on_hand + quantity))
    _add_to_level(part_id, location_id, quantity)
    movement = StockMovement(
        part_id=part_id,
        location_id=location_id,
        kind=MovementKind.RECEIPT,
        quantity=quantity,
        unit_cost=unit_cost,
        reference=reference,
        created_by_id=actor.id,
    )
    db.session.add(movement)
    db.session.flush()
    return movement


def _locked_part(part_id: int) -> Part:
    """The part, locked until commit so concurrent receipts average its cost one at a time."""
    part = db.session.scalar(select(Part).where(Part.id == part_id).with_for_update())
    if part is None:
        raise InvalidInput.on_field("part_id", "No such part.")
    return part


def _add_to_level(part_id: int, location_id: int, quantity: int) -> None:
    """Atomically add to a stock level, creating it on first use; no read-modify-write race."""
    upsert = insert_on_conflict(StockLevel).values(part_id=part_id, location_id=location_id, quantity=quantity)
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=[StockLevel.part_id, StockLevel.location_id],
            set_={"quantity": StockLevel.quantity + quantity},
        )
    )


def stock_levels(actor, part_id: int | None = None, location_id: int | None = None) -> list[StockLevel]:
    """Stock levels the actor may see, filtered by part and/or location."""
    query = select(StockLevel).order_by(StockLevel.location_id, StockLevel.part_id)
    if part_id is not None:
        query = query.where(StockLevel.part_id == part_id)
    if location_id is not None:
        get_location(location_id, actor)
        query = query.where(StockLevel.location_id == location_id)
    elif actor.is_technician:
        visible_ids = [location.id for location in visible_locations(actor)]
        query = query.where(StockLevel.location_id.in_(visible_ids))
    return list(db.session.scalars(query))


def find_part(part_id: int) -> Part | None:
    return db.session.get(Part, part_id)


def van_of(technician_id: int) -> StockLocation:
    return db.session.scalar(select(StockLocation).where(StockLocation.technician_id == technician_id))


def take_stock(part: Part, location_id: int, quantity: int, actor, reference: str | None = None) -> StockMovement:
    """Take parts off a shelf for a job. Joins the caller's transaction.

    One atomic UPDATE that only succeeds while enough is there: two technicians
    taking the last unit at once cannot both get it, and the level never goes
    below zero.
    """
    location = get_location(location_id, actor)
    taken = db.session.execute(
        update(StockLevel)
        .where(StockLevel.part_id == part.id, StockLevel.location_id == location.id, StockLevel.quantity >= quantity)
        .values(quantity=StockLevel.quantity - quantity)
    )
    if taken.rowcount != 1:
        on_shelf = db.session.scalar(
            select(StockLevel.quantity).where(StockLevel.part_id == part.id, StockLevel.location_id == location.id)
        )
        raise Conflict(
            f"Not enough {part.sku} {part.name} in {location.name}: {on_shelf or 0} there, {quantity} needed."
        )
    movement = StockMovement(
        part_id=part.id,
        location_id=location.id,
        kind=MovementKind.USAGE,
        quantity=-quantity,
        unit_cost=part.unit_cost,
        reference=reference,
        created_by_id=actor.id,
    )
    db.session.add(movement)
    return movement


def van_stock(technician_id: int) -> list[tuple[Part, int]]:
    """(part, quantity) for every part that has a shelf in the technician's van, by SKU."""
    return list(
        db.session.execute(
            select(Part, StockLevel.quantity)
            .join(StockLevel, StockLevel.part_id == Part.id)
            .join(StockLocation, StockLocation.id == StockLevel.location_id)
            .where(StockLocation.technician_id == technician_id)
            .order_by(Part.sku)
        )
    )
