"""Parts, stock locations and stock levels; every level change goes through the ledger.

Shelves (stock level rows) are locked in one order everywhere, by location then
part, and parts before shelves: two bookings touching the same shelves queue
behind each other instead of deadlocking. A level never goes below zero: the
database refuses it (CHECK), and every taking checks what is there first.
"""
from decimal import Decimal

from sqlalchemy import Select, func, or_, select, tuple_, update

from dispatch.audit import service as audit
from dispatch.audit.models import AuditKind
from dispatch.auth.permissions import ensure_visible
from dispatch.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from dispatch.core.money import to_cents
from dispatch.core.sql import insert_on_conflict
from dispatch.core.tx import transactional
from dispatch.extensions import db
from dispatch.inventory.models import LocationKind, MovementKind, Part, StockLevel, StockLocation, StockMovement

LIST_LIMIT = 200
Shelf = tuple[int, int]  # (location_id, part_id): the order shelves are locked in


# The catalogue -------------------------------------------------------------------------------


@transactional
def create_part(
    sku: str,
    name: str,
    unit_price: Decimal,
    unit_cost: Decimal,
    is_taxable: bool = True,
    unit: str = "each",
    category: str | None = None,
    reorder_point: int | None = None,
    reorder_quantity: int | None = None,
) -> Part:
    sku = sku.strip()
    if db.session.scalar(select(Part.id).where(Part.sku == sku)):
        raise InvalidInput.on_field("sku", "A part with this SKU already exists.")
    part = Part(
        sku=sku,
        name=name.strip(),
        unit_price=unit_price,
        unit_cost=unit_cost,
        is_taxable=is_taxable,
        unit=unit.strip(),
        category=_category(category),
        reorder_point=reorder_point,
        reorder_quantity=reorder_quantity,
    )
    db.session.add(part)
    db.session.flush()
    audit.record(AuditKind.CATALOGUE, "part_added", part, sku=part.sku, unit_price=unit_price, unit_cost=unit_cost, is_taxable=is_taxable)
    return part


# What a customer is billed for a part: the log names who changed it. (Its cost moves with deliveries.)
PRICING = ("unit_price", "is_taxable")


@transactional
def update_part(part_id: int, **changes) -> Part:
    """Change what the catalogue says of a part. Its cost is not among them: receipts set it."""
    part = get_part(part_id)
    for name in ("name", "unit"):
        if name in changes:
            changes[name] = changes[name].strip()
    if "category" in changes:
        changes["category"] = _category(changes["category"])
    repriced = audit.differences(
        {name: getattr(part, name) for name in PRICING}, {name: changes[name] for name in PRICING if name in changes}
    )
    for name, value in changes.items():
        setattr(part, name, value)
    db.session.flush()
    if repriced:
        audit.record(AuditKind.CATALOGUE, "part_pricing_changed", part, sku=part.sku, **repriced)
    return part


def _category(category: str | None) -> str | None:
    """Blank is no category."""
    return (category or "").strip() or None


def find_parts(search: str | None = None, category: str | None = None, include_inactive: bool = False) -> list[Part]:
    """The first LIST_LIMIT of parts_query(): enough for a page's pick list."""
    return list(db.session.scalars(parts_query(search, category, include_inactive).limit(LIST_LIMIT)))


def parts_query(search: str | None = None, category: str | None = None, include_inactive: bool = False) -> Select:
    """Parts by SKU (unique: a stable order to page by), optionally matching `search` in SKU or name; active ones
    unless asked otherwise."""
    query = select(Part)
    if not include_inactive:
        query = query.where(Part.is_active)
    if search:
        # Taken literally: "_" is common in SKUs and is no wildcard here.
        search = search.strip()
        query = query.where(or_(Part.sku.icontains(search, autoescape=True), Part.name.icontains(search, autoescape=True)))
    if category:
        query = query.where(Part.category == category.strip())
    return query.order_by(Part.sku)


def part_categories() -> list[str]:
    return list(db.session.scalars(select(Part.category).where(Part.category.isnot(None)).distinct().order_by(Part.category)))


def get_part(part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None:
        raise NotFound("No such part.")
    return part


def parts_by_id(part_ids: set[int]) -> dict[int, Part]:
    """The parts among `part_ids` that exist, read in one query."""
    return {part.id: part for part in db.session.scalars(select(Part).where(Part.id.in_(part_ids)))}


# Locations -----------------------------------------------------------------------------------


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


def van_of(technician_id: int) -> StockLocation:
    return db.session.scalar(select(StockLocation).where(StockLocation.technician_id == technician_id))


def locations_and_van(location_ids: set[int], technician_id: int) -> tuple[dict[int, StockLocation], StockLocation | None]:
    """The locations among `location_ids` that exist, and the technician's van, read in one query."""
    found = db.session.scalars(
        select(StockLocation).where(or_(StockLocation.id.in_(location_ids), StockLocation.technician_id == technician_id))
    )
    by_id = {location.id: location for location in found}
    return by_id, next((location for location in by_id.values() if location.technician_id == technician_id), None)


def warehouses() -> list[StockLocation]:
    return list(db.session.scalars(select(StockLocation).where(StockLocation.kind == LocationKind.WAREHOUSE).order_by(StockLocation.id)))


# Levels --------------------------------------------------------------------------------------


def stock_levels_query(actor, part_id: int | None = None, location_id: int | None = None) -> Select:
    """Stock levels the actor may see, filtered by part and/or location, by location then part (one shelf each)."""
    query = select(StockLevel).order_by(StockLevel.location_id, StockLevel.part_id)
    if part_id is not None:
        query = query.where(StockLevel.part_id == part_id)
    if location_id is not None:
        get_location(location_id, actor)
        query = query.where(StockLevel.location_id == location_id)
    elif actor.is_technician:
        visible_ids = [location.id for location in visible_locations(actor)]
        query = query.where(StockLevel.location_id.in_(visible_ids))
    return query


def shelves_of(location: StockLocation) -> list[StockLevel]:
    """Every part with a shelf at `location`, by SKU, with the part loaded."""
    return list(
        db.session.scalars(
            select(StockLevel).join(Part, Part.id == StockLevel.part_id).where(StockLevel.location_id == location.id).order_by(Part.sku)
        )
    )


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


@transactional
def set_shelf_targets(part_id: int, location_id: int, reorder_point: int | None, target_quantity: int | None) -> StockLevel:
    """Set a shelf's own reorder point and target level (a van's par level); None clears them."""
    _known_part(part_id)
    _known_location(location_id, "location_id")
    level = locked_shelves([(location_id, part_id)])[location_id, part_id]
    level.reorder_point, level.target_quantity = reorder_point, target_quantity
    db.session.flush()
    return level


# The ledger ----------------------------------------------------------------------------------


@transactional
def receive_stock(
    part_id: int, location_id: int, quantity: int, unit_cost: Decimal, actor, reference: str | None = None
) -> StockMovement:
    """Book a delivery into a location and fold its cost into the part's moving-average cost."""
    part = _locked_parts([part_id])[part_id]
    _known_location(location_id, "location_id")
    _fold_into_average_cost(part, quantity, unit_cost * quantity)
    _add_to_level(part_id, location_id, quantity)
    return _record(part, location_id, MovementKind.RECEIPT, quantity, unit_cost, actor, reference)


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
        # No stock levels are kept in the session to bring up to date: skip the ORM's search for them.
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:
        on_shelf = db.session.scalar(
            select(StockLevel.quantity).where(StockLevel.part_id == part.id, StockLevel.location_id == location.id)
        )
        raise Conflict(_not_enough(part, location, on_shelf or 0, quantity, "needed"))
    movement = _record(part, location.id, MovementKind.USAGE, -quantity, part.unit_cost, actor, reference)
    return movement


@transactional
def transfer_stock(
    part_id: int, from_location_id: int, to_location_id: int, quantity: int, actor, reference: str | None = None
) -> tuple[StockMovement, StockMovement]:
    """Move parts between two locations (a van restocked from the warehouse): out of one, into the other."""
    part = _known_part(part_id)
    source = _known_location(from_location_id, "from_location_id")
    destination = _known_location(to_location_id, "to_location_id")
    if source.id == destination.id:
        raise InvalidInput.on_field("to_location_id", "Choose a different location to move the parts to.")
    _ensure_whole_count(quantity, "quantity", minimum=1)
    shelves = locked_shelves([(source.id, part.id), (destination.id, part.id)])
    return move_stock(shelves, part, source, destination, quantity, actor, reference)


def move_stock(shelves: dict, part: Part, source: StockLocation, destination: StockLocation, quantity: int, actor, reference: str | None):
    """Move `quantity` between two shelves already locked by locked_shelves. Joins the caller's transaction."""
    taken_from, put_on = shelves[source.id, part.id], shelves[destination.id, part.id]
    if taken_from.quantity < quantity:
        raise Conflict(_not_enough(part, source, taken_from.quantity, quantity, "to move"))
    taken_from.quantity -= quantity
    put_on.quantity += quantity
    return (
        _record(part, source.id, MovementKind.TRANSFER_OUT, -quantity, part.unit_cost, actor, reference, f"To {destination.name}"),
        _record(part, destination.id, MovementKind.TRANSFER_IN, quantity, part.unit_cost, actor, reference, f"From {source.name}"),
    )


@transactional
def count_shelves(location_id: int, counts: list[dict], reason: str, actor) -> list[StockMovement]:
    """Post a stock count of one location: each counted shelf is set to what was counted, and
    every difference is an adjustment in the ledger with the reason. The adjustments made."""
    location = _known_location(location_id, "location_id", actor)
    ensure_may_count(location, actor)
    if not reason.strip():
        raise InvalidInput.on_field("reason", "Say why the count was taken.")
    if not counts:
        raise InvalidInput.on_field("counts", "Count at least one part.")
    part_ids = [line["part_id"] for line in counts]
    parts = {part.id: part for part in db.session.scalars(select(Part).where(Part.id.in_(part_ids)))}
    for index, line in enumerate(counts):
        if line["part_id"] not in parts:
            raise InvalidInput(errors={"counts": {index: {"part_id": ["No such part."]}}})
        if part_ids.index(line["part_id"]) != index:
            raise InvalidInput(errors={"counts": {index: {"part_id": ["This part is counted twice."]}}})
        _ensure_whole_count(line["counted"], "counted", minimum=0, index=index)
    shelves = locked_shelves([(location.id, part_id) for part_id in part_ids])
    adjustments = []
    for line in sorted(counts, key=lambda line: line["part_id"]):
        shelf, part = shelves[location.id, line["part_id"]], parts[line["part_id"]]
        difference = line["counted"] - shelf.quantity
        if difference:
            shelf.quantity = line["counted"]
            adjustments.append(_record(part, location.id, MovementKind.ADJUSTMENT, difference, part.unit_cost, actor, "Stock count", reason.strip()))
    return adjustments


def ensure_may_count(location: StockLocation, actor) -> None:
    if actor.is_technician and location.technician_id != actor.id:
        raise Forbidden("Technicians count their own van.")


def return_stock(returns: list[tuple[int, int, int, Decimal]], actor, reference: str) -> list[StockMovement]:
    """Put parts back on the shelves they were taken from, at what they cost then:
    (part_id, location_id, quantity, unit_cost) each. Joins the caller's transaction."""
    parts = _locked_parts([part_id for part_id, _location_id, _quantity, _cost in returns])
    for part_id, part in parts.items():
        coming_back = [(quantity, cost) for returned_id, _location_id, quantity, cost in returns if returned_id == part_id]
        _fold_into_average_cost(part, sum(quantity for quantity, _ in coming_back), sum(quantity * cost for quantity, cost in coming_back))
    shelves = locked_shelves([(location_id, part_id) for part_id, location_id, _quantity, _cost in returns])
    movements = []
    for part_id, location_id, quantity, unit_cost in returns:
        shelves[location_id, part_id].quantity += quantity
        movements.append(_record(parts[part_id], location_id, MovementKind.RETURN, quantity, unit_cost, actor, reference))
    return movements


def _locked_parts(part_ids: list[int]) -> dict[int, Part]:
    """The parts, locked until commit (in id order) so their average cost changes one booking at a time."""
    parts = {}
    for part_id in sorted(set(part_ids)):
        part = db.session.scalar(select(Part).where(Part.id == part_id).with_for_update().execution_options(populate_existing=True))
        if part is None:
            raise InvalidInput.on_field("part_id", "No such part.")
        parts[part_id] = part
    return parts


def locked_shelves(shelves: list[Shelf]) -> dict[Shelf, StockLevel]:
    """The stock levels of these (location, part) shelves, made if new, locked until commit.

    All are made before any is locked: a shelf another booking has just made (and
    not yet committed) is then waited for while we hold no locks at all.
    """
    wanted = sorted(set(shelves))
    for location_id, part_id in wanted:
        db.session.execute(
            insert_on_conflict(StockLevel).values(part_id=part_id, location_id=location_id, quantity=0).on_conflict_do_nothing()
        )
    locked = db.session.scalars(
        select(StockLevel)
        .where(tuple_(StockLevel.location_id, StockLevel.part_id).in_(wanted))
        .order_by(StockLevel.location_id, StockLevel.part_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {(level.location_id, level.part_id): level for level in locked}


def _fold_into_average_cost(part: Part, quantity: int, total_cost: Decimal) -> None:
    """The moving average: what is on every shelf, valued at the old average, plus what comes in at its cost."""
    on_hand = db.session.scalar(select(func.coalesce(func.sum(StockLevel.quantity), 0)).where(StockLevel.part_id == part.id))
    average = to_cents((part.unit_cost * on_hand + total_cost) / (on_hand + quantity))
    # The cost of every part used from now on, and so the profit: the log names whoever booked these parts in.
    if averaged := audit.differences({"unit_cost": part.unit_cost}, {"unit_cost": average}):
        audit.record(AuditKind.CATALOGUE, "part_cost_averaged", part, sku=part.sku, quantity=quantity, **averaged)
    part.unit_cost = average


def _add_to_level(part_id: int, location_id: int, quantity: int) -> None:
    """Atomically add to a stock level, creating it on first use; no read-modify-write race."""
    upsert = insert_on_conflict(StockLevel).values(part_id=part_id, location_id=location_id, quantity=quantity)
    db.session.execute(
        upsert.on_conflict_do_update(
            index_elements=[StockLevel.part_id, StockLevel.location_id],
            set_={"quantity": StockLevel.quantity + quantity},
        )
    )


def _record(
    part: Part, location_id: int, kind: MovementKind, quantity: int, unit_cost: Decimal, actor,
    reference: str | None = None, note: str | None = None,
) -> StockMovement:
    movement = StockMovement(
        part_id=part.id,
        location_id=location_id,
        kind=kind,
        quantity=quantity,
        unit_cost=unit_cost,
        reference=reference,
        note=note,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(movement)
    audit.record(
        AuditKind.STOCK, f"stock_{kind}", movement,
        part_id=part.id, location_id=location_id, quantity=quantity, unit_cost=unit_cost,
    )
    return movement


def _known_part(part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None:
        raise InvalidInput.on_field("part_id", "No such part.")
    return part


def _known_location(location_id: int, field: str, actor=None) -> StockLocation:
    """A location named in input: unknown (or, to a technician, another's van) is a field error."""
    location = db.session.get(StockLocation, location_id)
    if location is None or (actor is not None and actor.is_technician and location.kind == LocationKind.VAN and location.technician_id != actor.id):
        raise InvalidInput.on_field(field, "No such stock location.")
    return location


def _ensure_whole_count(quantity, field: str, minimum: int, index: int | None = None) -> None:
    """Parts are counted in whole units: the schemas refuse the rest, and so does the service for any other caller."""
    if isinstance(quantity, int) and not isinstance(quantity, bool) and quantity >= minimum:
        return
    message = [f"A whole number of at least {minimum}."]
    raise InvalidInput(errors={"counts": {index: {field: message}}} if index is not None else {field: message})


def _not_enough(part: Part, location: StockLocation, on_shelf: int, wanted: int, purpose: str) -> str:
    return f"Not enough {part.sku} {part.name} in {location.name}: {on_shelf} there, {wanted} {purpose}."
