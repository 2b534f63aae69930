"""The invoicing policy in company settings: early-payment discount, late fees, reminders, disputes."""
import pytest

STARTING_POLICY = {
    "early_payment_discount_percent": "0.000",
    "early_payment_discount_days": 0,
    "late_fee_flat": "0.00",
    "late_fee_percent": "0.000",
    "late_fee_period_days": 30,
    "late_fee_cap": None,
    "reminder_schedule": "-3,0,7,14",
    "dispute_respond_days": 7,
}


def test_a_company_starts_with_no_discount_no_late_fees_and_the_usual_reminders(owner_api):
    assert STARTING_POLICY.items() <= owner_api.get("/settings").json.items()


def test_the_owner_sets_the_policy(owner_api):
    policy = {
        "early_payment_discount_percent": "2",
        "early_payment_discount_days": 10,
        "late_fee_flat": "25.00",
        "late_fee_percent": "1.5",
        "late_fee_period_days": 30,
        "late_fee_cap": "100.00",
        "reminder_schedule": "-7,-1,0,3,10,30",
        "dispute_respond_days": 10,
    }

    answer = owner_api.patch("/settings", json=policy)

    assert answer.status_code == 200
    expected = {**policy, "early_payment_discount_percent": "2.000", "late_fee_percent": "1.500"}
    assert expected.items() <= answer.json.items()
    assert expected.items() <= owner_api.get("/settings").json.items()


def test_the_cap_can_be_lifted(owner_api):
    owner_api.patch("/settings", json={"late_fee_cap": "50.00"})

    answer = owner_api.patch("/settings", json={"late_fee_cap": None})

    assert answer.status_code == 200
    assert owner_api.get("/settings").json["late_fee_cap"] is None


@pytest.mark.parametrize(
    ("schedule", "saved"),
    [(" 14, -3,0 , 7", "-3,0,7,14"), ("7,7,+1", "1,7"), ("0", "0"), ("-365,365", "-365,365"), ("", "")],
)
def test_the_reminder_schedule_is_kept_as_whole_days_in_order(owner_api, schedule, saved):
    answer = owner_api.patch("/settings", json={"reminder_schedule": schedule})

    assert answer.status_code == 200
    assert owner_api.get("/settings").json["reminder_schedule"] == saved


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"early_payment_discount_percent": "100"}, "early_payment_discount_percent"),
        ({"early_payment_discount_percent": "-0.5"}, "early_payment_discount_percent"),
        ({"early_payment_discount_percent": "2.0001"}, "early_payment_discount_percent"),
        ({"early_payment_discount_percent": "two"}, "early_payment_discount_percent"),
        ({"early_payment_discount_days": -1}, "early_payment_discount_days"),
        ({"early_payment_discount_days": "10"}, "early_payment_discount_days"),
        ({"early_payment_discount_days": 2.5}, "early_payment_discount_days"),
        ({"late_fee_flat": "-1.00"}, "late_fee_flat"),
        ({"late_fee_flat": "1.005"}, "late_fee_flat"),
        ({"late_fee_flat": None}, "late_fee_flat"),
        ({"late_fee_percent": "100"}, "late_fee_percent"),
        ({"late_fee_percent": 100.5}, "late_fee_percent"),
        ({"late_fee_percent": "-1"}, "late_fee_percent"),
        ({"late_fee_percent": "1.2345"}, "late_fee_percent"),
        ({"late_fee_period_days": 0}, "late_fee_period_days"),
        ({"late_fee_period_days": -30}, "late_fee_period_days"),
        ({"late_fee_period_days": "30"}, "late_fee_period_days"),
        ({"late_fee_period_days": 1.5}, "late_fee_period_days"),
        ({"late_fee_period_days": None}, "late_fee_period_days"),
        ({"late_fee_cap": "-0.01"}, "late_fee_cap"),
        ({"late_fee_cap": "10.001"}, "late_fee_cap"),
        ({"late_fee_cap": "lots"}, "late_fee_cap"),
        ({"reminder_schedule": "-3,0,seven"}, "reminder_schedule"),
        ({"reminder_schedule": "1.5"}, "reminder_schedule"),
        ({"reminder_schedule": "1,,2"}, "reminder_schedule"),
        ({"reminder_schedule": "1,2,"}, "reminder_schedule"),
        ({"reminder_schedule": "3 4"}, "reminder_schedule"),
        ({"reminder_schedule": "-3;0;7"}, "reminder_schedule"),
        ({"reminder_schedule": "+-3"}, "reminder_schedule"),
        ({"reminder_schedule": "1e2"}, "reminder_schedule"),
        ({"reminder_schedule": "0,400"}, "reminder_schedule"),
        ({"reminder_schedule": ",".join(str(day) for day in range(-60, 0))}, "reminder_schedule"),
        ({"reminder_schedule": [-3, 0, 7]}, "reminder_schedule"),
        ({"reminder_schedule": 7}, "reminder_schedule"),
        ({"reminder_schedule": None}, "reminder_schedule"),
        ({"dispute_respond_days": 0}, "dispute_respond_days"),
    ],
)
def test_a_bad_policy_is_refused_by_field_and_nothing_changes(owner_api, change, field):
    before = owner_api.get("/settings").json

    answer = owner_api.patch("/settings", json={"late_fee_flat": "25.00", **change})

    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert owner_api.get("/settings").json == before


@pytest.mark.parametrize("role", ["dispatcher", "technician"])
def test_only_the_owner_changes_the_policy(api_as, owner_api, role):
    before = owner_api.get("/settings").json

    answer = api_as(role).patch("/settings", json={"late_fee_flat": "25.00", "reminder_schedule": "0"})

    assert answer.status_code == 403
    assert owner_api.get("/settings").json == before
