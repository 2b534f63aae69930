"""Recurring maintenance: plans per customer site, and the visits they book ahead.

A plan's RRULE counts dates from its start date; each date's visit is at the plan's
wall-clock time in the company's timezone, so 09:00 stays 09:00 across DST changes.
Generating is idempotent: a date that has its visit already is skipped, and the
UNIQUE (maintenance_plan_id, occurrence_on) refuses a second one should two runs race.
"""
from datetime import UTC, date, datetime, time, timedelta

from dateutil.rrule import rrule, rrulestr
from sqlalchemy import Select, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from dispatch.auth.models import User
from dispatch.core.errors import Conflict, InvalidInput, NotFound
from dispatch.core.time import company_timezone, company_today, utcnow
from dispatch.core.tx import transaction, transactional
from dispatch.customers.models import Customer, ServiceSite
from dispatch.extensions import db
from dispatch.scheduling import availability, service
from dispatch.scheduling.models import INACTIVE, Appointment, AppointmentKind, AppointmentStatus, MaintenancePlan

LIST_LIMIT = 1000  # plans on the office's page; the API pages through all of them
# Visits are booked by the day: a rule firing more often than daily, or at set hours, makes no sense here.
FREQUENCIES = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
REFUSED_PARTS = {"DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"}
PLAN_FIELDS = ("site_id", "technician_id", "rrule", "starts_on", "ends_on", "visit_time", "minutes", "days_ahead", "notes")


def every(weeks: int | None = None, months: int | None = None, starts_on: date | None = None) -> str:
    """The RRULE for "every N weeks" or "every N months"."""
    if weeks:
        return f"FREQ=WEEKLY;INTERVAL={weeks}"
    rule = f"FREQ=MONTHLY;INTERVAL={months}"
    if starts_on is not None and starts_on.day > 28:
        # Started on the 31st: the last day of shorter months, rather than skipping them.
        rule += f";BYMONTHDAY={','.join(str(day) for day in range(28, starts_on.day + 1))};BYSETPOS=-1"
    return rule


def checked_rrule(rule: str, starts_on: date) -> str:
    """The rule in canonical text, or 422 on rrule saying what is wrong with it."""
    rule = rule.strip().upper().removeprefix("RRULE:")
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    if parts.get("FREQ") not in FREQUENCIES:
        raise InvalidInput.on_field("rrule", "Say how often: FREQ=DAILY, WEEKLY, MONTHLY or YEARLY (e.g. FREQ=MONTHLY;INTERVAL=3).")
    if REFUSED_PARTS & parts.keys():
        raise InvalidInput.on_field("rrule", "Visits are by the day: leave out DTSTART, BYHOUR, BYMINUTE and BYSECOND.")
    try:
        parsed = rrulestr(rule, dtstart=_midnight(starts_on))
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise InvalidInput.on_field("rrule", f"Not a recurrence rule (RFC 5545 RRULE): {error}.") from error
    if not isinstance(parsed, rrule) or _never_falls(parsed, starts_on, int(parts.get("INTERVAL", 1))):
        raise InvalidInput.on_field("rrule", "This rule never falls on a date (30 February, say).")
    return rule


def _never_falls(rule: rrule, starts_on: date, interval: int) -> bool:
    """Whether the rule has no date at all, found without scanning to the year 9999.

    dateutil looks for an impossible rule's next date until the year 9999: many seconds,
    on every run. The Gregorian calendar repeats every 400 years, weekdays and leap days
    included, so the rule is tried from a start moved that many cycles of its interval ahead.
    """
    cycle = 400 * interval
    ahead = starts_on.replace(year=starts_on.year + max(0, (9999 - cycle - starts_on.year) // cycle) * cycle)
    return rule.replace(dtstart=_midnight(ahead), until=None, count=None).after(_midnight(ahead), inc=True) is None


def occurrences(plan: MaintenancePlan, first: date, last: date) -> list[date]:
    """The plan's dates from `first` through `last`, stopping at its end date."""
    if plan.ends_on is not None:
        last = min(last, plan.ends_on)
    first = max(first, plan.starts_on)
    if last < first:
        return []
    rule = rrulestr(plan.rrule, dtstart=_midnight(plan.starts_on))
    return sorted({moment.date() for moment in rule.between(_midnight(first), _midnight(last), inc=True)})


@transactional
def create_plan(actor: User, customer_id: int, **details) -> MaintenancePlan:
    """A new plan; its visits up to `days_ahead` from today are booked at once."""
    plan = MaintenancePlan(customer_id=customer_id)
    _apply(plan, {"starts_on": company_today(), **details})
    db.session.add(plan)
    db.session.flush()
    _book_visits(plan, company_today(), actor)
    return plan


@transactional
def update_plan(plan_id: int, actor: User, **changes) -> MaintenancePlan:
    """Change a plan. Visits already booked stay as they are; the change applies to those booked from now on."""
    plan = _active_plan(plan_id)
    _apply(plan, changes)
    db.session.flush()
    _book_visits(plan, company_today(), actor)
    return plan


@transactional
def deactivate_plan(plan_id: int, actor: User) -> MaintenancePlan:
    """Stop a plan: no more visits, and its visits still to come are cancelled."""
    plan = _active_plan(plan_id)
    plan.is_active = False
    upcoming = db.session.scalars(
        select(Appointment.id).where(
            Appointment.maintenance_plan_id == plan.id,
            Appointment.status == AppointmentStatus.SCHEDULED,
            Appointment.starts_at >= utcnow(),
        )
    ).all()
    for appointment_id in upcoming:
        service.cancel_appointment(appointment_id, actor, "The maintenance plan was stopped.")
    return plan


def get_plan(plan_id: int) -> MaintenancePlan:
    plan = db.session.get(MaintenancePlan, plan_id)
    if plan is None:
        raise NotFound()
    return plan


def find_plans(customer_id: int | None = None, is_active: bool | None = None) -> list[MaintenancePlan]:
    """The first LIST_LIMIT of plans_query(), for the office's page."""
    return list(db.session.scalars(plans_query(customer_id, is_active).limit(LIST_LIMIT)))


def plans_query(customer_id: int | None = None, is_active: bool | None = None) -> Select:
    query = select(MaintenancePlan).options(joinedload(MaintenancePlan.customer)).order_by(MaintenancePlan.id)
    if customer_id is not None:
        query = query.where(MaintenancePlan.customer_id == customer_id)
    if is_active is not None:
        query = query.where(MaintenancePlan.is_active.is_(is_active))
    return query


def generate_maintenance_visits(today: date) -> int:
    """Book every active plan's visits from `today` through its days ahead; how many were booked.

    One transaction per plan, its row locked: a second run at the same moment waits for
    the plan, then finds its visits booked. A failing plan does not hold up the others.
    """
    with transaction():
        plan_ids = db.session.scalars(select(MaintenancePlan.id).where(MaintenancePlan.is_active.is_(True)).order_by(MaintenancePlan.id)).all()
    booked = 0
    for plan_id in plan_ids:
        with transaction():
            plan = db.session.scalar(select(MaintenancePlan).where(MaintenancePlan.id == plan_id).with_for_update())
            if plan.is_active:
                booked += _book_visits(plan, today)
    return booked


def _apply(plan: MaintenancePlan, details: dict) -> None:
    """Check and set the plan's fields; 422 by field on anything wrong, before anything is written."""
    weeks, months = details.pop("every_weeks", None), details.pop("every_months", None)
    for name in PLAN_FIELDS:
        if name in details:
            setattr(plan, name, details[name])
    customer = db.session.get(Customer, plan.customer_id)
    if customer is None or not customer.is_active:
        raise InvalidInput.on_field("customer_id", "No such customer.")
    if plan.site_id is not None and db.session.scalar(select(ServiceSite.customer_id).where(ServiceSite.id == plan.site_id)) != customer.id:
        raise InvalidInput.on_field("site_id", "No such site for this customer.")
    if plan.technician_id is not None and "technician_id" in details:
        availability.active_technician(plan.technician_id)
    if plan.ends_on is not None and plan.ends_on < plan.starts_on:
        raise InvalidInput.on_field("ends_on", "The plan must end on or after its start.")
    if weeks or months:
        plan.rrule = every(weeks, months, plan.starts_on)
    if not plan.rrule:
        raise InvalidInput.on_field("rrule", "Say how often: an RRULE, every_weeks or every_months.")
    plan.rrule = checked_rrule(plan.rrule, plan.starts_on)


def _active_plan(plan_id: int) -> MaintenancePlan:
    plan = get_plan(plan_id)
    if not plan.is_active:
        raise Conflict(f"Maintenance plan {plan.id} is stopped: it cannot be changed.")
    return plan


def _book_visits(plan: MaintenancePlan, today: date, actor: User | None = None) -> int:
    """Book the plan's dates up to its days ahead that have no visit yet. Joins the caller's transaction."""
    dates = occurrences(plan, today, today + timedelta(days=plan.days_ahead))
    already = set(
        db.session.scalars(
            select(Appointment.occurrence_on).where(Appointment.maintenance_plan_id == plan.id, Appointment.occurrence_on.in_(dates))
        )
    )
    booked = 0
    for day in dates:
        starts_at = datetime.combine(day, plan.visit_time, company_timezone()).astimezone(UTC)
        # A visit time gone by today is not booked in the past: the next date will come.
        if day not in already and starts_at > utcnow():
            booked += _book_visit(plan, day, starts_at, actor)
    return booked


def _book_visit(plan: MaintenancePlan, day: date, starts_at: datetime, actor: User | None) -> int:
    """With a technician: the plan's time if free and in their hours, else their first free slot that day,
    else unassigned at the plan's time, for the dispatcher to place. 1 if booked, 0 if another run was first."""
    length = timedelta(minutes=plan.minutes)
    technician_id, at = None, starts_at
    if plan.technician_id is not None and _is_bookable(plan.technician_id):
        best = _best_start(plan.technician_id, day, starts_at, plan.minutes)
        if best is not None:
            technician_id, at = plan.technician_id, best
    try:
        return _book(plan, day, technician_id, at, length, actor)
    except Conflict:
        # Someone booked the technician between our look and our booking: unassigned it is.
        return _book(plan, day, None, starts_at, length, actor)


def _book(plan: MaintenancePlan, day: date, technician_id: int | None, starts_at: datetime, length: timedelta, actor: User | None) -> int:
    try:
        with db.session.begin_nested():
            service.book_appointment(
                plan.customer_id,
                technician_id,
                starts_at,
                starts_at + length,
                notes=plan.notes,
                kind=AppointmentKind.MAINTENANCE,
                site_id=plan.site_id,
                actor=actor,
                maintenance_plan_id=plan.id,
                occurrence_on=day,
            )
            db.session.flush()
    except IntegrityError as refusal:
        if "one_visit_per_occurrence" not in str(refusal.orig):
            raise
        return 0
    return 1


def _best_start(technician_id: int, day: date, starts_at: datetime, minutes: int) -> datetime | None:
    """The plan's time if the technician is free and working then, else their first free slot that day, else None."""
    ends_at = starts_at + timedelta(minutes=minutes)
    try:
        availability.refuse_outside_working_time(technician_id, starts_at, ends_at)
        if not _is_taken(technician_id, starts_at, ends_at):
            return starts_at
    except Conflict:
        pass
    try:
        slot = availability.find_first_free_slot(technician_id, day, minutes)
    except Conflict:
        return None
    return slot if slot.astimezone(company_timezone()).date() == day else None


def _is_taken(technician_id: int, starts_at: datetime, ends_at: datetime) -> bool:
    clash = select(Appointment.id).where(
        Appointment.technician_id == technician_id,
        Appointment.status.not_in(INACTIVE),
        Appointment.starts_at < ends_at,
        Appointment.ends_at > starts_at,
    )
    return db.session.scalar(clash.limit(1)) is not None


def _is_bookable(technician_id: int) -> bool:
    try:
        availability.active_technician(technician_id)
    except InvalidInput:
        return False
    return True


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time())
