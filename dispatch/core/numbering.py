"""Gapless document numbers (work orders, invoices): a locked counter row per series and year.

The counter is incremented inside the caller's transaction and stays locked
until it commits; a rolled-back filing gives its number back, so numbers never skip.
"""
from sqlalchemy import String, update
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.sql import insert_on_conflict
from dispatch.extensions import db


class NumberSequence(db.Model):
    __tablename__ = "number_sequences"

    series: Mapped[str] = mapped_column(String(20), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


def next_number(series: str, year: int) -> str:
    """The next number of `series` for `year`, formatted as SERIES-YEAR-000123."""
    number = _increment(series, year)
    if number is None:  # the year's first number: make its counter (or find it made meanwhile), then count
        db.session.execute(
            insert_on_conflict(NumberSequence).values(series=series, year=year, last_number=0).on_conflict_do_nothing()
        )
        number = _increment(series, year)
    return f"{series}-{year}-{number:06d}"


def _increment(series: str, year: int) -> int | None:
    # No counter objects are kept in the session to bring up to date: skipping that search saves ORM work per number.
    return db.session.scalar(
        update(NumberSequence)
        .where(NumberSequence.series == series, NumberSequence.year == year)
        .values(last_number=NumberSequence.last_number + 1)
        .returning(NumberSequence.last_number)
        .execution_options(synchronize_session=False)
    )
