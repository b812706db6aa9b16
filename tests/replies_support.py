"""Stand-ins for the reply readers in the ingest tests (#16): a small MIME parser and a few
reading rules, injected through `bootstrap(reply_reading=..., inbox=...)`, so these tests are
about storing, matching and proposing, not about reading (tests of the real parser and rules
live with them)."""

from __future__ import annotations

import re
from datetime import date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import formatdate, make_msgid, parseaddr

from domain.replies.facts import Evidence, ReplyFacts
from domain.replies.message import Attachment, ReceivedEmail
from domain.replies.service import ReplyReaders


def parse(raw: bytes, *, max_attachment_bytes: int, received_at: datetime | None = None):
    """Plain RFC 5322 messages; anything without a From and a Message-ID raises."""
    msg = message_from_bytes(raw, policy=default)
    if msg["From"] is None or msg["Message-ID"] is None:
        raise ValueError("no From or Message-ID header")
    flags = [f for f in (msg["X-Test-Flags"] or "").split(",") if f]
    body = msg.get_body(("plain",))
    text = body.get_content() if body is not None else ""
    attachments = []
    for part in msg.iter_attachments():
        content = part.get_content()
        if isinstance(content, str):
            content = content.encode()
        if len(content) > max_attachment_bytes:
            flags.append("oversize_attachment")
            attachments.append(
                Attachment(
                    part.get_filename() or "file", part.get_content_type(), len(content), None
                )
            )
        else:
            attachments.append(
                Attachment(
                    part.get_filename() or "file", part.get_content_type(), len(content), content
                )
            )
    name, address = parseaddr(msg["From"])
    refs = tuple((msg["References"] or "").split())
    return ReceivedEmail(
        internet_message_id=msg["Message-ID"].strip(),
        from_address=address.lower(),
        from_name=name or None,
        subject=str(msg["Subject"] or ""),
        received_at=received_at or datetime(2026, 11, 20, 14, 12),
        text=text.split("\n>")[0].strip(),
        full_text=text,
        in_reply_to=(msg["In-Reply-To"] or "").strip() or None,
        references=refs,
        attachments=tuple(attachments),
        flags=tuple(flags),
    )


def build(
    *,
    sender: str = "repairs@avtech.com",
    subject: str = "Re: Repair Status: RO# G38462",
    body: str = "Shipped today.",
    in_reply_to: str | None = None,
    message_id: str | None = None,
    attachments: list[tuple[str, bytes]] = (),
    flags: str = "",
) -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Shop <{sender}>"
    msg["To"] = "repairs@genthrust.local"
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id or make_msgid(domain=sender.split("@")[1])
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    if flags:
        msg["X-Test-Flags"] = flags
    msg.set_content(body)
    for name, content in attachments:
        maintype, subtype = (
            ("application", "pdf") if name.endswith(".pdf") else ("application", "octet-stream")
        )
        msg.add_attachment(content, maintype=maintype, subtype=subtype, filename=name)
    return bytes(msg)


_NUMBER = re.compile(r"\b(?:RO#?\s*)?G?(\d{5})\b")
_TRACKING = re.compile(r"\b(1Z[0-9A-Z]{16})\b")
_MONEY = re.compile(r"\b(invoice|quote)\b[^$\d]*\$?([\d,]+\.\d\d)", re.IGNORECASE)
_ETA = re.compile(r"\bETA (\d{4}-\d\d-\d\d)\b")
_REF = re.compile(r"\bour ref(?:erence)? ([A-Z0-9-]+)", re.IGNORECASE)
_STATUS = {"shipped": "SHIPPED", "in work": "IN WORK", "beyond economical repair": "BER"}


def find_numbers(text: str) -> list[str]:
    return _NUMBER.findall(text)


def read(text: str, numbers: list[str], today: date) -> dict[str, ReplyFacts]:
    sentence = text.strip().splitlines()[0][:500] if text.strip() else ""
    facts: dict = {}
    lower = text.lower()
    for phrase, status in _STATUS.items():
        if phrase in lower:
            facts["status"] = Evidence(value=status, sentence=sentence)
            break
    if m := _TRACKING.search(text):
        facts["tracking_number"] = Evidence(value=m[1], sentence=sentence)
        facts["carrier"] = Evidence(value="UPS", sentence=sentence)
    if m := _MONEY.search(text):
        facts["amount"] = Evidence(value=m[2].replace(",", ""), sentence=sentence)
        facts["amount_kind"] = Evidence(value=m[1].lower(), sentence=sentence)
        facts["currency"] = Evidence(value="USD", sentence=sentence)
    if m := _ETA.search(text):
        facts["eta"] = Evidence(value=m[1], sentence=sentence)
    if m := _REF.search(text):
        facts["shop_reference"] = Evidence(value=m[1], sentence=sentence)
    return {n: ReplyFacts(summary=sentence[:200], **facts) for n in numbers}


def looks_like_instructions(text: str) -> bool:
    return "ignore previous instructions" in text.lower()


READING = ReplyReaders(find_numbers, read, looks_like_instructions, name="rules")
