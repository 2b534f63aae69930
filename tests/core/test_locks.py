"""A row lock is asked once per transaction, and asked again in the next one."""
import pytest
from sqlalchemy import event

from dispatch.auth.models import User
from dispatch.core.locks import lock_for_no_key_update
from dispatch.core.tx import transaction
from dispatch.extensions import db


@pytest.fixture
def locks_asked(app):
    """The lock statements sent (SELECT users.id … FOR NO KEY UPDATE; SQLite is sent it without the FOR clause)."""
    asked = []

    def on_statement(_connection, _cursor, statement, *_args):
        if " ".join(statement.split()).startswith("SELECT users.id FROM users WHERE users.id"):
            asked.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_statement)
    yield asked
    event.remove(engine, "before_cursor_execute", on_statement)


def test_a_row_is_locked_once_per_transaction_and_again_in_the_next(app, make_user, locks_asked):
    technician = make_user()
    locks_asked.clear()
    with app.app_context():
        for _ in range(2):
            with transaction():  # the lock is the transaction's first statement, as in a pay change
                lock_for_no_key_update(User, technician.id)
                lock_for_no_key_update(User, technician.id)
        with transaction():
            db.session.get(User, technician.id)
            with db.session.begin_nested():  # rolled back with its savepoint: not remembered
                lock_for_no_key_update(User, technician.id)
            lock_for_no_key_update(User, technician.id)
    assert len(locks_asked) == 1 + 1 + 2
