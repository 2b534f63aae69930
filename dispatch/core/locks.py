"""Row locks held until the transaction ends, each taken once per transaction.

A filing locks its technician's row for the follow-up's booking (twice: before the slot
search and again in book_appointment) and for the pay accrual. Once a transaction holds
the lock, asking again changes nothing but costs a statement, so it is asked once.
A lock taken inside a savepoint is not remembered: rolling the savepoint back releases it.
"""
from dispatch.extensions import db

LOCKED = "dispatch.locked_rows"


def lock_for_no_key_update(model, row_id: int) -> None:
    """SELECT … FOR NO KEY UPDATE of one row (on PostgreSQL; SQLite serialises writers anyway)."""
    session = db.session()
    held_in, rows = session.info.get(LOCKED, (None, set()))
    # None before the transaction's first statement: then nothing is held yet.
    if held_in is not None and held_in is session.get_transaction() and (model, row_id) in rows:
        return
    session.execute(db.select(model.id).where(model.id == row_id).with_for_update(key_share=True))
    if session.get_nested_transaction() is not None:
        return
    transaction = session.get_transaction()  # begun by the statement above, if it was the first
    rows = rows if held_in is transaction else set()
    rows.add((model, row_id))
    session.info[LOCKED] = (transaction, rows)
