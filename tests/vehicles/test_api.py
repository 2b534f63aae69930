"""Company vehicles on mileage entries, and the monthly report of miles per vehicle and per technician."""
from datetime import UTC, datetime


def test_mileage_is_tied_to_a_vehicle_and_reported_per_vehicle_and_technician(shop, owner_api, make_user, api_as):
    van = shop.dispatcher.post("/vehicles", json={"name": "Van 3", "registration": "NH-4421"}).json
    truck = shop.dispatcher.post("/vehicles", json={"name": "Truck 1"}).json
    rule = {"effective_on": "2026-01-01", "hourly_rate": "32.00", "mileage_rate": "0.50"}
    assert owner_api.post(f"/technicians/{shop.technician.user.id}/pay-rules", json=rule).status_code == 201
    job = dict(parts=[], follow_up=None, labor=[{"kind": "onsite", "minutes": 30}])
    filed = shop.technician.post("/work-orders", json=shop.work_order(
        mileage=[{"miles": "18.4", "vehicle_id": van["id"]}, {"miles": "2.0", "vehicle_id": truck["id"]}], **job)).json
    assert [entry["vehicle"] for entry in filed["mileage"]] == ["Van 3", "Truck 1"]
    invoice = shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json
    assert [line["description"] for line in invoice["lines"] if line["kind"] == "mileage"] == ["Mileage (Van 3)", "Mileage (Truck 1)"]
    other = api_as(make_user("technician"))
    other.post("/work-orders", json=shop.work_order(mileage=[{"miles": "5.5", "vehicle_id": van["id"]}], **job))
    report = shop.dispatcher.get(f"/reports/mileage?month={datetime.now(UTC):%Y-%m}").json
    assert [(row["name"], row["miles"]) for row in report["by_vehicle"]] == [("Truck 1", "2.0"), ("Van 3", "23.9")]
    rows = {row["technician_id"]: row for row in report["by_technician"]}
    mine = rows[shop.technician.user.id]
    # Billed at the company's 0.70 a mile; reimbursed at the technician's own rate.
    assert (mine["miles"], mine["billed"], mine["reimbursed"]) == ("20.4", "14.28", "10.20")
    assert rows[other.user.id]["miles"] == "5.5"


def test_an_unknown_or_retired_vehicle_is_refused(shop):
    van = shop.dispatcher.post("/vehicles", json={"name": "Van 9"}).json
    assert shop.dispatcher.post(f"/vehicles/{van['id']}/retire").status_code == 200
    for vehicle_id in (van["id"], 999999):
        answer = shop.technician.post("/work-orders", json=shop.work_order(mileage=[{"miles": "3.0", "vehicle_id": vehicle_id}]))
        assert answer.status_code == 422 and "mileage" in answer.json["errors"]
    assert shop.dispatcher.post("/vehicles", json={"name": "Van 9"}).status_code == 422
    assert shop.technician.post("/vehicles", json={"name": "Van 10"}).status_code == 403
    assert shop.dispatcher.get("/reports/mileage?month=2026-13").status_code == 422
