"""Documents in the offline model: files dropped with a message are proposed for filing (one
attach_document call each, so one card each); "documents on 38462"; "download document 12"."""

from __future__ import annotations

import re

from pydantic_ai.messages import ToolCallPart

from agent.offline.requests import NUMBER

# What web/uploads.py appends to a message for each dropped file.
DROPPED = re.compile(r"^- upload_id=(?P<id>[0-9a-f]{64})\b", re.M)
MARKER = "[Files dropped with this message"


def dropped_files(text: str) -> tuple[str, list[str]]:
    """(the person's own words, the upload ids of the files they dropped)."""
    words, _, files = text.partition(MARKER)
    return words, [m["id"] for m in DROPPED.finditer(files)]


def file_calls(text: str) -> list[ToolCallPart] | str | None:
    words, ids = dropped_files(text)
    if not ids:
        return None
    number = re.search(rf"\b{NUMBER}\b", words.lower())
    if number is None:
        return (
            "Which RO should I file "
            + ("it" if len(ids) == 1 else "them")
            + " under? Say e.g. **quote for 38462** with the file."
        )
    kind = _kind_in(words.lower())
    return [
        ToolCallPart(
            tool_name="attach_document",
            args={
                "ro_number": number[1],
                "upload_id": upload_id,
                **({"kind": kind} if kind else {}),
            },
        )
        for upload_id in ids
    ]


def _kind_in(t: str) -> str | None:
    for words, kind in (
        (r"8130|easa|form 1|\bcert", "release certificate"),
        (r"packing", "packing slip"),
        (r"\bquote|quotation", "quote"),
        (r"\binvoice", "invoice"),
        (r"\bphoto|picture", "photo"),
    ):
        if re.search(words, t):
            return kind
    return None


def document_request(t: str) -> ToolCallPart | None:
    if found := re.search(r"\b(?:download|open|get|send me)\s+(?:the\s+)?document\s+#?(\d+)\b", t):
        return ToolCallPart(tool_name="get_document", args={"document_id": int(found[1])})
    if found := re.search(
        rf"\b(?:documents?|docs|paperwork|files|certificates?|certs?)\b.*?\b(?:on|for|of)\s+{NUMBER}\b",
        t,
    ):
        return ToolCallPart(tool_name="list_documents", args={"ro_number": found[1]})
    if found := re.search(r"\bremove\s+document\s+#?(\d+)\b", t):
        return ToolCallPart(tool_name="remove_document", args={"document_id": int(found[1])})
    return None
