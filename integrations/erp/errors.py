"""Errors of the outside sources, in one tree. `str(err)` is one line for a person: never a
password, a token or a response body that could carry one.

    SourceError
    ├── SourceAuthError      the source refused our credentials: stop, do not retry
    ├── SourceUnavailable    429/5xx/timeouts outlasted the retries; or the circuit opened
    │   └── CircuitOpen      N consecutive failures: the run stops with this status
    └── SourceRequestError   another 4xx, or a body we cannot read (one record or the run)
"""

from __future__ import annotations


class SourceError(Exception):
    pass


class SourceAuthError(SourceError):
    pass


class SourceUnavailable(SourceError):
    pass


class CircuitOpen(SourceUnavailable):
    pass


class SourceRequestError(SourceError):
    def __init__(self, message: str, status: int = 0):
        super().__init__(message)
        self.status = status
