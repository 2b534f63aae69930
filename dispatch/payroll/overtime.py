"""Overtime owed for a work week, from the hours worked each day: daily first, then weekly.

Hours already paid as daily overtime do not count again towards the weekly limit
(California's rule; under the FLSA alone only the weekly limit is set).
"""
from datetime import date
from decimal import Decimal

from dispatch.payroll.models import PayRule

NONE = Decimal("0.00")


def overtime_hours(hours_by_day: dict[date, Decimal], rule: PayRule) -> Decimal:
    daily = NONE
    if rule.daily_overtime_after_hours is not None:
        daily = sum((max(hours - rule.daily_overtime_after_hours, NONE) for hours in hours_by_day.values()), NONE)
    weekly = NONE
    if rule.weekly_overtime_after_hours is not None:
        straight_time = sum(hours_by_day.values(), NONE) - daily
        weekly = max(straight_time - rule.weekly_overtime_after_hours, NONE)
    return daily + weekly
