"""Received messages kept for the record, content-addressed: var/mail/raw/<sha256>.eml (#16).

The same message stored twice is one file (a second delivery, a retried ingest), and a file
appears only complete (written to a temp name, then renamed): the record never points at half a
message. Not fsynced, like the embedded database's own commits (SQLite WAL, synchronous=NORMAL):
an operating-system crash may lose the last moments of both; the dropped file itself is kept in
var/inbox/processed/.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path


class LocalRawMail:
    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def put(self, content: bytes) -> str:
        """Store `content` once; answer its location (the file's path)."""
        digest = hashlib.sha256(content).hexdigest()
        final = self.directory / f"{digest}.eml"
        if final.exists():
            return str(final)
        self.directory.mkdir(parents=True, exist_ok=True)
        temp = self.directory / f".{digest}.{uuid.uuid4().hex}.tmp"
        try:
            with open(temp, "wb") as file:
                file.write(content)
            os.replace(temp, final)  # another worker's copy, if any, has the same content
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        return str(final)

    def get(self, location: str) -> bytes:
        path = Path(location)
        if path.parent.resolve() != self.directory.resolve():
            raise ValueError("not a location of this store")
        return path.read_bytes()
