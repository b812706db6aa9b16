"""Sessions bound to the person (#20): the cookie names our user id and a session row; every use
re-reads the user; disable, revoke, demotion, idle and maximum age end it at once."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from domain.errors import Conflict, Forbidden, InvalidInput
from domain.models import UserChange, UserSession
from domain.roles import SYSTEM, Actor, Role
from domain.users import SessionEnded, SessionPolicy
from tests.fakes.entra import TENANT

pytestmark = pytest.mark.dialect
POLICY = SessionPolicy()
PASSWORD = "correct horse battery"


def web():
    from web import entra, sessions  # Chainlit is imported when a test runs

    return entra, sessions


def cookie_for(user) -> str:
    """What Chainlit signs into the login cookie for this cl.User."""
    import os

    from chainlit.auth.jwt import create_jwt

    os.environ.setdefault("CHAINLIT_AUTH_SECRET", "test-secret-for-sessions-0123456789")
    return create_jwt(user)


def claims(oid, email, roles):
    return {"oid": oid, "tid": TENANT, "email": email, "name": oid, "roles": list(roles)}


def entra_sign_in(app, oid, email, roles):
    entra, _ = web()
    return cookie_for(entra.signed_in_user(app.settings, app.users, claims(oid, email, roles)))


def local_sign_in(app, email, role="approver"):
    _, sessions = web()
    user = app.users.add(SYSTEM, email, role, PASSWORD)
    return cookie_for(sessions.chainlit_user(app.users, user, "local", POLICY))


def who(app, token) -> Actor:
    _, sessions = web()
    return sessions.resolve(app.users, POLICY, token, "chat")


def test_an_old_cookie_follows_the_person_not_the_email(app):
    sam_old = entra_sign_in(app, "oid-4444", "sam@genthrust.test", ["RO.Editor"])
    assert who(app, sam_old) == Actor("sam@genthrust.test", Role.EDITOR, "chat")
    # Sam's email changes; he signs in again. Another person is given his old address.
    entra_sign_in(app, "oid-4444", "sam.new@genthrust.test", ["RO.Editor"])
    entra_sign_in(app, "oid-5555", "sam@genthrust.test", ["RO.Admin"])
    assert app.users.get("sam@genthrust.test").role is Role.ADMIN  # the new holder
    # Sam's old cookie is still Sam: his new email, his role — never the admin's.
    assert who(app, sam_old) == Actor("sam.new@genthrust.test", Role.EDITOR, "chat")


def test_a_cookie_naming_an_email_or_a_forged_pairing_is_refused(app):
    import chainlit as cl

    token = local_sign_in(app, "pat@genthrust.test")
    other = local_sign_in(app, "eve@genthrust.test", "viewer")
    _, sessions = web()
    with pytest.raises(SessionEnded, match="names no session"):
        who(app, cookie_for(cl.User(identifier="pat@genthrust.test", metadata={})))
    pat_id, _ = sessions.session_of(token)
    _, eve_sid = sessions.session_of(other)
    forged = cl.User(identifier=f"user:{pat_id}", metadata={"sid": eve_sid})
    with pytest.raises(SessionEnded, match="unknown"):
        who(app, cookie_for(forged))
    assert who(app, token).name == "pat@genthrust.test"


def test_disable_demote_and_revoke_apply_to_the_session_already_open(app):
    admin = Actor("root@genthrust.test", Role.ADMIN, "test")
    token = local_sign_in(app, "pat@genthrust.test", "approver")
    assert who(app, token).role is Role.APPROVER
    app.users.set_role(admin, "pat@genthrust.test", "viewer")
    assert who(app, token).role is Role.VIEWER  # the demotion, without signing in again
    app.users.set_active(admin, "pat@genthrust.test", False)
    with pytest.raises(SessionEnded, match="revoked"):
        who(app, token)  # disabling ended the session itself: enabling does not revive it
    app.users.set_active(admin, "pat@genthrust.test", True)
    with pytest.raises(SessionEnded):
        who(app, token)
    assert app.users.authenticate("pat@genthrust.test", PASSWORD) is not None

    _, sessions = web()
    user = app.users.get("pat@genthrust.test")
    first = cookie_for(sessions.chainlit_user(app.users, user, "local", POLICY))
    second = cookie_for(sessions.chainlit_user(app.users, user, "local", POLICY))
    listed = app.users.sessions(admin, "pat@genthrust.test")
    assert len(listed) == 2
    _, first_sid = sessions.session_of(first)
    assert app.users.revoke(admin, "pat@genthrust.test", first_sid[:8]) == 1
    with pytest.raises(SessionEnded, match="revoked"):
        who(app, first)
    assert who(app, second).name == "pat@genthrust.test"
    assert app.users.revoke(admin, "pat@genthrust.test") == 1
    with pytest.raises(SessionEnded):
        who(app, second)
    with app.session() as s:
        actions = [c.action for c in s.query(UserChange).order_by(UserChange.id)]
    assert actions == ["set-role", "disable", "enable", "revoke", "revoke"]


def test_a_disabled_user_is_refused_and_a_deleted_one_too(app):
    token = local_sign_in(app, "pat@genthrust.test")
    with app.uow() as uow:  # disabled by hand in the database: still refused at once
        from domain.models import User

        uow.session.query(User).update({"is_active": False})
        uow.commit()
    with pytest.raises(SessionEnded, match="disabled"):
        who(app, token)


def test_idle_maximum_age_and_entra_recheck(app):
    token = local_sign_in(app, "pat@genthrust.test")
    entra_token = entra_sign_in(app, "oid-1", "ed@genthrust.test", ["RO.Editor"])
    with app.uow() as uow:
        for row in uow.session.query(UserSession):
            row.last_seen_at -= timedelta(hours=11)
            row.created_at -= timedelta(hours=11)
        uow.commit()
    assert who(app, token).name == "pat@genthrust.test"  # 11 h idle < 12 h; and slides now
    with pytest.raises(SessionEnded, match="checked again"):
        who(app, entra_token)  # a Microsoft sign-in goes back to Entra after an hour
    with app.uow() as uow:
        for row in uow.session.query(UserSession):
            row.expires_at = row.created_at + timedelta(hours=1)
        uow.commit()
    with pytest.raises(SessionEnded, match="maximum age"):
        who(app, token)


def test_an_entra_user_re_bound_to_another_identity_loses_old_sessions(app):
    token = entra_sign_in(app, "oid-1", "ed@genthrust.test", ["RO.Editor"])
    with app.uow() as uow:
        from domain.models import User

        uow.session.query(User).update({"entra_oid": "oid-2"})
        uow.commit()
    with pytest.raises(SessionEnded, match="another identity"):
        who(app, token)


def test_repeated_wrong_passwords_lock_the_account(app):
    app.users.add(SYSTEM, "pat@genthrust.test", "editor", PASSWORD)
    policy = SessionPolicy(max_failures=3, lockout=timedelta(minutes=15))
    for _ in range(3):
        assert app.users.authenticate("pat@genthrust.test", "wrong password", policy) is None
    # Locked: even the right password is refused until the lockout ends (or an admin enables).
    assert app.users.authenticate("pat@genthrust.test", PASSWORD, policy) is None
    app.users.set_active(SYSTEM, "pat@genthrust.test", True)
    assert app.users.authenticate("pat@genthrust.test", PASSWORD, policy) is not None


def test_passwords_are_changed_by_the_owner_or_an_admin(app):
    app.users.add(SYSTEM, "pat@genthrust.test", "editor", PASSWORD)
    pat = Actor("pat@genthrust.test", Role.EDITOR, "cli")
    with pytest.raises(InvalidInput, match="at least"):
        app.users.set_password(pat, "pat@genthrust.test", "short")
    with pytest.raises(Forbidden):
        app.users.set_password(pat, "other@genthrust.test", "a new long password")
    app.users.set_password(pat, "pat@genthrust.test", "a new long password")
    assert app.users.authenticate("pat@genthrust.test", PASSWORD) is None
    assert app.users.authenticate("pat@genthrust.test", "a new long password") is not None
    with pytest.raises(Forbidden):
        app.users.set_active(pat, "pat@genthrust.test", False)
    with pytest.raises(Conflict, match="your own"):  # not input to fix: a refusal to explain
        app.users.set_active(
            pat.__class__("pat@genthrust.test", Role.ADMIN), "PAT@genthrust.test", False
        )


def test_chainlit_refuses_an_ended_session_with_one_warning(app, caplog):
    import chainlit.auth as chainlit_auth
    from fastapi import HTTPException

    _, sessions = web()
    token = local_sign_in(app, "pat@genthrust.test")
    sessions.install(app.users, POLICY)
    try:
        app.users.revoke(SYSTEM, "pat@genthrust.test")
        caplog.set_level(logging.INFO)
        with pytest.raises(HTTPException) as refused:
            # What get_current_user (HTTP routes, socket connect) calls by module name.
            asyncio.run(chainlit_auth.authenticate_user(token))
        assert refused.value.status_code == 401
        lines = [r for r in caplog.records if "refused" in r.getMessage()]
        assert [(r.levelname, r.exc_info) for r in lines] == [("WARNING", None)]
    finally:
        chainlit_auth.authenticate_user = chainlit_auth.authenticate_user.__wrapped__


def test_the_sweep_finds_ended_sessions_in_one_query(app):
    _, sessions = web()
    kept = local_sign_in(app, "pat@genthrust.test")
    cut = local_sign_in(app, "eve@genthrust.test")
    app.users.set_active(SYSTEM, "eve@genthrust.test", False)
    ids = [sessions.session_of(t)[1] for t in (kept, cut)]
    ended = app.users.ended_sessions([*ids, "gone"], POLICY)
    assert set(ended) == {ids[1], "gone"}


def test_gt_users_disable_set_role_sessions_revoke_passwd(app, run_gt):
    local_sign_in(app, "pat@genthrust.test", "approver")
    code, out, _ = run_gt("users", "sessions", "pat@genthrust.test", "--json")
    assert code == 0 and '"id"' in out
    code, out, _ = run_gt("users", "set-role", "pat@genthrust.test", "editor")
    assert (code, out.strip()) == (0, "pat@genthrust.test is now editor.")
    code, out, _ = run_gt("users", "revoke", "pat@genthrust.test")
    assert (code, out.strip()) == (0, "Ended 1 session(s) of pat@genthrust.test.")
    code, out, _ = run_gt("users", "disable", "pat@genthrust.test")
    assert code == 0 and "Disabled" in out
    assert app.users.get("pat@genthrust.test").is_active is False
    code, out, _ = run_gt("users", "enable", "pat@genthrust.test")
    assert code == 0 and app.users.get("pat@genthrust.test").is_active is True
    code, out, _ = run_gt(
        "users", "passwd", "pat@genthrust.test", "--password", "another long password"
    )
    assert code == 0 and app.users.authenticate("pat@genthrust.test", "another long password")
    code, out, err = run_gt("users", "set-role", "pat@genthrust.test", "god")
    assert code != 0 and "not a role" in (out + err)


def test_chainlits_get_current_user_goes_through_our_check(app, monkeypatch):
    """What Chainlit's routes (`Depends(get_current_user)`) and its socket connect call."""
    import chainlit as cl
    import chainlit.auth as chainlit_auth
    import chainlit.data as chainlit_data
    from fastapi import HTTPException

    _, sessions = web()
    monkeypatch.setenv("CHAINLIT_CUSTOM_AUTH", "1")  # login required, as when served
    monkeypatch.setattr(chainlit_data, "_data_layer", None)  # the cookie's user, as decoded
    monkeypatch.setattr(chainlit_data, "_data_layer_initialized", True)
    assert chainlit_auth.require_login()
    live = local_sign_in(app, "pat@genthrust.test")
    revoked = local_sign_in(app, "rev@genthrust.test")
    disabled = local_sign_in(app, "dis@genthrust.test")
    old_email = cookie_for(cl.User(identifier="pat@genthrust.test", metadata={}))
    app.users.revoke(SYSTEM, "rev@genthrust.test")
    app.users.set_active(SYSTEM, "dis@genthrust.test", False)
    sessions.install(app.users, POLICY)
    try:
        for token in (old_email, revoked, disabled):
            with pytest.raises(HTTPException) as refused:
                asyncio.run(chainlit_auth.get_current_user(token=token))
            assert refused.value.status_code == 401
        user = asyncio.run(chainlit_auth.get_current_user(token=live))
        assert user.identifier == f"user:{sessions.session_of(live)[0]}"
        assert user.metadata["sid"] == sessions.session_of(live)[1]
    finally:
        chainlit_auth.authenticate_user = chainlit_auth.authenticate_user.__wrapped__
