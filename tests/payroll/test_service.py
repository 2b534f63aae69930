"""Accruals against hand calculations: hours, overtime by day and by week, across pay periods,
commission, mileage, raises, voids and closed periods.

The technician is paid 30.00 an hour, overtime 1.5 × 30.00 = 45.00, unless a test says otherwise.
"""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dispatch.core.errors import Conflict, InvalidInput
from dispatch.extensions import db
from dispatch.payroll.models import PayAccrual, PayStatement
from dispatch.payroll.runs import current_period

D = Decimal
REGULAR, OVERTIME, COMMISSION, MILEAGE = "regular", "overtime", "commission", "mileage"


def test_hours_are_paid_at_the_hourly_rate(payroll, technician):
    # 125 min = 2.08 h (to the hundredth) × 30.00 = 62.40
    job = payroll.work(technician, date(2026, 3, 2), hours="2.0833333")
    assert payroll.lines(job) == [(REGULAR, D("2.08"), D("30.00"), D("62.40"))]


def test_the_job_that_pushes_the_week_past_40_hours_accrues_the_excess_as_overtime(payroll, technician):
    # Monday to Thursday 10 + 10 + 10 + 8 = 38 h; Friday's 5 h: 2 h regular (60.00), 3 h overtime (3 × 45.00 = 135.00).
    week = [payroll.work(technician, date(2026, 3, day), hours=h) for day, h in ((2, "10"), (3, "10"), (4, "10"), (5, "8"))]
    friday = payroll.work(technician, date(2026, 3, 6), hours="5")
    assert [payroll.lines(job) for job in week] == [
        [(REGULAR, D("10.00"), D("30.00"), D("300.00"))],
        [(REGULAR, D("10.00"), D("30.00"), D("300.00"))],
        [(REGULAR, D("10.00"), D("30.00"), D("300.00"))],
        [(REGULAR, D("8.00"), D("30.00"), D("240.00"))],
    ]
    assert payroll.lines(friday) == [(REGULAR, D("2.00"), D("30.00"), D("60.00")), (OVERTIME, D("3.00"), D("45.00"), D("135.00"))]
    # The next Monday starts a new week: all regular again.
    assert payroll.lines(payroll.work(technician, date(2026, 3, 9), hours="4")) == [(REGULAR, D("4.00"), D("30.00"), D("120.00"))]


def test_hours_over_8_in_a_day_are_overtime_when_the_rule_says_so(payroll, technician):
    payroll.rule(technician, date(2026, 3, 1), hourly_rate="30.00", daily_overtime_after_hours="8.00")
    morning = payroll.work(technician, date(2026, 3, 2), hours="6")
    afternoon = payroll.work(technician, date(2026, 3, 2), hours="4")  # 10 h that day: 2 h over 8
    assert payroll.lines(morning) == [(REGULAR, D("6.00"), D("30.00"), D("180.00"))]
    assert payroll.lines(afternoon) == [(REGULAR, D("2.00"), D("30.00"), D("60.00")), (OVERTIME, D("2.00"), D("45.00"), D("90.00"))]


def test_daily_overtime_is_not_counted_again_towards_the_week(payroll, technician):
    payroll.rule(technician, date(2026, 3, 1), hourly_rate="30.00", daily_overtime_after_hours="8.00")
    # Monday to Friday 10 h a day: 2 h a day over 8 (10 h), 8 h a day straight time (40 h): no weekly overtime yet.
    weekdays = [payroll.work(technician, date(2026, 3, day), hours="10") for day in range(2, 7)]
    assert all(payroll.lines(job)[1] == (OVERTIME, D("2.00"), D("45.00"), D("90.00")) for job in weekdays)
    # Saturday's 4 h take straight time to 44 h: all 4 are overtime, 4 × 45.00 = 180.00.
    saturday = payroll.work(technician, date(2026, 3, 7), hours="4")
    assert payroll.lines(saturday) == [(OVERTIME, D("4.00"), D("45.00"), D("180.00"))]
    # The week: 54 h, 40 regular (1200.00) and 14 overtime (630.00).
    assert payroll.total(technician) == D("1830.00")


def test_weekly_overtime_counts_the_whole_week_across_a_pay_period_boundary(payroll, technician):
    """Semi-monthly pay: the week of Monday 2026-04-13 is split by the period ending on the 15th."""
    payroll.settings(pay_frequency="semimonthly")
    for day in (13, 14, 15):
        payroll.work(technician, date(2026, 4, day), hours="10")
    first = payroll.run(date(2026, 4, 1))
    assert [(s.hours, s.total) for s in first.statements] == [(D("30.00"), D("900.00"))]

    thursday = payroll.work(technician, date(2026, 4, 16), hours="10")  # 40 h in the week: still regular
    friday = payroll.work(technician, date(2026, 4, 17), hours="6")  # 46 h: 6 h overtime, 6 × 45.00 = 270.00
    assert payroll.lines(thursday) == [(REGULAR, D("10.00"), D("30.00"), D("300.00"))]
    assert payroll.lines(friday) == [(OVERTIME, D("6.00"), D("45.00"), D("270.00"))]
    second = payroll.run(date(2026, 4, 16))
    assert (second.starts_on, second.ends_on) == (date(2026, 4, 16), date(2026, 4, 30))
    assert [(s.hours, s.total) for s in second.statements] == [(D("16.00"), D("570.00"))]


def test_work_filed_late_for_a_paid_period_accrues_into_the_next_open_one_with_its_days_overtime(payroll, technician):
    payroll.rule(technician, date(2026, 3, 1), hourly_rate="30.00", daily_overtime_after_hours="8.00")
    payroll.work(technician, date(2026, 3, 13), hours="6")
    payroll.run(date(2026, 3, 2))  # pays 2026-03-02 to 03-15 and locks it

    late = payroll.work(technician, date(2026, 3, 13), hours="4")  # the same Friday: 10 h, 2 over 8
    assert payroll.lines(late) == [(REGULAR, D("2.00"), D("30.00"), D("60.00")), (OVERTIME, D("2.00"), D("45.00"), D("90.00"))]
    lines = db.session.scalars(select(PayAccrual).where(PayAccrual.work_order_id == late)).all()
    assert {(line.worked_on, line.accrued_on, line.is_late, line.pay_statement_id) for line in lines} == {
        (date(2026, 3, 13), date(2026, 3, 16), True, None)
    }
    nxt = payroll.run(date(2026, 3, 16))
    assert [(s.hours, s.total) for s in nxt.statements] == [(D("4.00"), D("150.00"))]


def test_commission_on_billed_labour_and_parts_and_mileage_per_mile(payroll, technician):
    payroll.rule(
        technician, date(2026, 3, 1), hourly_rate="30.00", labour_commission_percent="10.000", parts_commission_percent="2.500",
        mileage_rate="0.67",
    )
    # 2 h × 30.00 = 60.00; 10 % of 230.00 labour = 23.00; 2.5 % of 273.00 parts = 6.825 → 6.83; 18.4 mi × 0.67 = 12.328 → 12.33
    job = payroll.work(technician, date(2026, 3, 2), hours="2", billed_labour="230.00", billed_parts="273.00", miles="18.4")
    assert payroll.lines(job) == [
        (REGULAR, D("2.00"), D("30.00"), D("60.00")),
        (COMMISSION, None, None, D("23.00")),
        (COMMISSION, None, None, D("6.83")),
        (MILEAGE, None, D("0.67"), D("12.33")),
    ]
    mileage = db.session.scalar(select(PayAccrual).where(PayAccrual.work_order_id == job, PayAccrual.kind == MILEAGE))
    assert mileage.miles == D("18.4")


def test_no_commission_or_mileage_lines_without_a_rate(payroll, technician):
    job = payroll.work(technician, date(2026, 3, 2), hours="1", billed_labour="125.00", billed_parts="50.00", miles="12")
    assert payroll.lines(job) == [(REGULAR, D("1.00"), D("30.00"), D("30.00"))]


def test_a_raise_applies_from_its_date_and_never_rewrites_the_past(payroll, technician):
    before = payroll.work(technician, date(2026, 3, 3), hours="4")  # 4 × 30.00
    payroll.rule(technician, date(2026, 3, 9), hourly_rate="34.00")
    after = payroll.work(technician, date(2026, 3, 10), hours="4")  # 4 × 34.00, in the same pay period
    earlier_day_filed_now = payroll.work(technician, date(2026, 3, 4), hours="1")  # before the raise: 30.00
    assert payroll.lines(before) == [(REGULAR, D("4.00"), D("30.00"), D("120.00"))]
    assert payroll.lines(after) == [(REGULAR, D("4.00"), D("34.00"), D("136.00"))]
    assert payroll.lines(earlier_day_filed_now) == [(REGULAR, D("1.00"), D("30.00"), D("30.00"))]
    # A second raise ends the first the day before it starts.
    payroll.rule(technician, date(2026, 4, 1), hourly_rate="36.00")
    assert payroll.lines(payroll.work(technician, date(2026, 3, 31), hours="1"))[0][2] == D("34.00")
    assert payroll.lines(payroll.work(technician, date(2026, 4, 1), hours="1"))[0][2] == D("36.00")


def test_voiding_reverses_with_negative_lines_and_recounts_the_weeks_overtime(payroll, technician):
    week = [payroll.work(technician, date(2026, 3, day), hours=h) for day, h in ((2, "10"), (3, "10"), (4, "10"), (5, "8"))]
    friday = payroll.work(technician, date(2026, 3, 6), hours="5")  # 2 h regular 60.00 + 3 h overtime 135.00
    assert payroll.total(technician) == D("1335.00")
    originals = db.session.scalar(select(func.count()).select_from(PayAccrual))

    reversal = payroll.void(week[1])  # Tuesday's 10 h: the week drops to 33 h, no overtime left
    assert reversal == [
        (REGULAR, D("-10.00"), D("-300.00")),
        (OVERTIME, D("-3.00"), D("-135.00")),  # Friday's overtime is taken back …
        (REGULAR, D("3.00"), D("90.00")),  # … and paid as regular hours
    ]
    assert payroll.lines(friday)[2:] == [(OVERTIME, D("-3.00"), D("45.00"), D("-135.00")), (REGULAR, D("3.00"), D("30.00"), D("90.00"))]
    assert payroll.total(technician) == D("990.00")  # 33 h × 30.00
    # Nothing was changed or deleted: only lines added.
    assert db.session.scalar(select(func.count()).select_from(PayAccrual)) == originals + 3
    assert payroll.void(week[1]) == []  # twice: nothing more


def test_voiding_a_job_with_its_own_overtime_reverses_it_line_by_line(payroll, technician):
    for day, h in ((2, "10"), (3, "10"), (4, "10"), (5, "8")):
        payroll.work(technician, date(2026, 3, day), hours=h)
    friday = payroll.work(technician, date(2026, 3, 6), hours="5")
    assert payroll.void(friday) == [(REGULAR, D("-2.00"), D("-60.00")), (OVERTIME, D("-3.00"), D("-135.00"))]
    assert payroll.total(technician) == D("1140.00")  # 38 h × 30.00


def test_voiding_work_of_a_paid_period_reverses_it_in_the_next_open_one(payroll, technician):
    payroll.rule(
        technician, date(2026, 3, 1), hourly_rate="30.00", labour_commission_percent="10", parts_commission_percent="5", mileage_rate="0.70"
    )
    # 4 h 120.00 + 10 % of 200.00 = 20.00 + 5 % of 100.00 = 5.00 + 10 mi × 0.70 = 7.00: 152.00
    job = payroll.work(technician, date(2026, 3, 3), hours="4", billed_labour="200.00", billed_parts="100.00", miles="10")
    paid = payroll.run(date(2026, 3, 2))
    assert [s.total for s in paid.statements] == [D("152.00")]

    assert payroll.void(job) == [
        (REGULAR, D("-4.00"), D("-120.00")),
        (COMMISSION, None, D("-20.00")),
        (COMMISSION, None, D("-5.00")),
        (MILEAGE, None, D("-7.00")),
    ]
    reversals = db.session.scalars(select(PayAccrual).where(PayAccrual.reverses_id.isnot(None))).all()
    assert {(line.worked_on, line.accrued_on, line.pay_statement_id) for line in reversals} == {(date(2026, 3, 3), date(2026, 3, 16), None)}
    # The paid statement is as it was; the next one takes the 152.00 back.
    assert db.session.get(PayStatement, paid.statements[0].id).total == D("152.00")
    assert [s.total for s in payroll.run(date(2026, 3, 16)).statements] == [D("-152.00")]


def test_voiding_a_job_with_nothing_accrued_writes_nothing(payroll, technician):
    job = payroll.work(technician, date(2026, 3, 2), miles="5")  # no hours, no mileage rate: no lines
    assert payroll.void(job) == []


def test_overlapping_rules_are_refused_and_nothing_is_written(payroll, technician):
    payroll.rule(technician, date(2026, 3, 1), hourly_rate="30.00", ends_on=date(2026, 3, 31))
    with pytest.raises(Conflict):
        payroll.rule(technician, date(2026, 3, 15), hourly_rate="32.00")
    with pytest.raises(Conflict):
        payroll.rule(technician, date(2026, 2, 1), hourly_rate="32.00", ends_on=date(2026, 3, 1))
    with pytest.raises(InvalidInput):
        payroll.rule(technician, date(2026, 5, 1), hourly_rate="32.00", ends_on=date(2026, 4, 1))
    assert [(r.effective_on, r.ends_on) for r in payroll_rules(technician)] == [(date(2026, 3, 1), date(2026, 3, 31))]
    # After a limited rule, the starting rate applies again.
    assert payroll.lines(payroll.work(technician, date(2026, 4, 1), hours="1"))[0][2] == D("30.00")


def test_a_rule_cannot_start_in_a_paid_period(payroll, technician):
    payroll.work(technician, date(2026, 3, 3), hours="1")
    payroll.run(date(2026, 3, 2))
    with pytest.raises(InvalidInput) as refused:
        payroll.rule(technician, date(2026, 3, 15), hourly_rate="40.00")
    assert "effective_on" in refused.value.errors
    assert payroll_rules(technician) == []


def test_payroll_runs_refuse_an_open_period_a_repeat_and_going_out_of_order(payroll, technician):
    payroll.work(technician, date(2026, 3, 3), hours="1")
    with pytest.raises(Conflict, match="has not ended"):
        payroll.run(current_period().starts_on)
    with pytest.raises(InvalidInput):
        payroll.run(date(2026, 3, 3))  # no period starts on a Tuesday
    payroll.run(date(2026, 3, 2))
    with pytest.raises(Conflict, match="has been run"):
        payroll.run(date(2026, 3, 2))
    with pytest.raises(Conflict, match="in order"):
        payroll.run(date(2026, 3, 30))
    assert db.session.scalar(select(func.count()).select_from(PayStatement)) == 1


def test_bonuses_and_deductions_are_lines_of_their_own(payroll, technician):
    from dispatch.payroll.service import enter_adjustment

    payroll.work(technician, date(2026, 3, 3), hours="2")  # 60.00
    enter_adjustment(technician.id, "bonus", D("150.00"), "Five-star reviews", date(2026, 3, 6), payroll.owner)
    enter_adjustment(technician.id, "deduction", D("25.00"), "Uniform", date(2026, 3, 6), payroll.owner)
    run = payroll.run(date(2026, 3, 2))
    assert [(s.hours, s.total) for s in run.statements] == [(D("2.00"), D("185.00"))]


def payroll_rules(technician):
    from dispatch.payroll.rules import list_pay_rules

    return list_pay_rules(technician.id)
