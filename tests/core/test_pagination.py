"""Every JSON list is paged: the OpenAPI document is walked, so a new list endpoint is checked too."""
import json

import pytest

from dispatch.core.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from tests.conftest import wait_for_jobs

SAMPLE_VALUES = {"date": "2026-11-02", "month": "2026-11"}


def list_operations(client) -> list[tuple[str, dict]]:
    """(path, operation) of every GET whose 200 answer is a JSON array."""
    paths = client.get("/api/v1/openapi.json").json["paths"]
    found = []
    for path, operations in paths.items():
        answer = operations.get("get", {}).get("responses", {}).get("200", {})
        if answer.get("content", {}).get("application/json", {}).get("schema", {}).get("type") == "array":
            found.append((path, operations["get"]))
    return found


def required_filters(operation: dict) -> dict:
    """A valid value for each required query argument, so that only the page arguments are in question."""
    filters = {}
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query" or not parameter.get("required"):
            continue
        schema = parameter["schema"]
        if "enum" in schema:
            filters[parameter["name"]] = schema["enum"][0]
        elif schema.get("format") == "date":
            filters[parameter["name"]] = SAMPLE_VALUES["date"]
        elif "pattern" in schema:
            filters[parameter["name"]] = SAMPLE_VALUES["month"]
        else:
            filters[parameter["name"]] = schema.get("minimum", 1)
    return filters


def url(path: str, ids: dict) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", str(value))
    return path.removeprefix("/api/v1")


def test_every_list_documents_the_page_arguments_and_their_maximum(client):
    operations = list_operations(client)
    assert len(operations) >= 25, [path for path, _ in operations]
    for path, operation in operations:
        parameters = {parameter["name"]: parameter for parameter in operation["parameters"] if parameter["in"] == "query"}
        assert {"page", "page_size"} <= parameters.keys(), path
        assert parameters["page_size"]["schema"]["maximum"] == MAX_PAGE_SIZE, path
        assert parameters["page_size"]["schema"]["default"] == DEFAULT_PAGE_SIZE, path
        assert "X-Pagination" in operation["responses"]["200"]["headers"], path


@pytest.fixture
def filled(app, shop, make_customer, make_part):
    """A shop with a filed work order, so most lists have rows: customers, parts, appointments, invoices, pay…"""
    for number in range(3):
        make_customer(name=f"Customer {number}", email=f"c{number}@example.test")
        make_part(sku=f"EXTRA-{number}")
    filed = shop.technician.post("/work-orders", json=shop.work_order())
    assert filed.status_code == 201, filed.json
    wait_for_jobs(app)  # the worker emailing the invoice would change the lists while a test pages through them
    return {
        "customer_id": shop.customer["id"],
        "technician_id": shop.technician.user.id,
        "appointment_id": filed.json["follow_up_appointment"]["id"],
    }


def test_every_list_refuses_a_page_larger_than_the_maximum_and_changes_nothing(client, shop, filled):
    for path, operation in list_operations(client):
        ids = {**filled, "document_id": 1}
        query = {**required_filters(operation), "page_size": MAX_PAGE_SIZE + 1}
        answer = shop.owner.get(url(path, ids), query_string=query)
        assert answer.status_code == 422, (path, answer.status_code, answer.json)
        assert "page_size" in answer.json["errors"], (path, answer.json)
        assert f"less than or equal to {MAX_PAGE_SIZE}" in answer.json["errors"]["page_size"][0]


def test_paging_through_every_list_returns_every_row_exactly_once(client, shop, filled):
    walked = 0
    for path, operation in list_operations(client):
        if "{document_id}" in path:
            continue  # no document in this shop: its reads are a list of nothing
        address = url(path, filled)
        filters = required_filters(operation)
        whole = shop.owner.get(address, query_string={**filters, "page_size": MAX_PAGE_SIZE})
        assert whole.status_code == 200, (path, whole.json)
        rows = whole.json
        pages = []
        for page in range(1, len(rows) + 2):
            answer = shop.owner.get(address, query_string={**filters, "page": page, "page_size": 1})
            assert answer.status_code == 200, (path, answer.json)
            pages.extend(answer.json)
            header = json.loads(answer.headers["X-Pagination"])
            assert header["total"] == len(rows), path
        assert pages == rows, path
        walked += bool(rows)
    assert walked >= 10, "too few lists had rows to page through"


def test_a_list_keeps_its_own_filters_beside_the_page_arguments(shop, filled):
    answer = shop.owner.get("/customers", query_string={"q": "Customer", "page": 2, "page_size": 2})
    assert answer.status_code == 200
    assert [customer["name"] for customer in answer.json] == ["Customer 2"]
    assert json.loads(answer.headers["X-Pagination"])["total"] == 3
    misspelt = shop.owner.get("/customers", query_string={"qq": "Customer", "page": 1})
    assert misspelt.status_code == 422


def test_the_default_page_is_the_first_fifty(shop, make_customer):
    for number in range(DEFAULT_PAGE_SIZE + 1):
        make_customer(name=f"Customer {number:03}", email=f"c{number}@example.test")
    answer = shop.owner.get("/customers")
    assert len(answer.json) == DEFAULT_PAGE_SIZE
    assert json.loads(answer.headers["X-Pagination"])["next_page"] == 2


def test_a_technician_pages_the_catalogue_without_costs(shop, filled):
    answer = shop.technician.get("/parts", query_string={"page": 1, "page_size": 2})
    assert answer.status_code == 200
    assert len(answer.json) == 2
    assert all("unit_cost" not in part and "unit_price" in part for part in answer.json)


def test_paging_reaches_every_customer_and_part_past_a_pages_pick_list(shop, make_customer, make_part):
    """A company with more customers or parts than a page's pick list holds still pages to the last one."""
    many = MAX_PAGE_SIZE + 5
    for number in range(many):
        make_customer(name=f"Customer {number:04}", email=f"c{number}@example.test")
        make_part(sku=f"BULK-{number:04}")
    last_customers = shop.owner.get("/customers", query_string={"q": "Customer", "page": 2, "page_size": MAX_PAGE_SIZE})
    assert [customer["name"] for customer in last_customers.json][-1] == f"Customer {many - 1:04}"
    assert json.loads(last_customers.headers["X-Pagination"])["total"] == many
    last_parts = shop.technician.get("/parts", query_string={"q": "BULK-", "page": 2, "page_size": MAX_PAGE_SIZE})
    assert [part["sku"] for part in last_parts.json] == [f"BULK-{number:04}" for number in range(MAX_PAGE_SIZE, many)]


def test_a_page_far_past_the_end_is_empty(shop, filled):
    answer = shop.owner.get("/customers", query_string={"page": 10**40, "page_size": 200})
    assert answer.status_code == 200, answer.json
    assert answer.json == []
    assert json.loads(answer.headers["X-Pagination"])["total"] == 4
