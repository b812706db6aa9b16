"""Entra app roles -> our roles, the default for members without one, and the settings."""

from __future__ import annotations

import pytest

from config import ENTRA_APP_ROLES, ConfigError, load_settings
from domain.roles import Role
from integrations.microsoft.app_roles import role_for
from tests.fakes.entra import TENANT


@pytest.mark.parametrize(
    ("app_roles", "expected"),
    [
        (["RO.Viewer"], Role.VIEWER),
        (["RO.Editor"], Role.EDITOR),
        (["ro.approver"], Role.APPROVER),
        (["RO.Admin"], Role.ADMIN),
        (["RO.Editor", "RO.Admin", "RO.Viewer"], Role.ADMIN),  # the highest wins
        (["approver"], Role.APPROVER),  # plain names work too
        (["Something.Else"], Role.VIEWER),  # unmapped: the default
        ([], Role.VIEWER),
    ],
)
def test_default_mapping(app_roles, expected):
    assert role_for(app_roles, ENTRA_APP_ROLES, "viewer") == expected


def test_configured_mapping_and_default():
    mapping = {"Desk.Lead": "approver"}
    assert role_for(["Desk.Lead"], mapping, "viewer") == Role.APPROVER
    assert role_for(["RO.Admin"], mapping, "editor") == Role.EDITOR  # not in this mapping
    assert role_for([], mapping, "deny") is None


def test_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("GT_ENTRA_ROLE_MAP", '{"Desk.Lead": "Approver"}')
    monkeypatch.setenv("GT_ENTRA_DEFAULT_ROLE", "DENY")
    settings = load_settings(var_dir=tmp_path)
    assert settings.entra_role_map == {"Desk.Lead": "approver"}
    assert settings.entra_default_role == "deny"
    assert settings.entra_login is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GT_ENTRA_ROLE_MAP": '{"X": "boss"}'}, "unknown role"),
        ({"GT_ENTRA_ROLE_MAP": "{nope"}, "not JSON"),
        ({"GT_ENTRA_DEFAULT_ROLE": "owner"}, "deny"),
        ({"GT_ENTRA_LOGIN": "true"}, "GT_ENTRA_LOGIN needs GT_ENTRA_TENANT_ID"),
        (
            {
                "GT_ENTRA_LOGIN": "true",
                "GT_ENTRA_TENANT_ID": "common",
                "GT_ENTRA_CLIENT_ID": "c",
                "GT_ENTRA_CLIENT_SECRET": "s",
            },
            "GUID",
        ),
    ],
)
def test_bad_settings_are_one_clear_line(tmp_path, monkeypatch, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_settings(var_dir=tmp_path)


def test_login_settings_complete(tmp_path):
    settings = load_settings(
        var_dir=tmp_path,
        entra_login=True,
        entra_tenant_id=TENANT,
        entra_client_id="c",
        entra_client_secret="s",
    )
    assert settings.entra_login
