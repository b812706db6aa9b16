"""Personal API tokens: the HTTP API's credential in the embedded setup (and for scripts).

A token is `gt_<key>_<secret>`: `key` finds the row, the secret is compared with its SHA-256
(tokens are 256-bit random, so a fast hash is as good as a slow one and costs nothing per
request). The plain token is returned once, by `create`, and never stored. Every use re-reads
the token's user: a disabled user, a revoked or expired token is refused; the role is the
user's role now.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection, bindparam, select, update

from domain.errors import InvalidInput, NotAuthenticated, NotFound
from domain.models import ApiToken, User, utcnow
from domain.roles import Actor, Role, parse_role
from domain.unit_of_work import UnitOfWorkFactory
from domain.users import normalize_email
from domain.values import clean_text

PREFIX = "gt_"
_TOKEN = re.compile(r"^gt_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$")
_DURATION = re.compile(r"^(\d{1,4})\s*([dhm]?)$")
# last_used_at is written at most this often (not on every request).
_TOUCH_EVERY = timedelta(seconds=60)
_ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

_tokens, _users = ApiToken.__table__.c, User.__table__.c
# A token's row and its user's, read on every API request: a Core statement built once and run
# on a plain connection (building it, and an ORM session, cost five times the query itself).
_PRESENTED = (
    select(
        _tokens.id,
        _tokens.secret_hash,
        _tokens.revoked_at,
        _tokens.expires_at,
        _tokens.last_used_at,
        _users.email,
        _users.role,
        _users.is_active,
    )
    .join_from(ApiToken.__table__, User.__table__, _users.id == _tokens.user_id)
    .where(_tokens.key == bindparam("key"))
)


class TokenView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    name: str
    user: str
    created_by: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


def parse_duration(text: str | None) -> timedelta | None:
    """ "90d", "12h", "30m" (a bare number is days); None or "never" for no expiry."""
    if text is None or text.strip().lower() in {"", "never", "none"}:
        return None
    found = _DURATION.match(text.strip().lower())
    if not found or int(found.group(1)) == 0:
        raise InvalidInput(f'"{text[:20]}" is not a duration. Use e.g. 90d, 12h or 30m.')
    n, unit = int(found.group(1)), found.group(2) or "d"
    return {"d": timedelta(days=n), "h": timedelta(hours=n), "m": timedelta(minutes=n)}[unit]


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _view(token: ApiToken, email: str) -> TokenView:
    return TokenView(
        id=token.id,
        key=token.key,
        name=token.name,
        user=email,
        created_by=token.created_by,
        created_at=token.created_at,
        expires_at=token.expires_at,
        revoked_at=token.revoked_at,
        last_used_at=token.last_used_at,
    )


class ApiTokenService:
    def __init__(self, uow: UnitOfWorkFactory, connect: Callable[[], Connection]):
        self._uow = uow
        self._connect = connect  # the engine's: `actor_for`'s read

    def create(
        self, actor: Actor, email: str, name: str, expires_in: timedelta | None = None
    ) -> tuple[TokenView, str]:
        """A new token for `email` (admins for anyone, anyone for themselves); returns the
        token's record and the plain token, which is not kept anywhere."""
        email = normalize_email(email)
        if email != actor.name:
            actor.require(Role.ADMIN, "create API tokens for other people")
        name = clean_text(name, field="token name", max_chars=100)
        if not name:
            raise InvalidInput("Give the token a name (what it is for).")
        key = "".join(secrets.choice(_ALPHANUM) for _ in range(12))
        secret = secrets.token_urlsafe(32)
        with self._uow() as uow:
            user = uow.session.scalar(select(User).where(User.email == email))
            if user is None:
                raise NotFound(f"No user {email}.")
            if not user.is_active:
                raise InvalidInput(f"{email} is disabled; enable the account first.")
            now = utcnow()
            token = ApiToken(
                key=key,
                secret_hash=_hash(secret),
                user_id=user.id,
                name=name,
                created_by=actor.name,
                created_at=now,
                expires_at=now + expires_in if expires_in else None,
            )
            uow.session.add(token)
            uow.commit()
            return _view(token, user.email), f"{PREFIX}{key}_{secret}"

    def list(self, actor: Actor, email: str | None = None) -> list[TokenView]:
        """Tokens (all, or one user's); never their secrets."""
        if email is None or normalize_email(email) != actor.name:
            actor.require(Role.ADMIN, "list other people's API tokens")
        query = select(ApiToken, User.email).join(User, User.id == ApiToken.user_id)
        if email is not None:
            query = query.where(User.email == normalize_email(email))
        with self._uow() as uow:
            rows = uow.session.execute(query.order_by(ApiToken.id)).all()
            return [_view(token, user_email) for token, user_email in rows]

    def revoke(self, actor: Actor, key: str) -> TokenView:
        """Revoke a token by its key (the part after `gt_`, as listed); at once, for good."""
        key = (key or "").strip().removeprefix(PREFIX).split("_")[0]
        with self._uow() as uow:
            found = uow.session.execute(
                select(ApiToken, User.email)
                .join(User, User.id == ApiToken.user_id)
                .where(ApiToken.key == key)
            ).first()
            if found is None:
                raise NotFound(f"No API token {key[:20]}.")
            token, email = found
            if email != actor.name:
                actor.require(Role.ADMIN, "revoke other people's API tokens")
            if token.revoked_at is None:
                token.revoked_at = utcnow()
                uow.commit()
            return _view(token, email)

    def actor_for(self, presented: str, source: str = "api") -> Actor:
        """Who is calling with this token, now; NotAuthenticated when it does not hold."""
        found = _TOKEN.match(presented or "")
        if not found:
            raise NotAuthenticated("The API token is malformed.")
        key, secret = found.groups()
        now = utcnow()
        with self._connect() as connection:
            row = connection.execute(_PRESENTED, {"key": key}).first()
        if row is None or not hmac.compare_digest(row.secret_hash, _hash(secret)):
            raise NotAuthenticated("The API token is not valid.")
        if row.revoked_at is not None:
            raise NotAuthenticated("The API token was revoked.")
        if row.expires_at is not None and now >= row.expires_at:
            raise NotAuthenticated("The API token has expired.")
        if not row.is_active:
            raise NotAuthenticated(f"The account {row.email} is disabled.")
        if row.last_used_at is None or now - row.last_used_at >= _TOUCH_EVERY:
            with self._uow() as uow:
                uow.session.execute(
                    update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now)
                )
                uow.commit()
        return Actor(row.email, parse_role(row.role), source)
