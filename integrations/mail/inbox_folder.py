"""The embedded mailbox: `.eml` files dropped in var/inbox (#16).

Each poll reads the oldest files first, at most `batch` of them, and parses each (RFC 5322 MIME,
domain/replies/message.py `parse_eml`). `done()` moves a stored message's file to
`processed/`; a file that cannot even be read or parsed goes to `rejected/` with a `.note`
beside it saying why. Nothing is ever deleted. Drop files whole (write elsewhere, then move
them in): names starting with a dot are ignored, so an editor's or a copier's temp file is not
read half-written.

Two workers polling at once may read the same file: ingestion is idempotent by Message-ID, and
the second `done()` finds the file gone and does nothing.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from domain.replies.message import ReceivedEmail
from integrations.mail.inbox import Incoming, Polled

log = logging.getLogger(__name__)
DEFAULT_BATCH = 200
# parse(raw, max_attachment_bytes=..., received_at=...) -> ReceivedEmail
Parser = Callable[..., ReceivedEmail]


def _parse_eml(raw: bytes, **kwargs) -> ReceivedEmail:
    from domain.replies.message import parse_eml  # the reading side of #16

    return parse_eml(raw, **kwargs)


class FolderInbox:
    name = "folder"

    def __init__(
        self,
        directory: Path,
        max_attachment_bytes: int,
        *,
        batch: int = DEFAULT_BATCH,
        parse: Parser | None = None,
    ):
        self.directory = Path(directory)
        self.max_attachment_bytes = max_attachment_bytes
        self.batch = batch
        self.parse = parse or _parse_eml
        self.mailbox = f"folder:{self.directory}"[:320]
        self.processed = self.directory / "processed"
        self.rejected = self.directory / "rejected"

    def waiting(self) -> list[Path]:
        """The dropped files not yet handled, oldest first."""
        if not self.directory.is_dir():
            return []
        found = []
        with os.scandir(self.directory) as entries:
            for entry in entries:
                if entry.name.startswith(".") or not entry.name.lower().endswith(".eml"):
                    continue
                with contextlib.suppress(OSError):
                    if entry.is_file():
                        found.append((entry.stat().st_mtime, entry.name))
        return [self.directory / name for _, name in sorted(found)]

    def poll(self, cursor: str | None = None) -> Polled:
        messages = []
        for path in self.waiting()[: self.batch]:
            try:
                raw = path.read_bytes()
                received = datetime.fromtimestamp(path.stat().st_mtime, UTC).replace(tzinfo=None)
            except FileNotFoundError:  # another worker took it
                continue
            except OSError as exc:
                self._reject(path, f"could not be read: {exc}")
                continue
            try:
                email = self.parse(
                    raw, max_attachment_bytes=self.max_attachment_bytes, received_at=received
                )
            except Exception as exc:  # the parser flags what it can; this it could not
                self._reject(path, f"could not be parsed: {type(exc).__name__}: {exc}")
                continue
            messages.append(Incoming(email=email, provider_id=path.name, raw=raw))
        return Polled(messages=messages, cursor=None, requests=0)

    def done(self, incoming: Incoming) -> None:
        self._move(self.directory / incoming.provider_id, self.processed)

    def reject(self, incoming: Incoming, why: str) -> None:
        """Set a message aside for a person (its ingestion failed for good)."""
        self._reject(self.directory / incoming.provider_id, why)

    def _reject(self, path: Path, why: str) -> None:
        log.warning("inbox: %s %s; moved to %s", path.name, why, self.rejected)
        target = self._move(path, self.rejected)
        if target is not None:
            with contextlib.suppress(OSError):
                target.with_name(target.name + ".note").write_text(
                    f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC: {path.name} {why}\n"
                )

    @staticmethod
    def _move(path: Path, folder: Path) -> Path | None:
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / path.name
        n = 1
        while target.exists():  # never overwrite: a same-named earlier file stays
            target = folder / f"{path.stem}.{n}{path.suffix}"
            n += 1
        try:
            path.rename(target)
        except FileNotFoundError:
            return None
        return target
