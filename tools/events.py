"""What a tool asks the chat to show besides its result: typed, UI-neutral events.

Tools append them to `Deps.events`; the run loop hands each to the sink after the turn (the
Chainlit chat draws them, the terminal prints what a person can do). No UI code here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class DashboardCharts:
    """Figures worth a picture: status breakdown, overdue aging, value by shop."""

    data: dict[str, Any]


@dataclass(frozen=True)
class EmailDraftCards:
    """Email drafts waiting for approval, to show as cards with their buttons."""

    draft_ids: tuple[str, ...]


@dataclass(frozen=True)
class ChangeCards:
    """Changes waiting for Confirm, shown to an approver as cards with the buttons they may
    use — how an approver reaches an editor's change, e.g. to override the certificate check."""

    approval_ids: tuple[str, ...]


@dataclass(frozen=True)
class ReplyCards:
    """Shops' replies proposed as updates (#16), shown to an editor or above as cards with
    Confirm / Edit / Dismiss."""

    approval_ids: tuple[str, ...]


@dataclass(frozen=True)
class ExcelSyncStarted:
    """A full Excel sync was queued; its progress is worth following in the chat."""

    job_id: str


@dataclass(frozen=True)
class CommandPending:
    """A confirmed change still being applied: post its outcome in the chat when it lands."""

    approval_id: str


# ---- reports and exports ----
@dataclass(frozen=True)
class ReportChart:
    """A report (tools/reports.py) worth a picture: its kind, a title and its rows."""

    kind: str
    title: str
    data: dict[str, Any]


@dataclass(frozen=True)
class FileReady:
    """An exported file to offer for download."""

    path: str
    name: str
    mime: str


@dataclass(frozen=True)
class DownloadLink:
    """A short-lived, pre-authenticated link to a document's file, for the person who asked
    only: shown to them, never put in the model's context or a log (it is a bearer link)."""

    url: str = field(repr=False)  # repr: a logged event never prints it
    name: str
    expires: str  # "a few minutes"


@dataclass(frozen=True)
class ExportStarted:
    """A large export was queued: follow its progress, then offer the file (`FileReady`'s)."""

    job_id: str
    total: int


# ---- documents (#15) ----
@dataclass(frozen=True)
class UploadStarted:
    """A large document is on its way to the library: follow its upload (bytes sent / total)
    until it says where it is stored, or why it failed."""

    job_id: str
    name: str
    size: int


UiEvent = (
    DashboardCharts
    | EmailDraftCards
    | ChangeCards
    | ReplyCards
    | ExcelSyncStarted
    | CommandPending
    | ReportChart
    | FileReady
    | DownloadLink
    | ExportStarted
    | UploadStarted
)
