"""Engines and sessions for SQLite (embedded) and MySQL/MariaDB (production)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.orm import Session, sessionmaker


def mysqlclient() -> ModuleType | None:
    """MariaDB's C driver (mysqlclient, the `mariadb` extra), or None where it is not installed:
    the one place that asks (jobs/transient.py needs its error classes)."""
    try:
        import MySQLdb
    except ImportError:
        return None
    return MySQLdb


def mysql_driver() -> str:
    """The driver a `mysql://` URL gets: mysqlclient (C) where it is installed, else PyMySQL
    (pure Python, always installed). mysqlclient costs the worker a fifth less CPU a chat turn
    and a 50,000-row read less than half (bench/mariadb_driver.py)."""
    return "pymysql" if mysqlclient() is None else "mysqldb"


MYSQL_DRIVERS = ("mysql+pymysql://", "mysql+mysqldb://")


def with_mysql_driver(url: str) -> str:
    """`mysql://` and `mariadb://` URLs with the driver named (`mysql_driver`); a URL that names
    its driver keeps it, any other is returned as it is."""
    if url.startswith(("mysql://", "mariadb://")):
        return f"mysql+{mysql_driver()}://" + url.split("://", 1)[1]
    return url


def make_engine(
    url: str,
    *,
    ssl_ca: Path | None = None,
    pool_size: int = 10,
    pool_recycle_s: int = 280,
    echo: bool = False,
) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # The pool as large as for MySQL: SQLAlchemy's default (5 + 10 overflow) closes the
        # overflow connections when they come back, so a server busier than 5 threads opened
        # (and set up) a new connection for most requests.
        database = make_url(url).database
        in_memory = not database or database == ":memory:"  # SQLAlchemy's own one-connection pool
        pool = {} if in_memory else {"pool_size": pool_size, "max_overflow": pool_size}
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30}, **pool
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    connect_args: dict = {"charset": "utf8mb4"}
    if ssl_ca is not None:
        connect_args["ssl"] = {"ca": str(ssl_ca)}
    return create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,  # Aiven and proxies drop idle connections
        pool_recycle=pool_recycle_s,
        isolation_level="READ COMMITTED",
        connect_args=connect_args,
    )


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)
