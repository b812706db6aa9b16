"""Which failures a job retries: transient ones yes, the domain's errors never."""

from __future__ import annotations

import httpx
import pymysql
import pytest
import redis
import sqlalchemy.exc as sa_exc
from dramatiq import Retry
from dramatiq.middleware import TimeLimitExceeded

from domain.errors import InvalidStatus, NotFound, StaleVersion
from jobs.errors import JobFailed, JobTimeout, UnknownOperation, error_from_failure
from jobs.policies import BACKGROUND, INTERACTIVE, INTERACTIVE_RETRIES
from jobs.transient import is_transient, retry_transient
from tests.conftest import require_service


def db_error(code: int, message: str, *, invalidated: bool = False) -> sa_exc.DBAPIError:
    orig = pymysql.err.OperationalError(code, message)
    return sa_exc.OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


def http_error(status: int) -> httpx.HTTPStatusError:
    request = httpx.Request("POST", "https://graph.example/v1.0/me/sendMail")
    return httpx.HTTPStatusError("x", request=request, response=httpx.Response(status))


@pytest.mark.parametrize(
    "exc",
    [
        db_error(2013, "Lost connection to server during query", invalidated=True),
        db_error(2006, "MySQL server has gone away"),
        db_error(1213, "Deadlock found when trying to get lock"),
        db_error(1205, "Lock wait timeout exceeded"),
        db_error(1927, "Connection was killed"),
        sa_exc.OperationalError("x", {}, Exception("database is locked")),
        sa_exc.TimeoutError("QueuePool limit reached"),
        pymysql.err.OperationalError(2003, "Can't connect"),
        redis.ConnectionError("refused"),
        http_error(429),
        http_error(503),
        httpx.ConnectTimeout("slow"),
        TimeoutError(),
        ConnectionResetError(),
        Retry(delay=500),
        TimeLimitExceeded(),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transient_errors_are_retried(exc):
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        NotFound("There is no RO 99999 in any archive."),
        InvalidStatus("not a status"),
        StaleVersion("changed"),
        UnknownOperation("no such tool"),
        db_error(1062, "Duplicate entry"),
        sa_exc.IntegrityError("INSERT", {}, pymysql.err.IntegrityError(1062, "dup")),
        http_error(400),
        http_error(404),
        ValueError("bug"),
        KeyError("bug"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_permanent_errors_are_not(exc):
    assert not is_transient(exc)


def test_retry_when_stops_after_the_budget():
    retry_when = retry_transient(INTERACTIVE_RETRIES)
    lost = db_error(2013, "Lost connection", invalidated=True)
    assert [retry_when(n, lost) for n in range(5)] == [True, True, True, False, False]
    assert not retry_when(0, NotFound("x"))


def test_policies_never_retry_domain_errors_and_interactive_is_quick():
    from dramatiq.common import compute_backoff

    for policy in (INTERACTIVE, BACKGROUND):
        assert issubclass(NotFound, policy["throws"])
    # Worst case of every interactive backoff (jitter doubles at most): within two seconds.
    worst = sum(
        min(INTERACTIVE["min_backoff"] * 2**n * 2, INTERACTIVE["max_backoff"])
        for n in range(INTERACTIVE_RETRIES)
    )
    assert worst <= 2_000
    assert compute_backoff(0, factor=INTERACTIVE["min_backoff"])[1] >= 100
    assert BACKGROUND["min_backoff"] >= 1_000 and BACKGROUND["max_backoff"] >= 60_000


def test_failures_come_back_as_the_domain_error_or_a_plain_job_error():
    err = error_from_failure("get_repair_order", "NotFound", "There is no RO 99999.")
    assert type(err) is NotFound and str(err) == "There is no RO 99999."
    err = error_from_failure("get_repair_order", "OperationalError", "(2013) host db.internal")
    assert isinstance(err, JobFailed) and "db.internal" not in str(err)
    assert isinstance(error_from_failure("x", "SkipMessage", "expired"), JobTimeout)


def _mysqlclient():
    """mysqlclient's module (the `mariadb` extra): installed in CI, where these must run."""
    try:
        import MySQLdb
    except ImportError:
        require_service("mysqlclient (pip install -e '.[mariadb]')", False)
    return MySQLdb


@pytest.mark.parametrize(
    ("make", "transient"),
    [
        (lambda m: m.OperationalError(2013, "Lost connection to server during query"), True),
        (lambda m: m.OperationalError(2006, "Server has gone away"), True),
        (lambda m: m.OperationalError(1213, "Deadlock found when trying to get lock"), True),
        (lambda m: m.OperationalError(1205, "Lock wait timeout exceeded"), True),
        (lambda m: m.InterfaceError(0, ""), True),  # a connection already closed
        (lambda m: m.OperationalError(1054, "Unknown column"), False),
        (lambda m: m.IntegrityError(1062, "Duplicate entry"), False),
    ],
)
def test_mysqlclient_errors_are_told_apart_like_pymysql_ones(make, transient):
    orig = make(_mysqlclient())
    wrapped = sa_exc.DBAPIError("SELECT 1", {}, orig)
    assert is_transient(orig) is transient
    assert is_transient(wrapped) is transient
