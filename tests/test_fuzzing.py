"""schemathesis against /api/v1/openapi.json: no 500, no answer outside the documented schema.

Every operation of the served document is called with generated input (valid and invalid) as the owner,
in a shop with rows to find; see bench/README.md, "Fuzzing", for what it found and how to run it longer.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from dispatch import create_app

# A few examples per operation keep the run to minutes on SQLite; FUZZ_EXAMPLES=500 digs deeper by hand.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.response_headers_conformance,
]



def served_document() -> dict:
    """The OpenAPI document as /api/v1/openapi.json serves it; describing the API needs no database.

    Read at collection, so that each operation is a test of its own (schemathesis's fixture-based
    loader does not run under this pytest).
    """
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_client().get("/api/v1/openapi.json").json


schema = schemathesis.openapi.from_dict(served_document())


@pytest.fixture
def owner_headers(shop, filed_work_order):
    return {"Authorization": f"Bearer {shop.owner.token}"}


@pytest.fixture
def filed_work_order(shop):
    """Rows for generated ids to find: a work order with its invoice, stock movements, pay and follow-up."""
    answer = shop.technician.post("/work-orders", json=shop.work_order())
    assert answer.status_code == 201, answer.json
    return answer.json


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_generated_request_as_documented(case, app, owner_headers):
    case.call_and_validate(app=app, headers=owner_headers, checks=CHECKS)
