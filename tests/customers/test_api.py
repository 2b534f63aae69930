"""Customers over the JSON API: the office adds them, technicians never list them."""
import pytest
from sqlalchemy import func, select

from dispatch.customers.models import Customer, ServiceSite
from dispatch.extensions import db

NEW_CUSTOMER = {"name": "Harbor View Dental", "email": "office@harborview.example", "address": "12 Harbor Rd"}


def customers_saved(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Customer.id))) + db.session.scalar(select(func.count(ServiceSite.id)))


def test_a_new_customer_gets_their_address_as_first_service_site(dispatcher_api):
    answer = dispatcher_api.post("/customers", json={**NEW_CUSTOMER, "phone": "555-0100", "payment_terms_days": 15})

    assert answer.status_code == 201
    customer = dispatcher_api.get(f"/customers/{answer.json['id']}").json
    assert customer["name"] == "Harbor View Dental"
    assert customer["phone"] == "555-0100"
    assert customer["payment_terms_days"] == 15
    assert [(site["name"], site["address"]) for site in customer["sites"]] == [("Main site", "12 Harbor Rd")]


def test_a_customer_without_terms_uses_the_company_default(dispatcher_api):
    answer = dispatcher_api.post("/customers", json={"name": "Corner Bakery", "email": "bake@example.test"})

    assert answer.status_code == 201
    assert answer.json["payment_terms_days"] is None
    assert answer.json["sites"] == []


def test_the_owner_may_add_customers_too(owner_api):
    assert owner_api.post("/customers", json=NEW_CUSTOMER).status_code == 201


MISSING = object()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": MISSING}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"email": MISSING}, "email"),
        ({"email": "not-an-email"}, "email"),
        ({"email": None}, "email"),
        ({"phone": 5550100}, "phone"),
        ({"payment_terms_days": -1}, "payment_terms_days"),
        ({"payment_terms_days": 7.5}, "payment_terms_days"),
        ({"payment_terms_days": "30"}, "payment_terms_days"),
        ({"payment_terms_days": True}, "payment_terms_days"),
        ({"payment_terms_days": 366}, "payment_terms_days"),
        ({"nickname": "HVD"}, "nickname"),
    ],
)
def test_bad_customer_input_is_refused_by_field_and_saves_nothing(app, dispatcher_api, change, field):
    body = {key: value for key, value in {**NEW_CUSTOMER, **change}.items() if value is not MISSING}

    answer = dispatcher_api.post("/customers", json=body)

    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert customers_saved(app) == 0


def test_a_missing_body_names_the_required_fields(app, dispatcher_api):
    answer = dispatcher_api.post("/customers", json={})

    assert answer.status_code == 422
    assert {"name", "email"} <= set(answer.json["errors"])
    assert customers_saved(app) == 0


def test_a_technician_may_neither_add_nor_list_customers(app, technician_api, make_customer):
    customer = make_customer()

    assert technician_api.post("/customers", json=NEW_CUSTOMER).status_code == 403
    assert technician_api.get("/customers").status_code == 403
    assert technician_api.get(f"/customers/{customer['id']}").status_code == 403
    assert customers_saved(app) == 2  # the one customer and its site, nothing more


def test_customers_are_found_by_name_email_or_phone(dispatcher_api, make_customer):
    make_customer(name="Harbor View Dental", email="office@harborview.example", phone="555-0100")
    make_customer(name="Corner Bakery", email="bake@corner.example", phone="555-0199")

    def found(search):
        return [customer["name"] for customer in dispatcher_api.get("/customers", query_string={"q": search}).json]

    assert found("harbor") == ["Harbor View Dental"]
    assert found("corner.example") == ["Corner Bakery"]
    assert found("0199") == ["Corner Bakery"]
    assert found("Plumbing") == []
    assert [customer["name"] for customer in dispatcher_api.get("/customers").json] == [
        "Corner Bakery",
        "Harbor View Dental",
    ]


def test_a_search_for_percent_or_underscore_is_taken_literally(dispatcher_api, make_customer):
    make_customer(name="100% Comfort HVAC")
    make_customer(name="1000 Degrees Pizza")

    answer = dispatcher_api.get("/customers", query_string={"q": "100%"})

    assert [customer["name"] for customer in answer.json] == ["100% Comfort HVAC"]


@pytest.mark.parametrize("customer_id", [999999, 2**31, 10**20])  # beyond what a database key holds, too
def test_an_unknown_customer_is_404(dispatcher_api, customer_id):
    answer = dispatcher_api.get(f"/customers/{customer_id}")

    assert answer.status_code == 404


def test_customers_need_a_token(client, make_customer):
    customer = make_customer()

    assert client.get("/api/v1/customers").status_code == 401
    assert client.get(f"/api/v1/customers/{customer['id']}").status_code == 401
    assert client.post("/api/v1/customers", json=NEW_CUSTOMER).status_code == 401
    assert client.get("/api/v1/customers", headers={"Authorization": "Bearer not-a-token"}).status_code == 401
