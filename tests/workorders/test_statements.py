"""How many SQL statements filing a work order costs: pinned, so an N+1 cannot creep back in.

Reads are counted from the request's start to the filing's commit, the answer included (after
the commit, the embedded run emails the invoice inline, which a deployment does in the worker). Writes are not pinned: how
many INSERTs a flush sends depends on the database (PostgreSQL batches rows, SQLite does not).
"""
import pytest
from sqlalchemy import event

from dispatch.extensions import db

# The token with its user; the customer with their sites; the parts and the shelves (the van among
# them); the follow-up: the technician's lock, working hours, and visits and time off in one (the
# slot found is not looked at again for a clash); company settings; support blocks and waiting
# contacts; pay: the pay rule, the week's hours, the last payroll run (the technician is already
# locked). The answer reads nothing: the invoice and the pay are answered as written.
READS_PER_FILING = 13


@pytest.fixture
def reads_until_commit(app):
    """reads_until_commit(send) → the SELECTs `send()` runs before the first commit."""

    def count(send) -> list[str]:
        reads, is_committed = [], []

        def on_statement(_connection, _cursor, statement, *_args):
            if not is_committed and statement.lstrip().upper().startswith("SELECT"):
                reads.append(statement)

        with app.app_context():
            engine = db.engine
        def on_commit(_connection):
            is_committed.append(True)

        event.listen(engine, "before_cursor_execute", on_statement)
        event.listen(engine, "commit", on_commit)
        try:
            send()
        finally:
            event.remove(engine, "before_cursor_execute", on_statement)
            event.remove(engine, "commit", on_commit)
        return reads

    return count


def test_filing_reads_a_fixed_number_of_rows(shop, reads_until_commit):
    shop.technician.post("/work-orders", json=shop.work_order())  # the first filing makes the year's counters
    reads = reads_until_commit(lambda: _filed(shop, shop.work_order()))
    assert len(reads) == READS_PER_FILING, "\n".join(reads)


def test_more_parts_and_labour_cost_no_more_reads(shop, make_part, reads_until_commit):
    more_parts = [make_part(stock=5, location_id=shop.van_id) for _ in range(3)]
    shop.technician.post("/work-orders", json=shop.work_order())
    bigger = shop.work_order(
        labor=[{"kind": kind, "minutes": 30} for kind in ("onsite", "travel", "onsite", "phone")],
        parts=[*shop.work_order()["parts"], *({"part_id": part["id"], "quantity": 1} for part in more_parts)],
        mileage=[{"miles": "3.0"}, {"miles": "12.5"}],
    )
    assert len(reads_until_commit(lambda: _filed(shop, bigger))) == READS_PER_FILING


def _filed(shop, body):
    answer = shop.technician.post("/work-orders", json=body)
    assert answer.status_code == 201, answer.json
