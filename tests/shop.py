"""The `shop` fixture: a company ready to work, with rates and tax set, a technician with a stocked van, a customer."""
from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests.conftest import ApiClient, van_id, warehouse_id


@dataclass
class Shop:
    owner: ApiClient
    dispatcher: ApiClient
    technician: ApiClient
    customer: dict
    fan_motor: dict  # 3 in the technician's van
    capacitor: dict  # 5 in the warehouse
    warehouse_id: int
    van_id: int

    def work_order(self, **changes) -> dict:
        """The API.md example work order, for this shop's customer and parts."""
        body = {
            "customer_id": self.customer["id"],
            "summary": "Replaced condenser fan motor",
            "description": "Unit was short-cycling; motor bearings seized.",
            "labor": [{"kind": "onsite", "minutes": 95}, {"kind": "travel", "minutes": 30}],
            "parts": [
                {"part_id": self.fan_motor["id"], "quantity": 1},
                {"part_id": self.capacitor["id"], "quantity": 2, "location_id": self.warehouse_id},
            ],
            "mileage": [{"miles": "18.4"}],
            "follow_up": {"in_days": 14, "duration_minutes": 60, "notes": "Check refrigerant pressure"},
            "po_number": "PO-5531",
        }
        body.update(changes)
        return body

    def stock(self, part: dict, location_id: int) -> int:
        levels = self.dispatcher.get(f"/stock?part_id={part['id']}&location_id={location_id}").json
        return levels[0]["quantity"] if levels else 0


@pytest.fixture
def shop(owner_api, dispatcher_api, api_as, make_user, make_customer, make_part) -> Shop:
    settings = {
        "name": "Seacoast Heating & Cooling",
        "address": "250 Commerce Way, Portsmouth",
        "tax_rate_percent": "8.25",
        "labor_rate_onsite": "125.00",
        "labor_rate_travel": "65.00",
        "mileage_rate": "0.70",
        "default_payment_terms_days": 30,
    }
    assert owner_api.patch("/settings", json=settings).status_code == 200
    technician = api_as(make_user("technician", hourly_rate=Decimal("32.00")))
    van = van_id(dispatcher_api, technician.user.id)
    warehouse = warehouse_id(dispatcher_api)
    return Shop(
        owner=owner_api,
        dispatcher=dispatcher_api,
        technician=technician,
        customer=make_customer(name="Harbor View Dental", payment_terms_days=15),
        fan_motor=make_part(stock=3, location_id=van, sku="FAN-MTR-5", name="Condenser fan motor", unit_price="189.00", unit_cost="96.40"),
        capacitor=make_part(stock=5, location_id=warehouse, sku="CAP-45-5", name="Run capacitor", unit_price="42.00", unit_cost="11.80"),
        warehouse_id=warehouse,
        van_id=van,
    )
