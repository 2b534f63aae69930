"""Work orders filed at the same instant draw a support block one after the other: never the same hour twice,
never below zero, and what does not fit is billed as overage. PostgreSQL only: SQLite runs one writer at a time."""
from decimal import Decimal

import pytest

from tests.workorders.test_concurrency import file_all_at_once

pytestmark = pytest.mark.postgres


def test_filings_at_once_draw_a_block_exactly_down_to_zero(shop, api_as, make_user, owner_api):
    owner_api.patch("/settings", json={"labor_rate_remote": "100.00"})
    shop.dispatcher.post(f"/customers/{shop.customer['id']}/support-blocks", json={"hours": "3.00", "po_number": "PO-B"})
    phones = [api_as(make_user("technician")) for _ in range(5)]
    body = {"customer_id": shop.customer["id"], "summary": "Remote fix", "labor": [{"kind": "remote", "minutes": 60}]}

    answers = file_all_at_once(phones, lambda _phone: body)

    assert [status for status, _body in answers] == [201] * 5, answers
    totals = sorted(Decimal(shop.dispatcher.get(f"/invoices/{answer['invoice']['id']}").json["total"]) for _status, answer in answers)
    assert totals == [Decimal("0.00")] * 3 + [Decimal("100.00")] * 2
    (block,) = shop.dispatcher.get(f"/customers/{shop.customer['id']}/support-blocks").json
    assert (block["hours_used"], block["hours_left"]) == ("3.00", "0.00")
