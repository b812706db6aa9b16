"""A received email as the rest of #16 sees it, whichever mailbox it came from.

`ReceivedEmail` is built from a raw MIME message (the embedded drop folder, `parse_eml`) or from
Graph's JSON (integrations/mail/graph_inbox.py). `text` is the NEW part only: what the sender
wrote in this message, without the quoted earlier mail or the signature, so a fact quoted from
our own follow-up is never read as the shop's answer. Times are naive UTC.
"""

from __future__ import annotations

import email
import email.errors
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

from domain.documents.files import clean_file_name
from domain.email_html import html_to_text
from domain.replies.quoting import QUOTE_SEPARATOR, new_part
from domain.values import strip_bidi_controls


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


# Defects that mean the MIME structure itself is broken (a person should look at the raw mail);
# the header defects the parser meets in ordinary mail are not among them.
_MALFORMED = tuple(
    getattr(email.errors, name)
    for name in (
        "NoBoundaryInMultipartDefect",
        "StartBoundaryNotFoundDefect",
        "CloseBoundaryNotFoundDefect",
        "MultipartInvariantViolationDefect",
        "MissingHeaderBodySeparatorDefect",
        "FirstHeaderLineIsContinuationDefect",
        "MisplacedEnvelopeHeaderDefect",
        "InvalidBase64CharactersDefect",
        "InvalidBase64LengthDefect",
    )
    if hasattr(email.errors, name)
)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Active content (scripts, frames, plugins, event handlers, javascript: links): dropped, flagged.
_SCRIPT = re.compile(
    r"<(?:script|iframe|object|embed)\b|<[^>]*\son[a-z]+\s*=|javascript:", re.IGNORECASE
)
_DROP_HTML = re.compile(
    r"<(script|style|head|title)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<(?:script|style)\b[^>]*/?>",
    re.IGNORECASE | re.DOTALL,
)
_BLOCKQUOTE = re.compile(r"<blockquote\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_AUTO_SUBJECT = re.compile(
    r"^\s*(?:automatic\s+reply|auto(?:matic)?[\s-]?(?:reply|response)|out\s+of\s+(?:the\s+)?"
    r"office|respuesta\s+autom[áa]tica|r[ée]ponse\s+automatique|abwesenheit|"
    r"resposta\s+autom[áa]tica)\b",
    re.IGNORECASE,
)
MAX_SUBJECT = 500
# The registry builds a new class on every lookup: looked up once.
_HEADER_CLASSES = {name: policy.default.header_factory[name] for name in ("From", "Subject")}


def parse_eml(
    raw: bytes, *, max_attachment_bytes: int, received_at: datetime | None = None
) -> ReceivedEmail:
    """A raw MIME message as a `ReceivedEmail`. Never raises: what cannot be read is flagged.

    flags: malformed (broken MIME structure or headers; whatever text could be read is kept),
    html_script (the HTML body carried a <script>; dropped), oversize_attachment (content not
    kept), no_message_id (a stand-in id from the content's hash), auto_reply (an out-of-office
    or other automatic answer).
    """
    flags: list[str] = []
    try:
        message = email.message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # the parser is lenient; this is the last resort
        message = email.message_from_bytes(b"", policy=policy.compat32)
        flags.append("malformed")
    if _defective(message):
        flags.append("malformed")

    message_id = _ids(_header(message, "Message-ID", flags))
    if message_id:
        internet_message_id = message_id[0]
    else:
        internet_message_id = f"<{hashlib.sha256(raw).hexdigest()}@no-message-id>"
        flags.append("no_message_id")
    from_name, from_address = _sender(_decoded(message, "From", flags))
    subject = _clean(_decoded(message, "Subject", flags)).replace("\n", " ")
    subject = re.sub(r"\s+", " ", subject).strip()[:MAX_SUBJECT]
    sent = _date(_header(message, "Date", flags))
    in_reply_to = _ids(_header(message, "In-Reply-To", flags))

    plain, markup, attachments = _walk(message, max_attachment_bytes, flags)
    if plain is not None and plain.strip():
        body, found = body_text(plain, html=False)
    else:
        body, found = body_text(
            markup if markup is not None else plain or "", html=markup is not None
        )
    flags += found
    if _auto_reply(message, subject):
        flags.append("auto_reply")
    return ReceivedEmail(
        internet_message_id=internet_message_id[:1000],
        from_address=from_address,
        from_name=from_name,
        subject=subject,
        received_at=_when(sent, received_at),
        text=new_part(body),
        full_text=body,
        in_reply_to=in_reply_to[0][:1000] if in_reply_to else None,
        references=tuple(_ids(_header(message, "References", flags))),
        attachments=tuple(attachments),
        flags=tuple(dict.fromkeys(flags)),
    )


def body_text(content: str, *, html: bool) -> tuple[str, tuple[str, ...]]:
    """A message body as plain text (the whole of it; `new_part` takes the new part), and its
    flags: an HTML body loses its scripts, styles and comments ("html_script" when a <script>
    was there). For every mailbox: parse_eml here, Graph's body.content in graph_inbox."""
    flags: tuple[str, ...] = ()
    if html:
        if _SCRIPT.search(content):
            flags = ("html_script",)
        # A quoted message in HTML is a <blockquote>: a separator line before it, so the new
        # part stops there even without an "On ... wrote:" line.
        content = _DROP_HTML.sub("", content)
        content = _BLOCKQUOTE.sub(f"<div>{QUOTE_SEPARATOR}</div>\\g<0>", content)
        content = html_to_text(content)
    return _clean(content), flags


def _header(message: Message, name: str, flags: list[str]) -> str:
    """A header's raw text (ids and dates need no decoding)."""
    try:
        value = message.get(name)
        return "" if value is None else str(value)
    except Exception:
        flags.append("malformed")
        return ""


def _decoded(message: Message, name: str, flags: list[str]) -> str:
    """A header decoded the modern way (RFC 2047 words, addresses), through policy.default's
    header registry; one that cannot be decoded is read raw and flagged.

    The message itself is parsed with compat32: policy.default re-parses a header on every
    access (Content-Type a dozen times per message), which made parsing 2 ms of a message's
    budget; the values we show are still decoded by the same registry.
    """
    raw = _header(message, name, flags)
    if not raw:
        return ""
    try:
        return str(_HEADER_CLASSES[name](name, raw))
    except Exception:
        flags.append("malformed")
        return raw


def _defective(message: Message) -> bool:
    parts = message.walk() if message.is_multipart() else [message]
    try:
        for part in parts:
            if any(isinstance(d, _MALFORMED) for d in getattr(part, "defects", ())):
                return True
    except Exception:
        return True
    return message.get_content_maintype() == "multipart" and not message.is_multipart()


def _ids(value: str) -> list[str]:
    found = _MESSAGE_ID.findall(value or "")
    if not found and value and value.strip() and " " not in value.strip():
        found = [f"<{value.strip().strip('<>')}>"]
    return found


def _sender(value: str) -> tuple[str | None, str]:
    try:
        pairs = getaddresses([value])
    except Exception:
        pairs = []
    for name, address in pairs:
        if "@" in address:
            return (_clean(name).strip() or None), address.strip().lower()
    match = re.search(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", value or "")
    return None, match.group().lower() if match else ""


def _date(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _naive_utc(parsed)


def _when(sent: datetime | None, received_at: datetime | None) -> datetime:
    """The Date header's time (naive UTC); else when it was received, else now. A Date more
    than a day ahead of that is a wrong clock or a forgery, not when the shop wrote."""
    fallback = _naive_utc(received_at) or datetime.now(UTC).replace(tzinfo=None)
    if sent is None or sent > fallback + timedelta(days=1):
        return fallback
    return sent


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _walk(
    message: Message, limit: int, flags: list[str]
) -> tuple[str | None, str | None, list[Attachment]]:
    """The first text/plain and text/html bodies and the attachments. An attached message
    (message/rfc822) is an attachment, not part of the body."""
    plain: str | None = None
    markup: str | None = None
    attachments: list[Attachment] = []
    stack: list[Message] = [message]
    while stack:
        part = stack.pop(0)
        ctype = part.get_content_type()
        if part.is_multipart() and ctype != "message/rfc822":
            try:
                stack[0:0] = [p for p in part.get_payload() if isinstance(p, Message)]
            except Exception:
                flags.append("malformed")
            continue
        disposition = (part.get_content_disposition() or "").lower()
        filename = _filename(part)
        is_body = ctype in ("text/plain", "text/html") and disposition != "attachment"
        if is_body and not filename:
            text = _text(part, flags)
            if ctype == "text/plain" and plain is None:
                plain = text
            elif ctype == "text/html" and markup is None:
                markup = text
            continue
        if ctype.startswith("multipart/"):  # a multipart without its boundary: read as text
            plain = plain if plain is not None else _text(part, flags)
            continue
        attachments.append(_attachment(part, ctype, filename, limit, flags))
    return plain, markup, attachments


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
        return str(make_header(decode_header(name))) if name else None
    except Exception:
        return None


def _text(part: Message, flags: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a broken transfer encoding
        flags.append("malformed")
        payload = None
    if not isinstance(payload, bytes):
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset)
    except (LookupError, UnicodeDecodeError):
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", errors="replace")


def _attachment(
    part: Message, ctype: str, filename: str | None, limit: int, flags: list[str]
) -> Attachment:
    try:
        if ctype == "message/rfc822":
            inner = part.get_payload()
            data = inner[0].as_bytes() if isinstance(inner, list) and inner else b""
        else:
            data = part.get_payload(decode=True) or b""
    except Exception:
        flags.append("malformed")
        data = b""
    fallback = "message.eml" if ctype == "message/rfc822" else "attachment"
    name = clean_file_name(_clean(filename or ""), fallback=fallback)
    if len(data) > limit:
        flags.append("oversize_attachment")
        return Attachment(name, ctype, len(data), None)
    return Attachment(name, ctype, len(data), data)


def _clean(text: str) -> str:
    text = str(strip_bidi_controls(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text)


def _auto_reply(message: Message, subject: str) -> bool:
    try:
        submitted = str(message.get("Auto-Submitted") or "").lower()
        auto = message.get("X-Autoreply") or message.get("X-Autorespond")
    except Exception:
        return False
    return submitted.startswith("auto-") or bool(auto) or bool(_AUTO_SUBJECT.match(subject))
