"""GET /pay-accruals: a technician sees their own pay, the owner everyone's, the dispatcher none."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from dispatch.extensions import db
from dispatch.payroll.models import PayAccrual


@pytest.fixture
def two_technicians(app, shop, api_as, make_user):
    """The shop's technician (32.00/h) and a second one (40.00/h), each with filed work, on known days.

    shop's technician, the example work order: 125 min = 2.08 h × 32.00 = 66.56, on 2026-03-02
                       a second job, 45 min = 0.75 h × 32.00 = 24.00, on 2026-03-16
    the other one:     60 min = 1.00 h × 40.00 = 40.00, on 2026-03-09
    """
    other = api_as(make_user("technician", hourly_rate=Decimal("40.00")))
    short_job = {"parts": [], "mileage": [], "follow_up": None}
    first = shop.technician.post("/work-orders", json=shop.work_order()).json
    second = shop.technician.post("/work-orders", json=shop.work_order(labor=[{"kind": "onsite", "minutes": 45}], **short_job)).json
    theirs = other.post("/work-orders", json=shop.work_order(labor=[{"kind": "onsite", "minutes": 60}], **short_job)).json
    assert (first["pay_accrued"], second["pay_accrued"], theirs["pay_accrued"]) == ("66.56", "24.00", "40.00")
    with app.app_context():
        for work_order, day in ((first, date(2026, 3, 2)), (theirs, date(2026, 3, 9)), (second, date(2026, 3, 16))):
            accrual = db.session.scalar(select(PayAccrual).where(PayAccrual.work_order_id == work_order["id"]))
            accrual.accrued_on = day
        db.session.commit()
    return {"mine": shop.technician, "other": other, "first": first, "second": second, "theirs": theirs}


def amounts(answer) -> list[tuple]:
    assert answer.status_code == 200, answer.json
    return [(accrual["technician_id"], accrual["amount"], accrual["accrued_on"]) for accrual in answer.json]


def test_an_accrual_is_shown_in_full_with_money_as_strings(shop):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    [accrual] = shop.technician.get("/pay-accruals").json
    assert accrual == {
        "id": accrual["id"],
        "technician_id": shop.technician.user.id,
        "work_order_id": filed["id"],
        "kind": "regular",
        "hours": "2.08",  # 95 + 30 = 125 min
        "rate": "32.00",
        "amount": "66.56",  # 2.08 × 32.00
        "accrued_on": accrual["accrued_on"],
    }
    assert isinstance(accrual["id"], int)
    assert date.fromisoformat(accrual["accrued_on"])  # YYYY-MM-DD


def test_a_technician_sees_only_their_own(two_technicians):
    mine, other = two_technicians["mine"], two_technicians["other"]
    own = [(mine.user.id, "66.56", "2026-03-02"), (mine.user.id, "24.00", "2026-03-16")]
    assert amounts(mine.get("/pay-accruals")) == own
    assert amounts(mine.get(f"/pay-accruals?technician_id={mine.user.id}")) == own
    assert amounts(other.get("/pay-accruals")) == [(other.user.id, "40.00", "2026-03-09")]


def test_another_technicians_pay_does_not_exist_for_a_technician(two_technicians):
    mine, other = two_technicians["mine"], two_technicians["other"]
    answer = mine.get(f"/pay-accruals?technician_id={other.user.id}")
    assert answer.status_code == 404
    assert "40.00" not in answer.get_data(as_text=True)
    # The same answer as for someone who does not exist: nothing is revealed.
    assert mine.get("/pay-accruals?technician_id=999999").status_code == 404


def test_a_technician_filters_their_own_by_date(two_technicians):
    mine = two_technicians["mine"]
    assert amounts(mine.get("/pay-accruals?from=2026-03-03")) == [(mine.user.id, "24.00", "2026-03-16")]
    assert amounts(mine.get("/pay-accruals?to=2026-03-15")) == [(mine.user.id, "66.56", "2026-03-02")]


def test_the_owner_sees_everyones_in_date_order(two_technicians, owner_api):
    mine, other = two_technicians["mine"].user.id, two_technicians["other"].user.id
    assert amounts(owner_api.get("/pay-accruals")) == [
        (mine, "66.56", "2026-03-02"),
        (other, "40.00", "2026-03-09"),
        (mine, "24.00", "2026-03-16"),
    ]


def test_the_owner_filters_by_technician(two_technicians, owner_api):
    mine, other = two_technicians["mine"].user.id, two_technicians["other"].user.id
    assert amounts(owner_api.get(f"/pay-accruals?technician_id={other}")) == [(other, "40.00", "2026-03-09")]
    assert amounts(owner_api.get(f"/pay-accruals?technician_id={mine}")) == [
        (mine, "66.56", "2026-03-02"),
        (mine, "24.00", "2026-03-16"),
    ]
    assert amounts(owner_api.get("/pay-accruals?technician_id=999999")) == []


def test_the_owner_filters_by_dates_both_ends_included(two_technicians, owner_api):
    mine, other = two_technicians["mine"].user.id, two_technicians["other"].user.id
    assert amounts(owner_api.get("/pay-accruals?from=2026-03-09&to=2026-03-16")) == [
        (other, "40.00", "2026-03-09"),
        (mine, "24.00", "2026-03-16"),
    ]
    assert amounts(owner_api.get("/pay-accruals?from=2026-03-02&to=2026-03-02")) == [(mine, "66.56", "2026-03-02")]
    assert amounts(owner_api.get("/pay-accruals?from=2026-03-03&to=2026-03-08")) == []
    assert amounts(owner_api.get(f"/pay-accruals?technician_id={mine}&from=2026-03-03")) == [(mine, "24.00", "2026-03-16")]


def test_the_dispatcher_may_not_see_pay(two_technicians, dispatcher_api):
    assert dispatcher_api.get("/pay-accruals").status_code == 403
    assert dispatcher_api.get(f"/pay-accruals?technician_id={two_technicians['mine'].user.id}").status_code == 403


def test_pay_needs_a_token(client):
    assert client.get("/api/v1/pay-accruals").status_code == 401


@pytest.mark.parametrize(
    ("query", "field"),
    [("from=yesterday", "from"), ("to=2026-02-30", "to"), ("technician_id=abc", "technician_id"), ("technician_id=0", "technician_id")],
)
def test_a_malformed_filter_is_refused_by_field(owner_api, query, field):
    answer = owner_api.get(f"/pay-accruals?{query}")
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]
