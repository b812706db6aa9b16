"""Local accounts (the embedded default and break-glass), with argon2 password hashes."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict
from sqlalchemy import bindparam, select, update

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.models import User, UserChange, UserSession, utcnow
from domain.models.chat import ChatThread
from domain.roles import Actor, Role, parse_role
from domain.unit_of_work import UnitOfWorkFactory
from domain.values import BIDI_CONTROLS, has_bidi_controls, strip_bidi_controls

_EMAIL = re.compile(
    rf"^[^@\s<>\"'\x00-\x1f\x7f{BIDI_CONTROLS}]{{1,64}}@[A-Za-z0-9.-]{{1,253}}\.[A-Za-z]{{2,}}$"
)
MIN_PASSWORD = 10
FIRST_ADMIN = "admin@ro-tracker.local"
# argon2id with the library's current defaults (RFC 9106 low-memory profile); hashes made with
# older parameters are upgraded at the next successful sign-in (check_needs_rehash).
_hasher = PasswordHasher()
# A session's last_seen_at is written at most this often (not on every request).
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class _UserOfSession:
    """What a session's check reads of its user (why_ended, the Actor)."""

    email: str
    role: str
    is_active: bool
    entra_tid: str | None
    entra_oid: str | None


# A session's check runs before every chat message: the session and its user in one statement,
# built once (an ORM statement's building cost more than the database's answer).
_SESSIONS, _USERS = UserSession.__table__, User.__table__
_USER_COLUMNS = tuple(field.name for field in fields(_UserOfSession))
_SESSION_AND_USER = (
    select(*_SESSIONS.c, *(_USERS.c[name] for name in _USER_COLUMNS))
    .select_from(_SESSIONS.outerjoin(_USERS, _USERS.c.id == _SESSIONS.c.user_id))
    .where(_SESSIONS.c.id == bindparam("session"))
)
_TOUCH = (
    update(_SESSIONS)
    .where(_SESSIONS.c.id == bindparam("session"))
    .values(last_seen_at=bindparam("now"))
)


# The confirmed changes (jobs/operations/users.py) only an admin may confirm: the approval is
# re-checked against the confirming person's current role (ApprovalService.decide).
ADMIN_OPERATIONS = frozenset({"set_user_active", "set_user_role", "revoke_user_sessions"})


class SessionEnded(Forbidden):
    """The sign-in behind a request no longer holds: revoked, expired, or its user disabled,
    deleted or re-bound. The message says which (for the log and the person)."""


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta = timedelta(hours=12)
    max_age: timedelta = timedelta(hours=24)
    entra_recheck: timedelta = timedelta(hours=1)
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


class SessionView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    revoked_at: datetime | None


def _binding(user: User) -> str:
    return f"entra:{user.entra_tid}:{user.entra_oid}" if user.entra_oid else "local"


def why_ended(
    session: UserSession | None, user: User | None, policy: SessionPolicy, now: datetime
) -> str | None:
    """Why this session no longer holds, or None while it does."""
    if session is None:
        return "the session is unknown (signed out or removed)"
    if session.revoked_at is not None:
        return "the session was revoked"
    if user is None:
        return "the account was deleted"
    if not user.is_active:
        return f"the account {user.email} is disabled"
    if session.binding != _binding(user):
        return f"the account {user.email} is now bound to another identity"
    if now >= session.expires_at:
        return "the session reached its maximum age"
    if now - session.last_seen_at >= policy.idle:
        return "the session was idle too long"
    if session.binding.startswith("entra:") and now - session.created_at >= policy.entra_recheck:
        return "the Microsoft sign-in is due to be checked again"
    return None


class UserView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str | None
    role: Role
    is_active: bool


def lockout_refusal(session, actor: Actor, user: User, role: Role, active: bool) -> str | None:
    """Why giving `user` this role and active flag would lock the desk out, or None.

    The one rule for disable and set-role, wherever they come from (`gt users`, the chat's
    preview, the confirmed command): nobody disables their own account, and the last active
    admin is neither disabled nor demoted (make another admin first). Revoking sessions is not
    a lock-out — the person can sign in again. The other admins' rows are read FOR UPDATE so
    two admins demoting each other at once cannot both succeed.
    """
    if not active and user.email == actor.name:
        return "You cannot disable your own account."
    still_admin = active and role is Role.ADMIN
    if still_admin or not (user.is_active and user.role == Role.ADMIN.value):
        return None
    others = session.scalars(
        select(User.id)
        .where(User.role == Role.ADMIN.value, User.is_active.is_(True), User.id != user.id)
        .with_for_update()
    ).all()
    if not others:
        return f"{user.email} is the last active admin; make someone else an admin first."
    return None


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        shown = str(strip_bidi_controls(email))[:60].encode("unicode_escape").decode()
        if has_bidi_controls(email):
            raise InvalidInput(
                f'"{shown}" contains invisible text-direction characters; type the address again.'
            )
        raise InvalidInput(f'"{shown}" is not an email address.')
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
        """Takes effect at the user's next request (roles are re-read on every use). An Entra
        user's role is Entra's: it is overwritten at their next sign-in."""
        actor.require(Role.ADMIN, "change roles")
        role = parse_role(role)
        with self._uow() as uow:
            user = self._get(uow.session, email)
            if refusal := lockout_refusal(uow.session, actor, user, role, user.is_active):
                raise Conflict(refusal)
            self._audit(uow.session, actor, user, "set-role", f"{user.role} -> {role.value}")
            user.role = role.value
            uow.commit()
            return UserView.model_validate(user)

    def set_active(self, actor: Actor, email: str, active: bool) -> UserView:
        """Disable (ends every session at once) or enable an account."""
        actor.require(Role.ADMIN, "disable or enable users")
        with self._uow() as uow:
            user = self._get(uow.session, email)
            if refusal := lockout_refusal(uow.session, actor, user, parse_role(user.role), active):
                raise Conflict(refusal)
            user.is_active = active
            if not active:
                self._revoke_all(uow.session, user.id)
            else:
                user.failed_logins, user.locked_until = 0, None
            self._audit(uow.session, actor, user, "enable" if active else "disable", None)
            uow.commit()
            return UserView.model_validate(user)

    def set_password(self, actor: Actor, email: str, password: str) -> UserView:
        """A new password for a local account (admins for anyone, anyone for themselves);
        the account's other sessions end."""
        email = normalize_email(email)
        if email != actor.name:
            actor.require(Role.ADMIN, "change other people's passwords")
        if len(password or "") < MIN_PASSWORD:
            raise InvalidInput(f"A password needs at least {MIN_PASSWORD} characters.")
        with self._uow() as uow:
            user = self._get(uow.session, email)
            user.password_hash = _hasher.hash(password)
            user.failed_logins, user.locked_until = 0, None
            self._revoke_all(uow.session, user.id)
            self._audit(uow.session, actor, user, "passwd", None)
            uow.commit()
            return UserView.model_validate(user)

    def sessions(self, actor: Actor, email: str) -> list[SessionView]:
        """The user's sessions still open (not revoked, not past their maximum age)."""
        actor.require(Role.ADMIN, "list sessions")
        with self._uow() as uow:
            user = self._get(uow.session, email)
            rows = uow.session.scalars(
                select(UserSession)
                .where(
                    UserSession.user_id == user.id,
                    UserSession.revoked_at.is_(None),
                    UserSession.expires_at > utcnow(),
                )
                .order_by(UserSession.created_at)
            )
            return [SessionView.model_validate(r) for r in rows]

    def revoke(self, actor: Actor, email: str, session_prefix: str | None = None) -> int:
        """End the user's sessions (all, or the one whose id starts with `session_prefix`);
        returns how many were ended."""
        actor.require(Role.ADMIN, "revoke sessions")
        with self._uow() as uow:
            user = self._get(uow.session, email)
            if session_prefix is None:
                count = self._revoke_all(uow.session, user.id)
            else:
                prefix = session_prefix.strip()
                if len(prefix) < 6:
                    raise InvalidInput("Give at least 6 characters of the session id.")
                rows = list(
                    uow.session.scalars(
                        select(UserSession).where(
                            UserSession.user_id == user.id,
                            UserSession.id.startswith(prefix, autoescape=True),
                            UserSession.revoked_at.is_(None),
                        )
                    )
                )
                if not rows:
                    raise NotFound(f"{user.email} has no open session {prefix}.")
                for row in rows:
                    row.revoked_at = utcnow()
                count = len(rows)
            self._audit(uow.session, actor, user, "revoke", f"{count} session(s)")
            uow.commit()
            return count

    # ---- sessions ------------------------------------------------------------------------
    def start_session(self, user_id: int, policy: SessionPolicy) -> str:
        """Record a new sign-in of `user_id`; returns the session id for the login cookie."""
        now = utcnow()
        with self._uow() as uow:
            user = uow.session.get(User, user_id)
            if user is None or not user.is_active:
                raise SessionEnded("The account is missing or disabled.")
            session_id = secrets.token_urlsafe(32)
            uow.session.add(
                UserSession(
                    id=session_id,
                    user_id=user.id,
                    binding=_binding(user),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + policy.max_age,
                )
            )
            uow.commit()
            return session_id

    def session_actor(
        self, session_id: str, user_id: int, source: str, policy: SessionPolicy
    ) -> Actor:
        """Who is behind a session now (current email and role), re-read on every use; raises
        SessionEnded when the session no longer holds. Slides the idle limit."""
        now = utcnow()
        with self._uow() as uow:
            # one statement a turn, built once: the session and its user together
            row = (
                uow.session.connection().execute(_SESSION_AND_USER, {"session": session_id}).first()
            )
            # a cookie pairing one user's id with another's session holds no session
            session = row if row is not None and row.user_id == user_id else None
            user = None
            if session is not None and row.is_active is not None:  # None: the user is gone
                user = _UserOfSession(*row[-len(_USER_COLUMNS) :])
            reason = why_ended(session, user, policy, now)
            if reason is not None:
                raise SessionEnded(reason[:1].upper() + reason[1:] + ".")
            if now - session.last_seen_at >= _TOUCH_EVERY:
                uow.session.connection().execute(_TOUCH, {"session": session_id, "now": now})
                uow.commit()
            return Actor(user.email, parse_role(user.role), source)

    def ended_sessions(self, session_ids: list[str], policy: SessionPolicy) -> dict[str, str]:
        """Of these sessions, the ones that no longer hold, with the reason (one query)."""
        if not session_ids:
            return {}
        now = utcnow()
        with self._uow() as uow:
            rows = {
                s.id: (s, u)
                for s, u in uow.session.execute(
                    select(UserSession, User)
                    .outerjoin(User, User.id == UserSession.user_id)
                    .where(UserSession.id.in_(set(session_ids)))
                )
            }
        ended = {}
        for sid in session_ids:
            session, user = rows.get(sid, (None, None))
            reason = why_ended(session, user, policy, now)
            if reason is not None:
                ended[sid] = reason
        return ended

    @staticmethod
    def _revoke_all(session, user_id: int) -> int:
        result = session.execute(
            update(UserSession)
            .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        return result.rowcount or 0

    @staticmethod
    def _audit(session, actor: Actor, user: User, action: str, detail: str | None) -> None:
        session.add(
            UserChange(
                user_id=user.id, action=action, detail=detail, actor=actor.name, source=actor.source
            )
        )

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

    def authenticate(
        self, email: str, password: str, policy: SessionPolicy | None = None
    ) -> UserView | None:
        """The user if the password matches; None otherwise (same answer for unknown users).
        `policy.max_failures` wrong passwords in a row lock the account for `policy.lockout`
        (a locked account is refused even with the right password)."""
        policy = policy or SessionPolicy()
        try:
            email = normalize_email(email)
        except InvalidInput:
            return None
        with self._uow() as uow:
            user = uow.session.scalar(select(User).where(User.email == email))
            if user is None or not user.is_active or not user.password_hash:
                _hasher.hash("timing-equalizer")
                return None
            now = utcnow()
            if user.locked_until is not None and now < user.locked_until:
                _hasher.hash("timing-equalizer")
                return None
            try:
                _hasher.verify(user.password_hash, password)
            except (VerificationError, InvalidHashError):
                user.failed_logins = (user.failed_logins or 0) + 1
                if user.failed_logins >= policy.max_failures:
                    user.locked_until, user.failed_logins = now + policy.lockout, 0
                uow.commit()
                return None
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
            user.failed_logins, user.locked_until = 0, None
            user.last_login_at = now
            uow.commit()
            return UserView.model_validate(user)

    def upsert_entra(
        self, oid: str, tid: str, email: str, display_name: str | None, role: str | Role
    ) -> UserView:
        """The user behind a validated Microsoft sign-in, created or refreshed.

        `tid` + `oid` are the key; email and name are display data copied at each sign-in, and
        the role is Entra's (re-read at each sign-in; a session is sent back to Entra on an
        interval). Sessions name the user by id; `users.email` keys their chat threads, so when
        Entra reports a new email the row (and its threads) take it — unless another account
        holds it, then the old one is kept. A row that only has this email is linked only if it
        was pre-provisioned (no password, no Entra identity): a local account is never taken
        over by a sign-in that claims its email.
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
                        f"{email} already belongs to another account; an admin must resolve it.",
                        SignInRefused.CLASH,
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
                raise SignInRefused(f"User {user.email} is disabled.", SignInRefused.DISABLED)
            user.role, user.display_name, user.last_login_at = role.value, name, utcnow()
            uow.commit()
            return UserView.model_validate(user)

    def find_entra(self, oid: str, tid: str) -> UserView | None:
        """The user bound to this Entra identity, if any (no write)."""
        oid, tid = (oid or "").strip().lower(), (tid or "").strip().lower()
        with self._uow() as uow:
            user = uow.session.scalar(
                select(User).where(User.entra_tid == tid, User.entra_oid == oid)
            )
            return UserView.model_validate(user) if user is not None else None

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
