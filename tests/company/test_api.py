"""Company settings: tax and billing rates, the owner's alone to read and change."""
import pytest

STARTING_SETTINGS = {
    "name": "My service company",
    "address": None,
    "tax_rate_percent": "0.000",
    "labor_rate_onsite": "0.00",
    "labor_rate_remote": "0.00",
    "labor_rate_phone": "0.00",
    "labor_rate_travel": "0.00",
    "mileage_rate": "0.00",
    "default_payment_terms_days": 30,
}


def test_the_owner_reads_the_settings_the_company_starts_with(owner_api):
    answer = owner_api.get("/settings")

    assert answer.status_code == 200
    assert STARTING_SETTINGS.items() <= answer.json.items()


def test_a_change_touches_only_what_is_sent(owner_api):
    before = owner_api.get("/settings").json

    answer = owner_api.patch("/settings", json={"labor_rate_onsite": "95.00", "tax_rate_percent": "8.25"})

    assert answer.status_code == 200
    expected = {**before, "labor_rate_onsite": "95.00", "tax_rate_percent": "8.250"}
    assert answer.json == expected
    assert owner_api.get("/settings").json == expected


def test_changes_add_up(owner_api):
    owner_api.patch("/settings", json={"name": "Northside Heating & Air", "address": "4 Mill Lane"})

    owner_api.patch("/settings", json={"mileage_rate": 0.67, "default_payment_terms_days": 14})

    settings = owner_api.get("/settings").json
    assert (settings["name"], settings["address"]) == ("Northside Heating & Air", "4 Mill Lane")
    assert (settings["mileage_rate"], settings["default_payment_terms_days"]) == ("0.67", 14)


@pytest.mark.parametrize("role", ["dispatcher", "technician"])
def test_only_the_owner_sees_or_changes_the_settings(api_as, owner_api, role):
    staff = api_as(role)
    before = owner_api.get("/settings").json

    assert staff.get("/settings").status_code == 403
    assert staff.patch("/settings", json={"labor_rate_onsite": "1.00"}).status_code == 403
    assert owner_api.get("/settings").json == before


def test_the_settings_need_a_token(client):
    assert client.get("/api/v1/settings").status_code == 401
    assert client.patch("/api/v1/settings", json={"tax_rate_percent": "5"}).status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"labor_rate_onsite": "-95.00"}, "labor_rate_onsite"),
        ({"mileage_rate": -0.01}, "mileage_rate"),
        ({"labor_rate_travel": "45.505"}, "labor_rate_travel"),
        ({"labor_rate_remote": "99999999999.00"}, "labor_rate_remote"),
        ({"tax_rate_percent": "100"}, "tax_rate_percent"),
        ({"tax_rate_percent": 120}, "tax_rate_percent"),
        ({"tax_rate_percent": "-1"}, "tax_rate_percent"),
        ({"tax_rate_percent": "8.2555"}, "tax_rate_percent"),
        ({"default_payment_terms_days": -1}, "default_payment_terms_days"),
        ({"default_payment_terms_days": "30"}, "default_payment_terms_days"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"currency": "EUR"}, "currency"),
    ],
)
def test_a_bad_setting_is_refused_and_nothing_changes(owner_api, change, field):
    before = owner_api.get("/settings").json

    answer = owner_api.patch("/settings", json={"labor_rate_phone": "60.00", **change})

    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert owner_api.get("/settings").json == before
