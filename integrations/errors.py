"""Errors of the outside systems (Microsoft Graph, the workbooks), in one tree. `jobs.transient`
retries every `ExcelTransient` with the actor's policy; permanent ones end the job at once and
land in `job_failures` and in `gt excel status`.

    ExcelSyncError                 anything the Excel sync raises on purpose
    ├── ExcelTransient             try again later
    │   ├── GraphThrottled         429/503/504 that outlasted the in-request waits (Retry-After)
    │   ├── GraphSessionLost       the workbook session kept expiring or could not be recreated
    │   └── WorkbookBusy           another worker held the workbook's lock for too long
    └── ExcelPermanent             the same request would fail the same way: report, do not loop
        ├── GraphRequestError      invalidArgument, itemNotFound, generalException, other 4xx
        │   └── PayloadTooLarge    payloadTooLarge / rangeExceedsLimit (the writer halves chunks;
        │                          raised only when a single row is too large)
        ├── GraphAuthError         no token: bad secret, missing consent, no stored refresh token
        └── WorkbookUnreadable     the local file is not an .xlsx workbook
"""

from __future__ import annotations


class ExcelSyncError(Exception):
    """Base of the tree; `str(err)` is one line a person can act on (no secrets, no tokens)."""


class ExcelTransient(ExcelSyncError):
    pass


class GraphThrottled(ExcelTransient):
    def __init__(self, message: str, retry_after_s: float | None = None):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class GraphSessionLost(ExcelTransient):
    pass


class WorkbookBusy(ExcelTransient):
    pass


class ExcelPermanent(ExcelSyncError):
    pass


class GraphRequestError(ExcelPermanent):
    def __init__(self, message: str, *, status: int = 0, code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code


class PayloadTooLarge(GraphRequestError):
    pass


class GraphAuthError(ExcelPermanent):
    pass


class WorkbookUnreadable(ExcelPermanent):
    pass
