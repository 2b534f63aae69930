"""Time is stored in UTC and shown in the company's timezone."""
from datetime import UTC, date, datetime
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
