"""The pay calendar: pay periods from the company's frequency, work weeks for overtime."""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from dispatch.company.models import CompanySettings, PayFrequency

PERIOD_DAYS = {PayFrequency.WEEKLY: 7, PayFrequency.BIWEEKLY: 14}
# Semi-monthly: the 1st to the 15th, the 16th to the month's end.
SECOND_HALF_STARTS = 16


@dataclass(frozen=True)
class Period:
    starts_on: date
    ends_on: date

    def __contains__(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def days(self) -> list[date]:
        return [self.starts_on + timedelta(days=offset) for offset in range((self.ends_on - self.starts_on).days + 1)]


def pay_period_containing(day: date, settings: CompanySettings) -> Period:
    if settings.pay_frequency == PayFrequency.SEMIMONTHLY:
        if day.day < SECOND_HALF_STARTS:
            return Period(day.replace(day=1), day.replace(day=SECOND_HALF_STARTS - 1))
        last_day = calendar.monthrange(day.year, day.month)[1]
        return Period(day.replace(day=SECOND_HALF_STARTS), day.replace(day=last_day))
    return _counted_from_anchor(day, settings.pay_period_anchor_on, PERIOD_DAYS[PayFrequency(settings.pay_frequency)])


def work_week_containing(day: date, settings: CompanySettings) -> Period:
    """Seven days starting on the anchor's weekday, whatever the pay frequency: overtime is weekly by law."""
    return _counted_from_anchor(day, settings.pay_period_anchor_on, 7)


def _counted_from_anchor(day: date, anchor: date, length: int) -> Period:
    # Floor division: days before the anchor fall in the periods before it.
    starts_on = anchor + timedelta(days=(day - anchor).days // length * length)
    return Period(starts_on, starts_on + timedelta(days=length - 1))
