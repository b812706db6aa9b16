import pytest

from domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from domain.roles import Actor, Role

pytestmark = pytest.mark.dialect  # user service writes; case-insensitive email uniqueness

ADMIN = Actor("root@genthrust.test", Role.ADMIN, "test")


def test_local_accounts_hash_passwords_and_authenticate(app):
    user = app.users.add(ADMIN, " Pat@GenThrust.test ", "approver", "correct horse battery")
    assert (user.email, user.role) == ("pat@genthrust.test", Role.APPROVER)
    with app.session() as s:
        from sqlalchemy import text

        stored = s.execute(text("SELECT password_hash FROM users")).scalar()
    assert "correct horse" not in stored and stored.startswith("$argon2")
    assert (
        app.users.authenticate("pat@genthrust.test", "correct horse battery").role is Role.APPROVER
    )
    assert app.users.authenticate("pat@genthrust.test", "wrong password!") is None
    assert app.users.authenticate("nobody@genthrust.test", "correct horse battery") is None
    assert app.users.actor_for("PAT@genthrust.test", "cli") == Actor(
        "pat@genthrust.test", Role.APPROVER, "cli"
    )


def test_user_management_refuses_bad_input_and_non_admins(app):
    app.users.add(ADMIN, "a@genthrust.test", "viewer", "long enough password")
    with pytest.raises(Conflict):
        app.users.add(ADMIN, "A@genthrust.test", "viewer", "long enough password")
    with pytest.raises(InvalidInput, match="not a role"):
        app.users.add(ADMIN, "b@genthrust.test", "god", "long enough password")
    with pytest.raises(InvalidInput, match="not an email"):
        app.users.add(ADMIN, "<script>@x", "viewer", "long enough password")
    with pytest.raises(InvalidInput, match="at least"):
        app.users.add(ADMIN, "c@genthrust.test", "viewer", "short")
    with pytest.raises(Forbidden):
        app.users.add(
            Actor("a@genthrust.test", Role.EDITOR), "d@genthrust.test", "admin", "long enough pw"
        )
    with pytest.raises(NotFound):
        app.users.get("ghost@genthrust.test")
    assert [u.email for u in app.users.list()] == ["a@genthrust.test"]
