"""People who sign in: local accounts and Entra ID identities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, utcnow


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("entra_tid", "entra_oid", name="uq_users_entra"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="viewer")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    entra_oid: Mapped[str | None] = mapped_column(String(64))
    entra_tid: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Local sign-in throttling: repeated wrong passwords lock the account for a while.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)


class UserSession(Base):
    """One sign-in: the login cookie carries only its id (and our user id), never an email.

    `binding` is the identity the session was made for ("local" or "entra:<tid>:<oid>"): a user
    row re-bound to another Entra identity ends its sessions. `expires_at` is the absolute end;
    the idle limit slides with `last_seen_at`.
    """

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    binding: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class UserChange(Base):
    """The audit trail of accounts: disable, enable, role changes, password changes, revokes."""

    __tablename__ = "user_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(300))
    actor: Mapped[str] = mapped_column(String(320))
    source: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
