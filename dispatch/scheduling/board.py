"""What the dispatcher's board and the technician's day show, read in a fixed number of queries.

The board is read as plain rows (no ORM objects, no lazy loads): 50 technicians × a week is
a couple of thousand appointments, and one query per technician or per customer would grow with them.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select

from dispatch.auth.models import Role, User
from dispatch.core.time import company_timezone
from dispatch.customers.models import Customer, ServiceSite
from dispatch.extensions import db
from dispatch.scheduling.availability import USUAL_WEEK
from dispatch.scheduling.models import FINISHED, Appointment, AppointmentStatus, TimeOff, WorkingHours

# The side list and the booking form's customer list are bounded: a page, not a dump.
UNASSIGNED_LIMIT = 200
CUSTOMER_CHOICES = 500


@dataclass(frozen=True)
class Visit:
    """One appointment as the board and the day page show it; times in the company's timezone."""

    id: int
    technician_id: int | None
    starts_at: datetime
    ends_at: datetime
    status: str
    kind: str
    customer_name: str
    notes: str | None = None
    address: str | None = None
    phone: str | None = None

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_open(self) -> bool:
        return self.status not in FINISHED


@dataclass
class Board:
    days: list[date]
    technicians: list[User]
    # (technician id, day) → the visits starting that day, in order.
    visits: dict[tuple[int, date], list[Visit]] = field(default_factory=lambda: defaultdict(list))
    unassigned: list[Visit] = field(default_factory=list)
    # (technician id, day) → what keeps them away that day.
    time_off: dict[tuple[int, date], list[str]] = field(default_factory=lambda: defaultdict(list))
    # technician id → their weekdays off (Monday 0).
    days_off: dict[int, set[int]] = field(default_factory=dict)

    def visits_of(self, technician_id: int, day: date) -> list[Visit]:
        return self.visits.get((technician_id, day), [])


def read_board(first_day: date, days: int) -> Board:
    """Every active technician's visits (cancelled ones left out) from `first_day` for `days` days,
    their time off and days off, and the unassigned work: five queries, whatever the numbers."""
    zone = company_timezone()
    board = Board(days=[first_day + timedelta(days=offset) for offset in range(days)], technicians=active_technicians())
    starts_from = datetime.combine(first_day, time(), zone)
    starts_before = datetime.combine(first_day + timedelta(days=days), time(), zone)
    for visit in _visits(
        Appointment.technician_id.is_not(None), Appointment.starts_at >= starts_from, Appointment.starts_at < starts_before
    ):
        board.visits[(visit.technician_id, visit.starts_at.date())].append(visit)
    board.unassigned = _visits(Appointment.technician_id.is_(None), Appointment.status.not_in(FINISHED), limit=UNASSIGNED_LIMIT)
    for technician_id, away_from, away_until, reason in db.session.execute(
        select(TimeOff.technician_id, TimeOff.starts_at, TimeOff.ends_at, TimeOff.reason).where(
            TimeOff.starts_at < starts_before, TimeOff.ends_at > starts_from
        )
    ):
        for day in board.days:
            if away_from < datetime.combine(day + timedelta(days=1), time(), zone) and away_until > datetime.combine(day, time(), zone):
                board.time_off[(technician_id, day)].append(reason or "Time off")
    board.days_off = _days_off()
    return board


def technicians_day(technician_id: int, day: date) -> list[Visit]:
    """The technician's visits on `day` (company time), in order, with where and whom to call; not the cancelled."""
    zone = company_timezone()
    return _visits(
        Appointment.technician_id == technician_id,
        Appointment.starts_at >= datetime.combine(day, time(), zone),
        Appointment.starts_at < datetime.combine(day + timedelta(days=1), time(), zone),
    )


def _visits(*conditions, limit: int | None = None) -> list[Visit]:
    zone = company_timezone()
    query = (
        select(
            Appointment.id,
            Appointment.technician_id,
            Appointment.starts_at,
            Appointment.ends_at,
            Appointment.status,
            Appointment.kind,
            Customer.name,
            Appointment.notes,
            # The site's address if the visit is at one of the customer's sites, else the customer's own.
            ServiceSite.address,
            Customer.address,
            Customer.phone,
        )
        .join(Customer, Customer.id == Appointment.customer_id)
        .outerjoin(ServiceSite, ServiceSite.id == Appointment.site_id)
        .where(Appointment.status != AppointmentStatus.CANCELLED, *conditions)
        .order_by(Appointment.starts_at, Appointment.id)
        .limit(limit)
    )
    return [
        Visit(
            id=row[0], technician_id=row[1], starts_at=row[2].astimezone(zone), ends_at=row[3].astimezone(zone),
            status=row[4], kind=row[5], customer_name=row[6], notes=row[7], address=row[8] or row[9], phone=row[10],
        )
        for row in db.session.execute(query)
    ]


def customer_choices() -> list[tuple[int, str]]:
    """(id, name) of the active customers, by name, for the booking form: two columns, not the customers and their sites."""
    query = select(Customer.id, Customer.name).where(Customer.is_active).order_by(Customer.name).limit(CUSTOMER_CHOICES)
    return [tuple(row) for row in db.session.execute(query)]


def active_technicians() -> list[User]:
    """Who work can be given to: the active technicians, by name."""
    return list(db.session.scalars(select(User).where(User.role == Role.TECHNICIAN, User.is_active.is_(True)).order_by(User.name)))


def _days_off() -> dict[int, set[int]]:
    """Weekdays off per technician with a pattern of their own; the others work the usual week."""
    working: dict[int, set[int]] = defaultdict(set)
    for technician_id, weekday in db.session.execute(select(WorkingHours.technician_id, WorkingHours.weekday)):
        working[technician_id].add(weekday)
    usual_days_off = set(range(7)) - set(USUAL_WEEK)
    return defaultdict(lambda: usual_days_off, {technician_id: set(range(7)) - days for technician_id, days in working.items()})
