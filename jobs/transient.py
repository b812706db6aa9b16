"""Which failures are worth retrying.

Transient: the database connection was lost or killed, a deadlock or lock-wait timeout, a pool or
network timeout, Redis unreachable, an HTTP 429 or 5xx, an explicit `dramatiq.Retry`, a time
limit, the integrations' `ExcelTransient` tree. Everything else — above all the domain's
`RoTrackerError` tree — is permanent: trying the same thing again gives the same answer.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pymysql
import redis
import sqlalchemy.exc as sa_exc
from dramatiq import Retry
from dramatiq.middleware import TimeLimitExceeded

from domain.db import mysqlclient
from domain.errors import RoTrackerError
from integrations.errors import ExcelTransient

# MySQL/MariaDB error codes that mean "try again": lock wait timeout, deadlock, server gone or
# shutting down, connection lost/killed/refused, read-only during failover.
TRANSIENT_MYSQL_CODES = frozenset(
    {1040, 1053, 1205, 1213, 1290, 1927, 2002, 2003, 2005, 2006, 2013, 2055, 4031}
)
TRANSIENT_HTTP_STATUS = frozenset({408, 425, 429, 500, 502, 503, 504})

# The two MySQL drivers' errors (domain.db.mysql_driver): PyMySQL's always, mysqlclient's where
# it is installed. An OperationalError or InternalError carries the server's code; an
# InterfaceError is a connection that is closed or broken.
_CODED_ERRORS: tuple[type[BaseException], ...] = (
    pymysql.err.OperationalError,
    pymysql.err.InternalError,
)
_INTERFACE_ERRORS: tuple[type[BaseException], ...] = (pymysql.err.InterfaceError,)
if (MySQLdb := mysqlclient()) is not None:
    _CODED_ERRORS += (MySQLdb.OperationalError, MySQLdb.InternalError)
    _INTERFACE_ERRORS += (MySQLdb.InterfaceError,)


def _mysql_code(exc: BaseException) -> int | None:
    args = getattr(exc, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _sqlite_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database is busy" in text


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, RoTrackerError):
        return False
    if isinstance(exc, Retry | TimeLimitExceeded):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated:
            return True
        orig = exc.orig
        return (
            _mysql_code(orig) in TRANSIENT_MYSQL_CODES
            or isinstance(orig, _INTERFACE_ERRORS)
            or _sqlite_busy(orig)
        )
    if isinstance(exc, sa_exc.TimeoutError | sa_exc.DisconnectionError):
        return True
    if isinstance(exc, _CODED_ERRORS):
        return _mysql_code(exc) in TRANSIENT_MYSQL_CODES
    if isinstance(exc, _INTERFACE_ERRORS):
        return True
    if isinstance(exc, redis.ConnectionError | redis.TimeoutError):
        return True
    if isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code in TRANSIENT_HTTP_STATUS
    if isinstance(exc, httpx.TransportError):  # connect/read/write errors and timeouts
        return True
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    return isinstance(exc, ExcelTransient)  # throttling, a lost session, a busy workbook


def retry_transient(max_retries: int) -> Callable[[int, BaseException], bool]:
    """A `retry_when` for Dramatiq's Retries: transient errors, up to `max_retries` times."""

    def retry_when(retries: int, exc: BaseException) -> bool:
        return retries < max_retries and is_transient(exc)

    retry_when.__name__ = f"retry_transient_{max_retries}"
    return retry_when
