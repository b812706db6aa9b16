"""`gt chat` and `gt approvals`: the same turns as the chat, shown in a terminal (or as JSON)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from domain.models.chat import Approval
from tools.events import (
    CommandPending,
    DownloadLink,
    EmailDraftCards,
    ExportStarted,
    FileReady,
    ReplyCards,
    UiEvent,
)
from tools.exports import file_of, follow_export


def approval_dict(a: Approval) -> dict[str, Any]:
    preview = a.preview or {}
    return {
        "id": a.id,
        "title": preview.get("title", a.tool_name),
        "changes": preview.get("changes", []),
        "note": preview.get("note"),
        "state": a.state,
        "requested_by": a.requested_by,
        "thread_id": a.thread_id,
        "created_at": a.created_at.isoformat(timespec="seconds"),
        "decided_by": a.decided_by,
        "outcome": a.outcome,  # APPLIED, REFUSED, or None while pending or being applied
        "reason": (a.result or {}).get("reason") if a.outcome == "REFUSED" else None,
    }


@dataclass
class ConsoleSink:
    console: Console | None = None  # None: quiet, collect for JSON
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    streamed: bool = False
    app: Any = None  # given: a queued export is followed to its file (the worker may be ours)
    files: list[str] = field(default_factory=list)
    links: list[DownloadLink] = field(default_factory=list)  # for this person's eyes only

    async def text(self, delta: str) -> None:
        if self.console:
            self.console.print(delta, end="", markup=False, highlight=False, soft_wrap=True)
            self.streamed = True

    async def tool_started(self, call_id: str, name: str, args: dict[str, Any]) -> None:
        self.tool_calls.append({"id": call_id, "tool": name, "args": args})
        if self.console:
            self.console.print(f"[dim]→ {name}({json.dumps(args, default=str)})[/dim]")

    async def tool_finished(self, call_id: str, name: str, output: Any, error: str | None) -> None:
        for call in self.tool_calls:
            if call["id"] == call_id:
                call["output"], call["error"] = output, error
        if self.console:
            shown = error or json.dumps(output, default=str)
            self.console.print(f"[dim]← {name}: {shown[:300]}[/dim]", markup=True, highlight=False)

    async def confirm(self, approvals: list[Approval]) -> None:
        for a in approvals:
            self.waiting.append(approval_dict(a))
            if self.console:
                self.console.print(
                    f"\n[bold]{a.preview.get('title')}[/bold] — waiting for confirmation"
                )
                for field_name, old, new in a.preview.get("changes", []):
                    self.console.print(f"  {field_name}: {old} → {new}", markup=False)
                self.console.print(
                    f"  Confirm: gt approvals approve {a.id}\n"
                    f"  Cancel:  gt approvals reject {a.id}",
                    markup=False,
                )

    async def show(self, event: UiEvent) -> None:
        if isinstance(event, CommandPending) and self.console:
            self.console.print(
                "  The change is confirmed and still being applied; "
                f"`gt approvals show {event.approval_id}` tells when it is done.",
                markup=False,
            )
        if isinstance(event, FileReady):  # reports and exports
            self.files.append(event.path)
            if self.console:
                self.console.print(f"  File: {event.path}", markup=False, highlight=False)
        if isinstance(event, DownloadLink):  # a document in the library: its short-lived link
            self.links.append(event)
            if self.console:
                self.console.print(
                    f"  Download {event.name} (expires in {event.expires}; do not forward): "
                    f"{event.url}",
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
        if isinstance(event, ExportStarted):
            await self._follow_export(event)
        if isinstance(event, ReplyCards) and self.console:  # shops' replies waiting (#16)
            for approval_id in event.approval_ids:
                self.console.print(
                    f"\n  Confirm: gt approvals approve {approval_id}\n"
                    f"  Dismiss: gt approvals reject {approval_id}",
                    markup=False,
                )
        if not (isinstance(event, EmailDraftCards) and self.console):
            return  # charts and live progress are for the chat; the data is in the output
        for draft_id in event.draft_ids:
            self.console.print(
                f"  Approve & send: gt emails approve {draft_id}\n"
                f"  Edit:           gt emails edit {draft_id} --subject ... --to ...\n"
                f"  Reject:         gt emails reject {draft_id}",
                markup=False,
            )

    async def _follow_export(self, event: ExportStarted) -> None:
        """Wait for a queued export (an embedded worker stops with the command) and print its
        file; without the App, print the job id to follow."""
        if self.app is None:
            if self.console:
                self.console.print(f"  Export queued: job {event.job_id}", markup=False)
            return
        if self.console:
            self.console.print(f"  Exporting {event.total:,} ROs …", markup=False)
        last = await follow_export(self.app, event.job_id, lambda job: None)
        ready = file_of(last)
        if ready is not None:
            await self.show(ready)
        elif self.console:
            shown = last.get("error") or f"still {last['state']}; job {event.job_id}"
            self.console.print(f"  Export not finished: {shown}", markup=False)

    async def finish(self, reply: str) -> None:
        if self.console and self.streamed:
            self.console.print()
