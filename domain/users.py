"""Local accounts (the embedded default and break-glass), with argon2 password hashes."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select, update

from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import User, utcnow
from domain.models.chat import ChatThread
from domain.roles import Actor, Role, parse_role
from domain.unit_of_work import UnitOfWorkFactory

_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,253}\.[A-Za-z]{2,}$")
MIN_PASSWORD = 10
FIRST_ADMIN = "admin@ro-tracker.local"
_hasher = PasswordHasher()


class UserView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    email: str
    display_name: str | None
    role: Role
    is_active: bool


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput(f'"{email[:60]}" is not an email address.')
    return email


class UserService:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def add(
        self,
        actor: Actor,
        email: str,
        role: str | Role,
        password: str | None = None,
        display_name: str | None = None,
    ) -> UserView:
        actor.require(Role.ADMIN, "add users")
        email, role = normalize_email(email), parse_role(role)
        if password is not None and len(password) < MIN_PASSWORD:
            raise InvalidInput(f"A password needs at least {MIN_PASSWORD} characters.")
        with self._uow() as uow:
            if uow.session.scalar(select(User).where(User.email == email)):
                raise Conflict(f"A user {email} already exists.")
            user = User(
                email=email,
                role=role.value,
                display_name=display_name,
                password_hash=_hasher.hash(password) if password else None,
            )
            uow.session.add(user)
            uow.commit()
            return UserView.model_validate(user)

    def set_role(self, actor: Actor, email: str, role: str | Role) -> UserView:
        actor.require(Role.ADMIN, "change roles")
        with self._uow() as uow:
            user = self._get(uow.session, email)
            user.role = parse_role(role).value
            uow.commit()
            return UserView.model_validate(user)

    def first_admin(self) -> tuple[str, str] | None:
        """On a database without users, create an admin with a random password and return
        (email, password) — shown once by `gt serve`; None when users exist."""
        import secrets

        with self._uow() as uow:
            if uow.session.scalar(select(User.id).limit(1)) is not None:
                return None
            password = secrets.token_urlsafe(12)
            uow.session.add(
                User(
                    email=FIRST_ADMIN,
                    role=Role.ADMIN.value,
                    display_name="Admin",
                    password_hash=_hasher.hash(password),
                )
            )
            uow.commit()
            return FIRST_ADMIN, password

    def get(self, email: str) -> UserView:
        with self._uow() as uow:
            return UserView.model_validate(self._get(uow.session, email))

    def list(self) -> list[UserView]:
        with self._uow() as uow:
            return [
                UserView.model_validate(u)
                for u in uow.session.scalars(select(User).order_by(User.email))
            ]

    def authenticate(self, email: str, password: str) -> UserView | None:
        """The user if the password matches; None otherwise (same answer for unknown users)."""
        try:
            email = normalize_email(email)
        except InvalidInput:
            return None
        with self._uow() as uow:
            user = uow.session.scalar(select(User).where(User.email == email))
            if user is None or not user.is_active or not user.password_hash:
                _hasher.hash("timing-equalizer")
                return None
            try:
                _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                return None
            user.last_login_at = utcnow()
            uow.commit()
            return UserView.model_validate(user)

    def upsert_entra(
        self, oid: str, tid: str, email: str, display_name: str | None, role: str | Role
    ) -> UserView:
        """The user behind a validated Microsoft sign-in, created or refreshed.

        `tid` + `oid` are the key; email and name are display data copied at each sign-in, and
        the role is Entra's (an app role change takes effect at the next sign-in). `users.email`
        stays the chat's identifier, so when Entra reports a new email the row (and its chat
        threads) take it — unless another account holds it, then the old one is kept. A row that
        only has this email is linked only if it was pre-provisioned (no password, no Entra
        identity): a local account is never taken over by a sign-in that claims its email.
        """
        from domain.errors import SignInRefused

        oid, tid = (oid or "").strip().lower(), (tid or "").strip().lower()
        if not oid or not tid:
            raise SignInRefused("The ID token has no oid/tid.")
        email, role = normalize_email(email), parse_role(role)
        name = (display_name or "").strip()[:200] or None
        with self._uow() as uow:
            s = uow.session
            user = s.scalar(select(User).where(User.entra_tid == tid, User.entra_oid == oid))
            holder = s.scalar(select(User).where(User.email == email))
            if user is None:
                if holder is not None and (holder.password_hash or holder.entra_oid):
                    raise SignInRefused(
                        f"{email} already belongs to another account; an admin must resolve it."
                    )
                user = holder or User(email=email, is_active=True)
                user.entra_oid, user.entra_tid = oid, tid
                s.add(user)
            elif user.email != email and holder is None:
                s.execute(
                    update(ChatThread)
                    .where(ChatThread.user_email == user.email)
                    .values(user_email=email)
                )
                user.email = email
            if not user.is_active:
                raise SignInRefused(f"User {user.email} is disabled.")
            user.role, user.display_name, user.last_login_at = role.value, name, utcnow()
            uow.commit()
            return UserView.model_validate(user)

    def actor_for(self, email: str, source: str) -> Actor:
        user = self.get(email)
        if not user.is_active:
            raise InvalidInput(f"User {user.email} is disabled.")
        return Actor(user.email, user.role, source)

    @staticmethod
    def _get(session, email: str) -> User:
        email = normalize_email(email)
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise NotFound(f"There is no user {email}.")
        return user
