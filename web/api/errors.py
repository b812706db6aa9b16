"""Errors as the legacy API answered them: `{"error": kind, "message": sentence}` with the
documented status codes. Domain refusals keep the chat's wording (the same services raise them).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agent.rate_limit import RateLimited
from domain.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    RoTrackerError,
    StaleVersion,
)

log = logging.getLogger("ro_tracker.api")


class ApiError(Exception):
    """An answer other than success that no domain error names (412, 413, 428...)."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers
        self.extra = extra or {}


class PreconditionFailed(ApiError):
    def __init__(self, message: str):
        super().__init__(412, "Precondition failed", message)


def body(error: str, message: str, details: object = None) -> dict:
    answer: dict = {"error": error, "message": message}
    if details is not None:
        answer["details"] = details
    return answer


def answer(status: int, error: str, message: str, details=None, headers=None) -> JSONResponse:
    return JSONResponse(body(error, message, details), status_code=status, headers=headers)


_STATUS: list[tuple[type[RoTrackerError], int, str]] = [
    (NotAuthenticated, 401, "Unauthorized"),
    (Forbidden, 403, "Forbidden"),
    (NotFound, 404, "Not found"),
    (StaleVersion, 409, "Conflict"),
    (Conflict, 409, "Conflict"),
    (InvalidInput, 400, "Bad request"),
]


def status_of(exc: RoTrackerError) -> tuple[int, str]:
    for kind, status, error in _STATUS:
        if isinstance(exc, kind):
            return status, error
    return 400, "Bad request"


def _field(loc: tuple) -> str:
    # ("body", "estimatedCost") -> "estimatedCost"; ("query", "limit") -> "limit"
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def validation_message(exc: RequestValidationError) -> tuple[str, list[dict]]:
    details = []
    for e in exc.errors():
        kind = e.get("type", "")
        field = "body" if kind == "json_invalid" else _field(tuple(e.get("loc", ())))
        if kind == "json_invalid":
            text = "The body is not valid JSON."
        elif kind == "extra_forbidden":
            text = f'"{field}" is not a field of this request.'
        elif kind == "missing":
            text = f'"{field}" is required.'
        else:
            text = f'"{field}": {e.get("msg", "invalid value")}.'
        details.append({"field": field, "message": text})
    return " ".join(d["message"] for d in details) or "The request is not valid.", details


def install(api: FastAPI) -> None:
    @api.exception_handler(RoTrackerError)
    async def domain_error(_request: Request, exc: RoTrackerError) -> JSONResponse:
        if isinstance(exc, RateLimited):
            return JSONResponse(
                {
                    "error": "Rate limit exceeded",
                    "message": str(exc),
                    "retryAfter": exc.retry_after_s,
                },
                status_code=429,
                headers={"Retry-After": str(exc.retry_after_s)},
            )
        status, error = status_of(exc)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return answer(status, error, str(exc), headers=headers)

    @api.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(
            {**body(exc.error, exc.message), **exc.extra},
            status_code=exc.status,
            headers=exc.headers,
        )

    @api.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = validation_message(exc)
        return answer(400, "Bad request", message, details)

    @api.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "Not found", 405: "Method not allowed"}
        return answer(
            exc.status_code,
            names.get(exc.status_code, "Error"),
            str(exc.detail),
            headers=getattr(exc, "headers", None),
        )

    @api.exception_handler(Exception)
    async def unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("API request failed")
        return answer(500, "Internal server error", "The server failed; the error is logged.")
