import enum
from datetime import datetime
from decimal import Decimal

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.core.money import MONEY
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class Role(enum.StrEnum):
    TECHNICIAN = "technician"
    DISPATCHER = "dispatcher"
    OWNER = "owner"


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("role IN ('technician', 'dispatcher', 'owner')", name="role_known"),
        CheckConstraint("hourly_rate >= 0", name="hourly_rate_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    # Flask-Login refuses sessions of inactive users; an inactive user's tokens stop working too.
    is_active: Mapped[bool] = mapped_column(default=True)
    hourly_rate: Mapped[Decimal | None] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles

    @property
    def is_technician(self) -> bool:
        return self.role == Role.TECHNICIAN


class ApiToken(db.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    user: Mapped[User] = relationship()


class FailedLogin(db.Model):
    """Failed login attempts, kept in the database so every app server sees them."""

    __tablename__ = "failed_logins"
    __table_args__ = (
        Index("ix_failed_logins_email_attempted_at", "email", "attempted_at"),
        Index("ix_failed_logins_address_attempted_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(45))
    attempted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
