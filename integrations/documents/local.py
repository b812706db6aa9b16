"""Documents on disk: `<var>/documents/RO-{number}/{sha256}{ext}`.

The hash names the file, so the same content filed twice is stored once, and a name a person
chose never becomes a path. Writes go to a temporary file renamed into place, so a reader never
sees half a file.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from domain.errors import NotFound

_HASH = re.compile(r"^[0-9a-f]{64}$")
_RO = re.compile(r"^[A-Za-z0-9-]{1,20}$")


class LocalDocumentStore:
    kind = "local"

    def __init__(self, root: Path):
        self.root = Path(root)

    def put(
        self,
        ro_number: str,
        sha256: str,
        name: str,
        content: bytes,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> str:
        if not _HASH.match(sha256) or not _RO.match(ro_number):
            raise ValueError("a document is stored under its RO number and its sha256 only")
        ext = os.path.splitext(name)[1].lower()
        ext = ext if re.fullmatch(r"\.[a-z0-9]{1,5}", ext) else ""
        folder = self.root / f"RO-{ro_number}"
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{sha256}{ext}"
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(content)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        if on_progress is not None:  # one write: all or nothing
            on_progress(len(content), len(content))
        return target.relative_to(self.root).as_posix()

    def path(self, location: str) -> Path:
        resolved = (self.root / location).resolve()
        if self.root.resolve() not in resolved.parents:
            raise NotFound("That document location is outside the document store.")
        return resolved

    def get(self, location: str) -> bytes:
        path = self.path(location)
        if not path.is_file():
            raise NotFound(f"The stored file {location} is missing from the document store.")
        return path.read_bytes()

    def list(self, ro_number: str) -> list[str]:
        folder = self.root / f"RO-{ro_number}"
        if not folder.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in folder.iterdir()
            if p.is_file() and not p.name.startswith(".")
        )
