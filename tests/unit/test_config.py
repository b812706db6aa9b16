import sys

import pytest

from config import ConfigError, load_settings
from domain.db import mysql_driver
from tests.conftest import require_service


def test_embedded_default_needs_nothing(tmp_path):
    settings = load_settings(var_dir=tmp_path)
    assert settings.sqlalchemy_url == f"sqlite:///{tmp_path / 'ro-tracker.db'}"
    assert settings.is_embedded_db
    assert settings.database_pool_size == 10
    assert (settings.api_threads, settings.chat_threads) == (2, 2)


def test_mysql_urls_get_mysqlclient_where_installed_else_pymysql(monkeypatch):
    settings = load_settings(database_url="mysql://u:p@db:3306/ro")
    assert settings.sqlalchemy_url == f"mysql+{mysql_driver()}://u:p@db:3306/ro"
    assert not settings.is_embedded_db
    monkeypatch.setitem(sys.modules, "MySQLdb", None)  # not installed: import fails
    assert mysql_driver() == "pymysql"
    settings = load_settings(database_url="mariadb://u:p@db:3306/ro")
    assert settings.sqlalchemy_url == "mysql+pymysql://u:p@db:3306/ro"


def test_a_url_naming_its_driver_keeps_it():
    for url in ("mysql+pymysql://u:p@db/ro", "mysql+mysqldb://u:p@db/ro"):
        assert load_settings(database_url=url).sqlalchemy_url == url


def test_mysqlclient_is_installed_where_the_tests_run_in_ci():
    # CI installs the `mariadb` extra, so the MariaDB tests run on the driver production gets
    if mysql_driver() != "mysqldb":
        require_service("mysqlclient (pip install -e '.[mariadb]')", False)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DATABASE_URL": "postgres://x"}, "DATABASE_URL: must start with sqlite://"),
        ({"DATABASE_SSL_CA": "/nonexistent/ca.pem"}, "DATABASE_SSL_CA: file /nonexistent/ca.pem"),
        ({"GT_TIMEZONE": "Mars/Base"}, "GT_TIMEZONE: unknown timezone"),
        ({"GT_FOLLOWUP_DAYS": "{bad"}, "GT_FOLLOWUP_DAYS: not JSON"),
        ({"GT_FOLLOWUP_DAYS": '{"NOPE": 3}'}, 'GT_FOLLOWUP_DAYS: "NOPE" is not a status'),
        ({"GT_DB_POOL_SIZE": "0"}, "GT_DB_POOL_SIZE: Input should be greater than or equal to 1"),
        ({"GT_CHAT_THREADS": "0"}, "GT_CHAT_THREADS: Input should be greater than or equal to 1"),
    ],
)
def test_invalid_configuration_is_one_clear_line(monkeypatch, env, message):
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as caught:
        load_settings()
    text = str(caught.value)
    assert text.startswith("Invalid configuration: ")
    assert message in text
    assert "\n" not in text


def test_follow_up_overrides_accept_legacy_spellings(monkeypatch):
    monkeypatch.setenv("GT_FOLLOWUP_DAYS", '{"BEING REPAIRED": 21}')
    assert load_settings().followup_days == {"BEING REPAIRED": 21}


def test_reading_replies_through_graph_needs_the_entra_app(monkeypatch):
    from config import ConfigError, load_settings

    for name in ("GT_ENTRA_TENANT_ID", "GT_ENTRA_CLIENT_ID", "GT_ENTRA_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError, match="GT_INBOX=graph needs GT_ENTRA_TENANT_ID"):
        load_settings(inbox="graph", _env_file=None)
    assert load_settings(inbox="folder", _env_file=None).inbox_source == "folder"
    assert load_settings(_env_file=None).inbox_source == "folder"  # auto, mail not via Graph
    assert load_settings(inbox="off", _env_file=None).inbox_source == "off"
