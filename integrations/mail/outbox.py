"""The embedded default: each email is a real .eml file in the outbox folder (var/outbox).

Exactly once by construction: the file's name is the notification id, and it appears only by
an atomic hard link of a fully written temp file (the commit point). A retry finds the file and
stops; two attempts racing both link to one name and one of them loses — still one file.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from email.message import EmailMessage
from pathlib import Path

from domain.notifications.views import Claim
from integrations.mail.senders import Remember


class OutboxSender:
    name = "outbox"
    idempotent = True
    keeps_message_id = True

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def path_for(self, claim_id: str) -> Path:
        return self.directory / f"{claim_id}.eml"

    def send(self, claim: Claim, message: EmailMessage, remember: Remember) -> str:
        final = self.path_for(claim.id)
        if final.exists():
            return final.name
        self.directory.mkdir(parents=True, exist_ok=True)
        temp = self.directory / f".{claim.id}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temp, "wb") as file:
                file.write(bytes(message))
                file.flush()
                os.fsync(file.fileno())
            with contextlib.suppress(FileExistsError):  # another attempt got there first
                os.link(temp, final)
        finally:
            temp.unlink(missing_ok=True)
        _fsync_dir(self.directory)
        return final.name


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
