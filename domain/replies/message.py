"""A received email as the rest of #16 sees it, whichever mailbox it came from.

`ReceivedEmail` is built from a raw MIME message (the embedded drop folder, `parse_eml`) or from
Graph's JSON (integrations/mail/graph_inbox.py). `text` is the NEW part only: what the sender
wrote in this message, without the quoted earlier mail or the signature, so a fact quoted from
our own follow-up is never read as the shop's answer. Times are naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Attachment:
    name: str
    media_type: str
    size: int
    content: bytes | None  # None when not fetched or over the size limit (then flagged)


@dataclass(frozen=True)
class ReceivedEmail:
    internet_message_id: str  # "<...@...>"; a stand-in derived from the content when missing
    from_address: str  # lower-cased
    from_name: str | None
    subject: str
    received_at: datetime  # naive UTC
    text: str  # the new part, plain text (HTML converted, scripts dropped)
    full_text: str = ""  # the whole body as text, quotes included (for the record)
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    conversation_id: str | None = None  # Graph only
    attachments: tuple[Attachment, ...] = ()
    # Found while parsing, for a person to look at: malformed, html_script, oversize_attachment...
    flags: tuple[str, ...] = field(default_factory=tuple)
