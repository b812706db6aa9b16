"""Errors a caller of a job sees. Domain errors come back as themselves (same type, same text)."""

from __future__ import annotations

from domain.errors import InvalidInput, RoTrackerError


class JobError(Exception):
    """The job could not give an answer; `str(err)` is a sentence the assistant can relay."""


class JobTimeout(JobError):
    """No result within the caller's timeout (workers down, overloaded, or the job hung)."""


class JobUnavailable(JobError):
    """The job system (Redis) cannot be reached: nothing was sent."""


class JobFailed(JobError):
    """The job gave up: a temporary problem outlasted its retries, or an unexpected error."""


class UnknownOperation(InvalidInput):
    """A tool operation name nobody registered."""


def _domain_error_types() -> dict[str, type[RoTrackerError]]:
    found: dict[str, type[RoTrackerError]] = {}
    pending: list[type[RoTrackerError]] = [RoTrackerError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.__name__, cls)
        pending.extend(cls.__subclasses__())
    return found


def error_from_failure(operation: str, type_name: str, message: str) -> Exception:
    """Rebuild the error a job raised. Domain errors keep their type and message; anything else
    becomes `JobFailed` naming only the error type (its text may hold SQL or host names)."""
    cls = _domain_error_types().get(type_name)
    if cls is not None:
        return cls(message)
    if type_name == "SkipMessage":
        return JobTimeout(f"The {operation} tool expired before a worker could run it.")
    return JobFailed(
        f"The {operation} tool could not finish ({type_name}). "
        "It was retried; please try again in a moment."
    )
