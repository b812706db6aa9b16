"""Files dropped in the chat, held until a person confirms where they are filed.

The chat stages each file here (`<var>/documents/.staging/{sha256}` and a small JSON with the
name it came with) and gives the model only the hash as an upload id, so a tool never takes a
path or file content from the model. Staged files are plain bytes: nothing here opens them.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from domain.documents.files import clean_file_name
from domain.errors import InvalidInput, NotFound

_ID = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StagedUpload:
    id: str  # the content's sha256
    name: str
    size: int


class UploadStaging:
    def __init__(self, root: Path):
        self.root = Path(root)

    def stage(self, name: str, content: bytes) -> StagedUpload:
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(content).hexdigest()
        target = self.root / digest
        if not target.exists():
            fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                out.write(content)
            os.replace(tmp, target)
        clean = clean_file_name(name)
        (self.root / f"{digest}.json").write_text(json.dumps({"name": clean}))
        return StagedUpload(digest, clean, len(content))

    def read(self, upload_id: str) -> tuple[str, bytes]:
        if not _ID.match(str(upload_id or "")):
            raise InvalidInput(
                "That is not an upload id (the 64-character id the chat gave for a dropped file)."
            )
        path = self.root / upload_id
        if not path.is_file():
            raise NotFound("No file was dropped in the chat with that upload id.")
        meta = self.root / f"{upload_id}.json"
        name = json.loads(meta.read_text()).get("name", "document") if meta.exists() else "document"
        return name, path.read_bytes()
