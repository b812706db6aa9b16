"""What to tell a person when a turn fails: what happened, in words, and when to try again.

Never "nothing was changed" by assumption: the run loop adds what became of every change
confirmed in the turn, read from the commands' records (agent/outcomes.py).
"""

from __future__ import annotations

import math

from pydantic_ai.exceptions import (
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelQuotaExceededError,
    ModelRateLimitError,
    ModelRequestTimeout,
    ModelUnavailableError,
)

from jobs.errors import JobError

DEFAULT_WAIT_S = 30


def _wait(exc: ModelAPIError) -> int:
    return max(1, math.ceil(exc.retry_after)) if exc.retry_after else DEFAULT_WAIT_S


def expected(exc: BaseException) -> bool:
    """A failure of a service we depend on (said in one line), not a defect of ours."""
    return isinstance(exc, ModelAPIError | TimeoutError | JobError)


def explain(exc: BaseException, turn_timeout_s: float) -> str:
    if isinstance(exc, ModelRateLimitError):
        return f"The AI service is rate-limiting us. Please try again in {_wait(exc)} s."
    if isinstance(exc, ModelUnavailableError):  # 503, and 529 "overloaded"
        return f"The AI service is overloaded right now. Please try again in {_wait(exc)} s."
    if isinstance(exc, ModelRequestTimeout):
        return (
            f"The AI service did not answer within {exc.timeout:g} s. Please try again in a moment."
        )
    if isinstance(exc, ModelConnectionError):
        return "The AI service is unreachable right now. Please try again in a minute."
    if isinstance(exc, ModelAuthenticationError | ModelQuotaExceededError):
        return "The AI service refused our account; an administrator needs to check it."
    if isinstance(exc, ModelAPIError):
        return "The AI service failed to answer. Please try again in a moment."
    if isinstance(exc, TimeoutError):
        return f"The answer took longer than {turn_timeout_s:g} s and was stopped."
    if isinstance(exc, JobError):
        return str(exc)
    return "Sorry — something went wrong while answering. Please try again in a moment."
