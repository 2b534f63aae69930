"""`flask db upgrade` on an empty database produces exactly the models, on SQLite and PostgreSQL."""
import os
import uuid

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from dispatch import create_app
from dispatch.extensions import db
from tests.conftest import FAST_PASSWORD_HASHING


@pytest.fixture
def empty_database_url(tmp_path):
    """A database with nothing in it: an SQLite file, or a new PostgreSQL database when testing on PostgreSQL."""
    server_url = os.environ.get("DATABASE_URL", "")
    if not server_url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    base, _, _ = server_url.rpartition("/")
    name = f"dispatch_migration_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(server_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def migrated_app(empty_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, **FAST_PASSWORD_HASHING})
    with app.app_context():
        upgrade()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_upgrade_on_an_empty_database_matches_the_models(migrated_app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_every_table_of_the_models_exists(migrated_app):
    tables = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set(db.metadata.tables)


def test_the_first_revision_creates_the_main_warehouse_and_settings(migrated_app):
    with db.engine.connect() as connection:
        locations = connection.execute(text("SELECT name, kind, technician_id FROM stock_locations")).all()
        settings = connection.execute(text("SELECT id, default_payment_terms_days FROM company_settings")).all()
    assert locations == [("Main warehouse", "warehouse", None)]
    assert settings == [(1, 30)]


def test_downgrade_to_nothing_and_up_again(migrated_app):
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade()
    assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())


def test_check_constraints_match_the_models(migrated_app):
    """Alembic's comparison skips CHECK constraints; they guard money and stock, so compare them here."""
    inspector = inspect(db.engine)
    for table in db.metadata.sorted_tables:
        in_database = {check["name"] for check in inspector.get_check_constraints(table.name)}
        in_models = {constraint.name for constraint in table.constraints if constraint.__class__.__name__ == "CheckConstraint"}
        assert in_database == in_models, table.name


def test_links_emailed_before_0010_keep_opening_their_invoice(empty_database_url, tmp_path):
    """0010 stops storing customers' link tokens; a link already in a customer's inbox must still work."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SECRET_KEY": "test-only", **FAST_PASSWORD_HASHING})
    token = "old-link-token-emailed-before-0010-aaaaaaa"
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO customers (id, name, email, is_active, created_at) VALUES (1, 'Harbor View', 'h@example.test', true, '2026-11-01')"))
            connection.execute(text(
                "INSERT INTO invoices (id, number, customer_id, status, issue_date, due_date, subtotal, tax_rate_percent, tax, total,"
                " amount_paid, amount_credited, discount_taken, kind, view_token, view_count, created_at)"
                " VALUES (1, 'INV-2026-000001', 1, 'sent', '2026-11-01', '2026-11-30', 100, 0, 0, 100, 0, 0, 0, 'work', :token, 0, '2026-11-01')"
            ), {"token": token})
        upgrade()
        with db.engine.connect() as connection:
            assert token not in str(connection.execute(text("SELECT * FROM invoices")).all())
        db.session.remove()
        db.engine.dispose()
    assert app.test_client().get(f"/i/{token}").status_code == 200
