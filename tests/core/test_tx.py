"""One use case, one transaction: all of it is saved, or none of it."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dispatch.core.errors import Conflict
from dispatch.core.tx import after_commit, transaction
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.inventory.models import Part

pytestmark = pytest.mark.usefixtures("app_context")


def customer_count() -> int:
    return db.session.scalar(select(func.count(Customer.id)))


def test_a_failure_anywhere_saves_nothing():
    with pytest.raises(RuntimeError):
        with transaction():
            db.session.add(Customer(name="Kept?", email="a@example.test"))
            db.session.flush()
            raise RuntimeError("the stock ran out half way")
    assert customer_count() == 0


def test_nested_transactions_commit_once_at_the_outermost():
    callbacks = []
    with pytest.raises(RuntimeError):
        with transaction():
            with transaction():
                db.session.add(Customer(name="Inner", email="a@example.test"))
                after_commit(lambda: callbacks.append("sent"))
            raise RuntimeError("outer fails after the inner block finished")
    assert customer_count() == 0
    assert callbacks == []


def test_after_commit_runs_only_once_committed():
    seen = []
    with transaction():
        db.session.add(Customer(name="Saved", email="a@example.test"))
        after_commit(lambda: seen.append(customer_count()))
        assert seen == []
    assert seen == [1]


def test_a_constraint_violation_is_a_conflict_and_leaves_nothing():
    with transaction():
        db.session.add(Part(sku="DUP", name="First", unit_price=1, unit_cost=1))
    with pytest.raises(Conflict):
        with transaction():
            db.session.add(Customer(name="Bystander", email="a@example.test"))
            db.session.add(Part(sku="DUP", name="Second", unit_price=1, unit_cost=1))
    assert customer_count() == 0


def test_after_commit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        after_commit(lambda: None)


def test_only_core_commits():
    package = Path(__file__).resolve().parents[2] / "dispatch"
    committing = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if "core" not in path.relative_to(package).parts and re.search(r"\.commit\(\)", path.read_text())
    ]
    assert committing == []
