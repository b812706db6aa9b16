"""Sessions bound to the person: the login cookie names our user id and a `user_sessions` row,
never an email, and every use re-reads who that is now.

Chainlit's login cookie is a signed JWT of `cl.User.to_dict()`. We put `identifier="user:<id>"`
and `metadata.sid` (the session row) in it; the rest is resolved on each use:

- every HTTP request and websocket connect: Chainlit resolves the cookie through
  `chainlit.auth.authenticate_user`, which `install` wraps so a session that no longer holds
  (revoked, idle or too old, its user disabled, deleted or re-bound) gets a 401 — one warning
  line, no traceback;
- every chat message, button and chat start: `chat_actor` re-reads the session and the user's
  current email and role (web/chat.py);
- open chats: `sweep` checks every live socket's session every few seconds and disconnects the
  ones that ended, so a disabled person is cut off without sending anything.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

import chainlit as cl
import jwt

from config import Settings
from domain.errors import InvalidInput
from domain.roles import Actor, Role, parse_role
from domain.users import SessionEnded, SessionPolicy, UserService, UserView

log = logging.getLogger("ro_tracker.sessions")

PREFIX = "user:"


def policy_for(settings: Settings) -> SessionPolicy:
    return SessionPolicy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        max_age=timedelta(hours=settings.session_max_hours),
        entra_recheck=timedelta(minutes=settings.entra_recheck_minutes),
        max_failures=settings.login_max_failures,
        lockout=timedelta(minutes=settings.login_lockout_minutes),
    )


def chainlit_user(users: UserService, user: UserView, provider: str, policy: SessionPolicy):
    """The Chainlit user for a new sign-in of `user`: a new session, named by ids only."""
    session_id = users.start_session(user.id, policy)
    return cl.User(
        identifier=f"{PREFIX}{user.id}",
        display_name=user.display_name or user.email,
        metadata={"provider": provider, "sid": session_id},
    )


def session_of(token: str | None) -> tuple[int, str] | None:
    """(user id, session id) from a login cookie, or None when it carries none (an old
    cookie naming an email, or not ours)."""
    from chainlit.auth.jwt import get_jwt_secret

    if not token:
        return None
    try:
        claims = jwt.decode(token, get_jwt_secret() or "", algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    identifier = str(claims.get("identifier") or "")
    sid = (claims.get("metadata") or {}).get("sid")
    if not identifier.startswith(PREFIX) or not identifier[len(PREFIX) :].isdigit() or not sid:
        return None
    return int(identifier[len(PREFIX) :]), str(sid)


def role_of(users: UserService, policy: SessionPolicy, user: Any) -> Role | None:
    """The current role of the user an HTTP route hands over: the data layer's user (its
    role read from the database for this request, after the cookie's session was checked),
    or the cookie's own user (its session looked up now); None when neither says."""
    identifier = str(getattr(user, "identifier", "") or "")
    metadata = getattr(user, "metadata", None) or {}
    if not identifier.startswith(PREFIX):
        try:
            return parse_role(metadata.get("role") or "")
        except InvalidInput:
            return None
    sid = metadata.get("sid")
    if not identifier[len(PREFIX) :].isdigit() or not sid:
        return None
    try:
        return users.session_actor(str(sid), int(identifier[len(PREFIX) :]), "web", policy).role
    except SessionEnded:
        return None


def resolve(users: UserService, policy: SessionPolicy, token: str | None, source: str) -> Actor:
    """The actor behind a login cookie now; SessionEnded when there is none."""
    found = session_of(token)
    if found is None:
        raise SessionEnded("The login cookie names no session (signed in before sessions).")
    user_id, session_id = found
    return users.session_actor(session_id, user_id, source, policy)


async def chat_actor(users: UserService, policy: SessionPolicy) -> Actor:
    """The actor of the current chat (socket) session, re-read now; SessionEnded if it ended."""
    token = getattr(cl.context.session, "token", None)
    return await asyncio.to_thread(resolve, users, policy, token, "chat")


def install(users: UserService, policy: SessionPolicy) -> None:
    """Bind Chainlit's cookie check to our sessions, and the cookie's lifetime to the policy."""
    import chainlit.auth as chainlit_auth
    from chainlit.config import config
    from fastapi import HTTPException

    # The cookie's own expiry is the absolute maximum; the idle limit is enforced here.
    config.project.user_session_timeout = int(policy.max_age.total_seconds())
    original = getattr(chainlit_auth.authenticate_user, "__wrapped__", None)
    original = original or chainlit_auth.authenticate_user

    async def authenticate_user(token: str):
        # get_current_user (HTTP routes and the websocket connect) calls this by module name.
        if not token:  # not signed in yet (the sign-in page asks): nothing to warn about
            raise HTTPException(status_code=401, detail="Not signed in.")
        try:
            await asyncio.to_thread(resolve, users, policy, token, "web")
        except SessionEnded as exc:
            log.warning("Session refused: %s", exc)
            raise HTTPException(status_code=401, detail="Your session has ended.") from None
        return await original(token)

    authenticate_user.__wrapped__ = original
    chainlit_auth.authenticate_user = authenticate_user


async def sweep(users: UserService, policy: SessionPolicy, every_s: float) -> None:
    """Forever: disconnect open chats whose session ended (disabled user, revoked session...)."""
    while True:
        await asyncio.sleep(every_s)
        try:
            await sweep_once(users, policy)
        except Exception:  # a database hiccup must not end the sweeping
            log.exception("Session sweep failed")


_cut_already: set[str] = set()  # socket ids disconnected by a sweep


async def sweep_once(users: UserService, policy: SessionPolicy) -> list[str]:
    """One pass; returns the socket ids it disconnected."""
    from chainlit.session import WebsocketSession, ws_sessions_sid
    from chainlit.socket import sio

    open_now = list(ws_sessions_sid.values())
    # Chainlit keeps a disconnected socket's session a while for a reconnect: cut once, not
    # again (and logged again) at every pass until Chainlit lets it go.
    _cut_already.intersection_update(s.socket_id for s in open_now)
    live: dict[str, list[WebsocketSession]] = {}
    for session in open_now:
        if session.socket_id in _cut_already:
            continue
        found = session_of(session.token)
        if found is not None:
            live.setdefault(found[1], []).append(session)
    ended = await asyncio.to_thread(users.ended_sessions, list(live), policy)
    cut = []
    for session_id, reason in ended.items():
        for session in live[session_id]:
            log.warning("Closing an open chat: %s", reason)
            await sio.disconnect(session.socket_id)
            cut.append(session.socket_id)
            _cut_already.add(session.socket_id)
    return cut
