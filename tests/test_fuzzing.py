"""schemathesis against /api/v1/openapi.json: no 500, no answer outside the documented schema.

Every operation of the served document is called with generated input (valid and invalid) by each role: the
owner, the dispatcher and a technician, each a test of its own, in a shop with rows to find, among them another
technician's (which a technician must be told do not exist). See bench/README.md, "Fuzzing", for what it
found and how to run it longer.

Examples per operation and mode: FUZZ_EXAMPLES (default 10) for the owner, who reaches every operation;
FUZZ_EXAMPLES_OTHER_ROLES (default 4) for the dispatcher and the technician, who are refused many of them
(403) after little of the handler has run. Both defaults keep CI's run to minutes on SQLite;
FUZZ_EXAMPLES=30 FUZZ_EXAMPLES_OTHER_ROLES=30 digs deeper by hand.
"""
import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from dispatch import create_app

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "10"))
EXAMPLES_OTHER_ROLES = int(os.environ.get("FUZZ_EXAMPLES_OTHER_ROLES", "4"))
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


def fuzz_settings(examples: int):
    return settings(
        max_examples=examples, deadline=None, phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture
def filed_work_orders(shop, api_as, make_user):
    """Rows for generated ids to find: the shop technician's work order with its invoice, stock movements, pay
    and follow-up, and one of another technician, whose van, pay and visit the shop technician may not see."""
    answer = shop.technician.post("/work-orders", json=shop.work_order())
    assert answer.status_code == 201, answer.json
    other_technician = make_user("technician")
    others = shop.work_order(technician_id=other_technician.id, parts=[])
    answer = shop.dispatcher.post("/work-orders", json=others)
    assert answer.status_code == 201, answer.json


def bearer(api) -> dict:
    return {"Authorization": f"Bearer {api.token}"}


@schema.parametrize()
@fuzz_settings(EXAMPLES)
def test_the_api_answers_the_owner_as_documented(case, app, shop, filed_work_orders):
    case.call_and_validate(app=app, headers=bearer(shop.owner), checks=CHECKS)


@schema.parametrize()
@pytest.mark.parametrize("role", ["technician", "dispatcher"])
@fuzz_settings(EXAMPLES_OTHER_ROLES)
def test_the_api_answers_a_technician_and_the_dispatcher_as_documented(case, role, app, shop, filed_work_orders):
    case.call_and_validate(app=app, headers=bearer(getattr(shop, role)), checks=CHECKS)
