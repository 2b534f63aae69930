import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dispatch.auth.models import User
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.extensions import db


class AuditKind(enum.StrEnum):
    MONEY = "money"
    STOCK = "stock"
    PAY = "pay"
    # What sets future money: part prices and costs in the catalogue, and the company settings
    # (tax, billing rates, terms, late fees, pay period).
    CATALOGUE = "catalogue"
    SETTINGS = "settings"
    # Who may do what: users added, API tokens issued and revoked.
    ACCESS = "access"


class AuditEntry(db.Model):
    """One change to money, stock, pay, prices, settings or access, written in the transaction that made it. Never updated."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('money', 'stock', 'pay', 'catalogue', 'settings', 'access')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # None is the system: a cron job (late fees), or a customer acting through their link.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    action: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int]
    # The amounts and quantities changed, money as strings ("127.50") like everywhere else.
    changes: Mapped[dict] = mapped_column(JSON)

    user: Mapped[User | None] = relationship()

    @property
    def actor_name(self) -> str:
        return self.user.name if self.user else "system"
