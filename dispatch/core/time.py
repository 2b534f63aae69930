"""Time is stored in UTC and shown in the company's timezone."""
import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


def company_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["DISPATCH_TIMEZONE"])


def company_today() -> date:
    return company_date(utcnow())


def company_date(moment: datetime) -> date:
    """The day `moment` falls on in the company's timezone."""
    return moment.astimezone(company_timezone()).date()


class UtcDateTime(TypeDecorator):
    """A timezone-aware timestamp, in UTC, on every database.

    SQLite has no timezone type and hands back naive values; this puts UTC
    back on them, and refuses naive values on the way in, which would be ambiguous.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: say which timezone it is in")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def month_days(month: str) -> tuple[date, date]:
    """First and last day of a "YYYY-MM" month."""
    year, number = (int(part) for part in month.split("-"))
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """The month's first moment and the next month's first moment, in the company's timezone."""
    first_day, last_day = month_days(month)
    zone = company_timezone()
    return datetime.combine(first_day, time.min, zone), datetime.combine(last_day + timedelta(days=1), time.min, zone)
