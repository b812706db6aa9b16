"""The shared mailbox's Inbox through Microsoft Graph delta queries (REFERENCE §9 "Graph mail
reading"); the production `Inbox` of integrations/mail/inbox.py.

    first poll   GET /users/{mailbox}/mailFolders/inbox/messages/delta?changeType=created
                     &$select=...&$filter=receivedDateTime ge {now - history_days}
                 Prefer: odata.maxpagesize=50, outlook.body-content-type="text",
                         IdType="ImmutableId" (message ids that survive a move)
                 then every @odata.nextLink; the last page's @odata.deltaLink is the cursor
                 (after `batch` messages, the nextLink is: the next poll goes on from there)
    later polls  GET {the stored delta link}: with no new mail that is ONE request
    attachments  GET /users/{m}/messages/{id}/attachments?$select=id,name,contentType,size
                 then GET .../attachments/{aid} for each file under the size limit, one by one

`changeType=created`: a person reading or flagging a message in Outlook is an "update", which
would bring it (and its attachments) back on every poll. The `$filter` keeps a first poll (and a
restart) from reading years of Inbox; messages read twice are deduplicated by ingestion (by
internetMessageId). A delta link Graph no longer knows (410 Gone, syncStateNotFound) restarts
from a fresh delta query, for the same reason.

Throttling as for the workbook and the document library (integrations/microsoft/graph.py
`classify`): a 429/503 with a short Retry-After is waited out here; a longer one raises
`GraphThrottled` carrying the delay, for the polling actor to retry later. A 401 gets one fresh
token (GraphClient), then `GraphAuthError`. Nothing is written to the mailbox: Mail.Read suffices.

`text` is what the sender wrote in this message: Graph's `uniqueBody` (Exchange's own cut of the
quoted earlier mail), or the whole body with quotes cut here when Graph gives none; then the
signature goes. HTML (when Graph ignores the text preference) is converted with scripts and
styles dropped. Skipped: drafts, our own messages, `@removed` entries. `raw` is None: the
message stays in the mailbox, referenced by `provider_id` (its immutable Graph id).

Flags, for a person to look at:
    spoofed_sender          from != sender (sent in another's name), or DMARC/compauth failed
    reply_to_differs        replies would go to another address than the sender's
    auto_reply              an out-of-office answer or a bounce
    html_script             the HTML had active content (dropped)
    oversize_attachment     a file over max_attachment_bytes (listed, content None, not fetched)
    skipped_attachment      an attached email or a cloud link (listed, content None)
    attachment_unavailable  gone by the time it was fetched
    malformed / malformed_attachment / truncated
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from config import Settings
from domain.replies.message import Attachment, ReceivedEmail, body_text
from domain.replies.quoting import new_part
from integrations.errors import GraphRequestError, GraphThrottled
from integrations.mail.inbox import Incoming, Polled
from integrations.microsoft.graph import (
    GraphClient,
    TokenProvider,
    classify,
    response_json,
    tls_verify,
)

log = logging.getLogger(__name__)

SELECT = (
    "internetMessageId,conversationId,from,sender,replyTo,subject,receivedDateTime,uniqueBody,"
    "body,hasAttachments,internetMessageHeaders,isDraft"
)
PAGE_SIZE = 50
FILE_ATTACHMENT = "#microsoft.graph.fileAttachment"
SYNC_LOST_CODES = {"syncstatenotfound", "syncstateinvalid", "resyncrequired"}
MAX_TEXT_CHARS = 200_000
MAX_PAGES = 10_000  # a broken nextLink chain must not loop for ever
MESSAGE_ID = re.compile(r"<[^<>\s]+>")
# Ids that survive a move to another folder: `provider_id` keeps pointing at the message when
# someone files it away in Outlook (the raw message is referenced, not copied).
IMMUTABLE = 'IdType="ImmutableId"'


class _SyncLost(Exception):
    """The delta link is no longer known to Graph (410 Gone / syncStateNotFound)."""


class GraphInbox:
    name = "graph"

    def __init__(
        self,
        settings: Settings,
        tokens: TokenProvider,
        *,
        transport: httpx.BaseTransport | None = None,
        max_attachment_bytes: int,
        page_size: int = PAGE_SIZE,
        history_days: int = 14,
        sleep: Callable[[float], None] = time.sleep,
        max_wait_s: float = 30.0,
        max_attempts: int = 5,
        batch: int = 100,
    ):
        self.mailbox = (settings.graph_mailbox or settings.mail_from).strip().lower()
        self.own_addresses = {self.mailbox, settings.mail_from.strip().lower()}
        self.graph_url = settings.graph_base_url.rstrip("/")
        self.user_url = f"{self.graph_url}/users/{quote(self.mailbox, safe='@')}"
        self.verify = tls_verify(settings.graph_ca_bundle)
        self.tokens = tokens
        self.transport = transport
        self.client = self._new_client()
        self.max_attachment_bytes = max_attachment_bytes
        self.page_size = page_size
        self.history_days = history_days
        self.sleep = sleep
        self.max_wait_s = max_wait_s
        self.max_attempts = max_attempts
        self.batch = batch
        self.prefer = (
            f'odata.maxpagesize={page_size}, outlook.body-content-type="text", {IMMUTABLE}'
        )

    # ---- Inbox -------------------------------------------------------------------------------
    def poll(self, cursor: str | None) -> Polled:
        """What arrived since `cursor` (a delta link; None: a first poll) and the next cursor.
        Raises `GraphThrottled` (retry after its `retry_after_s`), `GraphAuthError`,
        `GraphRequestError`; the cursor is then unchanged and the next poll reads again."""
        self.client = self._new_client()  # its connections close when the poll ends
        try:
            try:
                messages, next_cursor = self._round(cursor or self.fresh_delta_url())
            except _SyncLost:
                log.warning("Graph forgot the Inbox delta link of %s; reading afresh", self.mailbox)
                try:
                    messages, next_cursor = self._round(self.fresh_delta_url())
                except _SyncLost:
                    raise GraphRequestError(
                        "Graph refused a fresh delta query of the Inbox (410).", status=410
                    ) from None
            return Polled(messages, next_cursor, requests=self.client.requests)
        finally:
            self.client.close()

    def done(self, incoming: Incoming) -> None:
        """Nothing to do: the message stays in the mailbox (it is referenced by its Graph id)."""

    def close(self) -> None:
        self.client.close()

    def _new_client(self) -> GraphClient:
        return GraphClient(
            "", self.tokens, transport=self.transport, verify=self.verify, timeout_s=60
        )

    def fresh_delta_url(self) -> str:
        since = datetime.now(UTC) - timedelta(days=self.history_days)
        query = (
            f"changeType=created&$select={SELECT}"
            f"&$filter={quote('receivedDateTime ge ' + since.strftime('%Y-%m-%dT%H:%M:%SZ'))}"
        )
        return f"{self.user_url}/mailFolders/inbox/messages/delta?{query}"

    # ---- the delta round ---------------------------------------------------------------------
    def _round(self, url: str) -> tuple[list[Incoming], str]:
        """The messages of a delta round and the cursor: its deltaLink, or, once `batch`
        messages are in hand, the nextLink where the next poll goes on (a full batch tells the
        polling actor to poll again at once; attachments are held in memory meanwhile)."""
        messages: list[Incoming] = []
        for _page in range(MAX_PAGES):
            body = self._get(url, prefer=True, delta=True)
            for item in body.get("value") or []:
                if not isinstance(item, dict) or "@removed" in item:
                    continue  # deleted or moved out of the Inbox: nothing to read
                incoming = self._incoming(item)
                if incoming is not None:
                    messages.append(incoming)
            if body.get("@odata.nextLink"):
                url = str(body["@odata.nextLink"])
                if len(messages) >= self.batch:
                    return messages, url
                continue
            if not body.get("@odata.deltaLink"):
                raise GraphRequestError("Graph's delta answer had neither nextLink nor deltaLink.")
            return messages, str(body["@odata.deltaLink"])
        raise GraphRequestError(f"Graph's delta query went past {MAX_PAGES} pages.")

    def _incoming(self, item: dict[str, Any]) -> Incoming | None:
        graph_id = str(item.get("id") or "")
        from_address, _ = _address(item.get("from"))
        if item.get("isDraft") or not graph_id or from_address in self.own_addresses:
            return None  # a draft, or our own message (a copy to ourselves): not a reply
        flags: list[str] = []
        attachments: tuple[Attachment, ...] = ()
        if item.get("hasAttachments"):
            attachments = self._attachments(graph_id, flags)
        email = to_received_email(item, flags, attachments)
        return Incoming(email=email, provider_id=graph_id, raw=None)

    # ---- attachments -------------------------------------------------------------------------
    def _attachments(self, graph_id: str, flags: list[str]) -> tuple[Attachment, ...]:
        base = f"{self.user_url}/messages/{quote(graph_id, safe='')}/attachments"
        url: str | None = f"{base}?$select=id,name,contentType,size"
        found: list[Attachment] = []
        while url:
            try:
                body = self._get(url)
            except GraphRequestError as exc:
                if exc.status != 404:
                    raise
                _flag(flags, "attachment_unavailable")  # deleted meanwhile: the rest still counts
                break
            for meta in body.get("value") or []:
                found.append(self._attachment(base, meta, flags))
            url = body.get("@odata.nextLink")
        return tuple(found)

    def _attachment(self, base: str, meta: dict[str, Any], flags: list[str]) -> Attachment:
        name = str(meta.get("name") or "attachment")[:255]
        media_type = str(meta.get("contentType") or "application/octet-stream")[:200]
        size = int(meta.get("size") or 0)
        if meta.get("@odata.type") != FILE_ATTACHMENT:
            _flag(flags, "skipped_attachment")  # an attached email or a cloud link: see Outlook
            return Attachment(name, media_type, size, None)
        if size > self.max_attachment_bytes:
            _flag(flags, "oversize_attachment")
            return Attachment(name, media_type, size, None)
        try:
            full = self._get(f"{base}/{quote(str(meta.get('id') or ''), safe='')}")
        except GraphRequestError as exc:
            if exc.status != 404:
                raise
            _flag(flags, "attachment_unavailable")
            return Attachment(name, media_type, size, None)
        try:
            content = base64.b64decode(full.get("contentBytes") or "", validate=True)
        except (binascii.Error, ValueError):
            _flag(flags, "malformed_attachment")
            return Attachment(name, media_type, size, None)
        if len(content) > self.max_attachment_bytes:  # Graph's size counts more than the bytes
            _flag(flags, "oversize_attachment")
            return Attachment(name, media_type, len(content), None)
        return Attachment(name, media_type, len(content), content)

    # ---- HTTP --------------------------------------------------------------------------------
    def _get(self, url: str, *, prefer: bool = False, delta: bool = False) -> dict[str, Any]:
        target, graph = urlsplit(url), urlsplit(self.graph_url)
        if (target.scheme, target.netloc) != (graph.scheme, graph.netloc):
            # a link from Graph (or a stored cursor) carries our token: only to Graph's host
            raise GraphRequestError("A Graph link pointed somewhere other than Graph.")
        headers = {"Prefer": self.prefer if prefer else IMMUTABLE}
        waited = 0.0
        for attempt in range(1, self.max_attempts + 1):
            response = self.client.send("GET", url, headers=headers)
            body = response_json(response)
            outcome = classify(response.status_code, body, response.headers, in_session=False)
            if outcome.kind == "ok":
                return body if isinstance(body, dict) else {}
            if delta and (response.status_code == 410 or outcome.code.lower() in SYNC_LOST_CODES):
                raise _SyncLost()
            if outcome.kind == "wait":
                wait = outcome.wait_s if outcome.wait_s is not None else min(2.0**attempt, 30.0)
                if waited + wait > self.max_wait_s or attempt == self.max_attempts:
                    raise GraphThrottled(
                        f"Graph asked the mail reader to wait {wait:.0f} s "
                        f"({outcome.code or outcome.status}).",
                        wait,
                    )
                waited += wait
                self.sleep(wait)
                continue
            raise GraphRequestError(
                f"Graph refused GET {urlsplit(url).path[:120]}: {outcome.status} "
                f"{outcome.code} {outcome.message}".strip()[:500],
                status=outcome.status,
                code=outcome.code,
            )
        raise AssertionError("unreachable")


# ---- Graph's JSON -> ReceivedEmail -----------------------------------------------------------
def to_received_email(
    item: dict[str, Any],
    flags: list[str] | None = None,
    attachments: tuple[Attachment, ...] = (),
) -> ReceivedEmail:
    """One Graph message (as the delta query selects it) as a `ReceivedEmail`; `flags` may
    already hold what fetching its attachments showed."""
    flags = list(flags or [])
    from_address, from_name = _address(item.get("from"))
    sender_address, _ = _address(item.get("sender"))
    if not from_address:
        _flag(flags, "malformed")
    if sender_address and from_address and sender_address != from_address:
        _flag(flags, "spoofed_sender")  # sent by one account in the name of another
    reply_to = {_address(r)[0] for r in item.get("replyTo") or []} - {"", from_address}
    if reply_to:
        _flag(flags, "reply_to_differs")
    headers = _headers(item.get("internetMessageHeaders"))
    # Exchange's verdict on the sender's domain (its own header, the first of that name); an SPF
    # failure alone is common for forwarded mail and is not a spoof when DMARC passes.
    auth = headers.get("authentication-results", "").lower()
    if re.search(r"\b(dmarc|compauth)=fail\b", auth):
        _flag(flags, "spoofed_sender")
    if _automatic(headers, from_address, str(item.get("subject") or "")):
        _flag(flags, "auto_reply")  # an out-of-office or a bounce: not the shop's answer
    message_id = str(item.get("internetMessageId") or "").strip()
    if not MESSAGE_ID.fullmatch(message_id):
        # a stand-in that is the same on every read of this message (ingestion keys on it)
        digest = hashlib.sha256(str(item.get("id") or "").encode()).hexdigest()[:32]
        message_id = f"<{digest}@graph.missing-message-id>"
        _flag(flags, "malformed")
    full_text = _text(item.get("body"), flags)
    unique = _text(item.get("uniqueBody"), flags)
    text = new_part(unique) if unique.strip() else new_part(full_text)
    if len(full_text) > MAX_TEXT_CHARS:
        full_text, text = full_text[:MAX_TEXT_CHARS], text[:MAX_TEXT_CHARS]
        _flag(flags, "truncated")
    in_reply_to = MESSAGE_ID.findall(headers.get("in-reply-to", ""))
    return ReceivedEmail(
        internet_message_id=message_id[:998],
        from_address=from_address,
        from_name=from_name,
        subject=str(item.get("subject") or "")[:500],
        received_at=_received_at(item.get("receivedDateTime"), flags),
        text=text,
        full_text=full_text,
        in_reply_to=in_reply_to[0] if in_reply_to else None,
        references=tuple(MESSAGE_ID.findall(headers.get("references", "")))[:100],
        conversation_id=str(item.get("conversationId") or "") or None,
        attachments=attachments,
        flags=tuple(flags),
    )


def _automatic(headers: dict[str, str], from_address: str, subject: str) -> bool:
    """An out-of-office answer or a delivery report (RFC 3834 Auto-Submitted, Exchange's and
    other servers' markers, a postmaster's "Undeliverable")."""
    if headers.get("auto-submitted", "no").strip().lower() not in ("", "no"):
        return True
    if "x-autoreply" in headers or "x-autorespond" in headers:
        return True
    local = from_address.split("@")[0]
    return local in ("postmaster", "mailer-daemon") or subject.lower().startswith(
        ("undeliverable:", "automatic reply:", "delivery status notification")
    )


def _address(node: Any) -> tuple[str, str | None]:
    email = (node or {}).get("emailAddress") if isinstance(node, dict) else None
    if not isinstance(email, dict):
        return "", None
    name = str(email.get("name") or "").strip() or None
    return str(email.get("address") or "").strip().lower(), name


def _headers(items: Any) -> dict[str, str]:
    """Internet headers by lower-cased name (the first of each, as a reader sees it)."""
    found: dict[str, str] = {}
    for header in items or []:
        if isinstance(header, dict) and header.get("name"):
            found.setdefault(str(header["name"]).lower(), str(header.get("value") or ""))
    return found


def _received_at(value: Any, flags: list[str]) -> datetime:
    try:
        when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        _flag(flags, "malformed")
        return datetime.now(UTC).replace(tzinfo=None)
    if when.tzinfo is None:
        return when
    return when.astimezone(UTC).replace(tzinfo=None)


def _text(part: Any, flags: list[str]) -> str:
    """A body as plain text: HTML converted (scripts and styles dropped, and flagged)."""
    if not isinstance(part, dict):
        return ""
    html = str(part.get("contentType") or "").lower() == "html"
    text, found = body_text(str(part.get("content") or ""), html=html)
    for flag in found:
        _flag(flags, flag)
    return text


def _flag(flags: list[str], flag: str) -> None:
    if flag not in flags:
        flags.append(flag)
