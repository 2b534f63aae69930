"""SQL that differs between PostgreSQL and SQLite, written once."""
from sqlalchemy.dialects import postgresql, sqlite

from dispatch.extensions import db


def insert_on_conflict(model):
    """An INSERT with ON CONFLICT support for the database in use."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def is_postgresql() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"
