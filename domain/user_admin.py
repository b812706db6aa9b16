"""User administration as an admin sees it in the chat: who has access, and what a change
would do (user, old -> new) before they press Confirm.

The changes themselves are `UserService.set_active / set_role / revoke` — the same calls, rules
(`lockout_refusal`) and audit rows as `gt users`; a preview only reads.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import User, UserSession, utcnow
from domain.previews import Preview
from domain.roles import Actor, Role, parse_role
from domain.unit_of_work import UnitOfWorkFactory
from domain.users import UserService, lockout_refusal

ENDS_SESSIONS = "Their open chats are cut off within seconds."


def _who(user: User) -> str:
    return f"{user.display_name} ({user.email})" if user.display_name else user.email


def _open_sessions(now):
    return UserSession.revoked_at.is_(None), UserSession.expires_at > now


class UserAdmin:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def overview(self, actor: Actor) -> list[dict[str, Any]]:
        """Every account: role, active, last sign-in, and how many sessions are open (not
        revoked, not past their maximum age — as `gt users sessions` counts them)."""
        actor.require(Role.ADMIN, "list users")
        with self._uow() as uow:
            open_counts = dict(
                uow.session.execute(
                    select(UserSession.user_id, func.count())
                    .where(*_open_sessions(utcnow()))
                    .group_by(UserSession.user_id)
                ).all()
            )
            return [
                {
                    "email": u.email,
                    "name": u.display_name,
                    "role": u.role,
                    "active": u.is_active,
                    "sign_in": "Microsoft" if u.entra_oid else "local",
                    "last_sign_in": u.last_login_at.isoformat(timespec="minutes")
                    if u.last_login_at
                    else None,
                    "open_sessions": open_counts.get(u.id, 0),
                }
                for u in uow.session.scalars(select(User).order_by(User.email))
            ]

    def preview_active(self, actor: Actor, email: str, active: bool) -> Preview:
        actor.require(Role.ADMIN, "disable or enable users")
        with self._uow() as uow:
            user = UserService._get(uow.session, email)
            verb = "Enable" if active else "Disable"
            args = {"email": user.email, "active": bool(active)}
            if user.is_active == bool(active):
                state = "active" if active else "disabled"
                return Preview(f"{verb} {user.email}", args, unchanged=f"{user.email} is {state}.")
            role = parse_role(user.role)
            if refusal := lockout_refusal(uow.session, actor, user, role, bool(active)):
                raise Conflict(refusal)
            count = self._count_open(uow.session, user.id)
            changes = [("active", _yes_no(user.is_active), _yes_no(active))]
            if not active:
                changes.append(("open sessions", str(count), "0"))
            note = (
                f"{_who(user)} can no longer sign in. {ENDS_SESSIONS}"
                if not active
                else f"{_who(user)} can sign in again (as {user.role})."
            )
            return Preview(f"{verb} {user.email}", args, changes, note=note)

    def preview_role(self, actor: Actor, email: str, role: str | Role) -> Preview:
        actor.require(Role.ADMIN, "change roles")
        role = parse_role(role)
        with self._uow() as uow:
            user = UserService._get(uow.session, email)
            args = {"email": user.email, "role": role.value}
            title = f"Change the role of {user.email}"
            if user.role == role.value:
                return Preview(title, args, unchanged=f"{user.email} already is {role.value}.")
            if refusal := lockout_refusal(uow.session, actor, user, role, user.is_active):
                raise Conflict(refusal)
            note = "It applies to their next message or button, in open chats too."
            if user.entra_oid:
                note += (
                    " This is a Microsoft (Entra) account: its role comes from Entra and returns "
                    "at the next sign-in unless it is changed there too."
                )
            return Preview(title, args, [("role", user.role, role.value)], note=note)

    def preview_revoke(self, actor: Actor, email: str, session: str | None = None) -> Preview:
        actor.require(Role.ADMIN, "revoke sessions")
        with self._uow() as uow:
            user = UserService._get(uow.session, email)
            args = {"email": user.email, "session": session}
            title = f"Sign out {user.email}"
            rows = self._open_rows(uow.session, user.id)
            if session is not None:
                prefix = session.strip()
                if len(prefix) < 6:
                    raise InvalidInput("Give at least 6 characters of the session id.")
                args["session"] = prefix
                rows = [r for r in rows if r.id.startswith(prefix)]
                if not rows:
                    raise NotFound(f"{user.email} has no open session {prefix}.")
                changes = [(f"session {r.id[:10]}", "open", "revoked") for r in rows]
            else:
                if not rows:
                    return Preview(title, args, unchanged=f"{user.email} has no open sessions.")
                changes = [("open sessions", str(len(rows)), "0")]
            note = f"{ENDS_SESSIONS} They can sign in again."
            if user.email == actor.name:
                note += " This includes the chat you are in."
            return Preview(title, args, changes, note=note)

    @staticmethod
    def _open_rows(session, user_id: int) -> list[UserSession]:
        return list(
            session.scalars(
                select(UserSession)
                .where(UserSession.user_id == user_id, *_open_sessions(utcnow()))
                .order_by(UserSession.created_at)
            )
        )

    def _count_open(self, session, user_id: int) -> int:
        return len(self._open_rows(session, user_id))


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"
