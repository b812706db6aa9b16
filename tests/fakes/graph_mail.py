"""A fake Microsoft Graph mail endpoint (and Entra token endpoint) on 127.0.0.1, over TLS.

Implements what the mail sender uses (REFERENCE §5): POST /users/{mb}/messages (201 draft),
GET /users/{mb}/mailFolders/drafts/messages?$filter=<our extended property> and DELETE a draft,
GET /users/{mb}/messages/{id} (isDraft; 404 once sent, as Graph moves a sent draft to Sent
Items under a new id), POST /users/{mb}/messages/{id}/send (202), POST /users/{mb}/sendMail
(202); and for msal the tenant's openid-configuration and the client-credentials token.

A draft's 201 carries its `internetMessageId` and `conversationId` (Graph assigns them when the
draft is made and keeps them when it is sent), so a reply can point back at what we sent.

The Inbox (what the reply reader uses, integrations/mail/graph_inbox.py): `deliver(...)` puts a
message in it; GET /users/{mb}/mailFolders/inbox/messages/delta pages by `Prefer:
odata.maxpagesize` with `@odata.nextLink` ($skiptoken) and ends with `@odata.deltaLink`
($deltatoken), which answers only what arrived after it; `$select`, `changeType=created`,
`$filter=receivedDateTime ge ...` and `Prefer: outlook.body-content-type="text"` are honoured;
GET .../messages/{id}/attachments (with `$select`) and .../attachments/{aid} (contentBytes).

`deliveries` counts the emails that went out; `requests` every Graph request (method, path),
`token_requests` the token endpoint's. Faults: `lose_reply_after(path_suffix, method)` makes the
server do the work but answer 503 (a reply lost on the way back), once; `throttle(retry_after,
times)` answers 429 with Retry-After; `revoke_tokens()` makes every issued token invalid (401
until a new one is fetched); `expire_delta_links()` makes the delta links given so far answer 410
Gone (syncStateNotFound).
"""

from __future__ import annotations

import base64
import html
import json
import re
import threading
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from tests.fakes.tls import TlsServer


class FakeGraphMail:
    def __init__(
        self,
        directory: Path,
        *,
        tenant: str = "tenant-1",
        client_id: str = "client-1",
        client_secret: str = "s3cret",
    ):
        self.directory = Path(directory)
        self.tenant, self.client_id, self.client_secret = tenant, client_id, client_secret
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.drafts: dict[str, dict[str, Any]] = {}
        self.deliveries: list[dict[str, Any]] = []
        self.requests: list[tuple[str, str]] = []
        self._lose: list[tuple[str, str]] = []
        self._tls: TlsServer | None = None
        self.ca_file: Path | None = None
        self.token_requests = 0
        # the Inbox: an append-only log of changes; a delta round reads a slice of it
        self.inbox: dict[str, dict[str, Any]] = {}  # Graph id -> message JSON
        self.attachments: dict[str, list[dict[str, Any]]] = {}  # Graph id -> attachments
        self.changes: list[tuple[str, str]] = []  # ("created" | "removed", Graph id)
        self.rounds: dict[str, dict[str, Any]] = {}  # skip/delta token -> where a round stands
        self.honour_text_preference = True  # False: bodies come as stored (HTML stays HTML)
        # True: `@removed` entries even when the round asked for changeType=created only (a
        # client must skip them whatever Graph sends)
        self.ignore_change_type = False
        self.prefer_headers: list[str] = []  # of each delta request
        self._throttle: list[float] = []

    # ---- test API ----------------------------------------------------------------------------
    def lose_reply_after(self, suffix: str, method: str = "POST") -> None:
        with self.lock:
            self._lose.append((method, suffix))

    def throttle(self, retry_after: float = 1, times: int = 1) -> None:
        """The next `times` Graph requests answer 429 with this Retry-After (seconds)."""
        with self.lock:
            self._throttle.extend([retry_after] * times)

    def revoke_tokens(self) -> None:
        """Every token issued so far becomes invalid (expired, revoked): 401 until a new one."""
        with self.lock:
            self.tokens.clear()

    def expire_delta_links(self) -> None:
        """Delta links handed out so far answer 410 Gone (the sync state was dropped)."""
        with self.lock:
            for state in self.rounds.values():
                if state["kind"] == "delta":
                    state["expired"] = True

    def deliver(
        self,
        message: dict[str, Any] | None = None,
        *,
        attachments: Iterable[dict[str, Any] | tuple[str, str, bytes]] = (),
        from_address: str = "repairs@avtech.example",
        from_name: str | None = "Avtech Hydraulics",
        sender: str | None = None,
        reply_to: str | None = None,
        subject: str = "RE: Status Update for RO #G38462",
        body: str = "Shipped today.",
        content_type: str = "text",
        unique_body: str | None = None,
        in_reply_to: str | None = None,
        references: Iterable[str] = (),
        conversation_id: str | None = None,
        internet_message_id: str | None = None,
        received: datetime | None = None,
        headers: Iterable[tuple[str, str]] = (),
        is_draft: bool = False,
    ) -> str:
        """Put a message in the Inbox; answers its Graph id. `message` is Graph JSON used as it
        is (missing fields filled in); otherwise the keyword fields make one. `unique_body`
        None: Graph gave no uniqueBody. Attachments: Graph JSON, or (name, type, bytes) for a
        fileAttachment."""
        graph_id = "AAMkInbox" + uuid.uuid4().hex
        if message is None:
            when = (received or datetime.now(UTC)).astimezone(UTC)
            header_list = [{"name": "Message-ID", "value": internet_message_id or ""}]
            if in_reply_to:
                header_list.append({"name": "In-Reply-To", "value": in_reply_to})
            if references:
                header_list.append({"name": "References", "value": " ".join(references)})
            header_list += [{"name": n, "value": v} for n, v in headers]
            address = {"emailAddress": {"address": from_address, "name": from_name}}
            message = {
                "internetMessageId": internet_message_id or f"<{uuid.uuid4().hex}@shop.example>",
                "conversationId": conversation_id or "AAQkConv" + uuid.uuid4().hex,
                "from": address,
                "sender": {"emailAddress": {"address": sender or from_address}},
                "replyTo": [{"emailAddress": {"address": reply_to}}] if reply_to else [],
                "subject": subject,
                "receivedDateTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "body": {"contentType": content_type, "content": body},
                "internetMessageHeaders": [h for h in header_list if h["value"]],
                "isDraft": is_draft,
            }
            if unique_body is not None:
                message["uniqueBody"] = {"contentType": content_type, "content": unique_body}
        files = [_attachment(a) for a in attachments]
        message = {**message, "id": graph_id, "hasAttachments": bool(files)}
        with self.lock:
            self.inbox[graph_id] = message
            self.attachments[graph_id] = files
            self.changes.append(("created", graph_id))
        return graph_id

    def remove(self, graph_id: str) -> None:
        """The message leaves the Inbox (deleted or moved): the next round says `@removed`."""
        with self.lock:
            self.inbox.pop(graph_id, None)
            self.changes.append(("removed", graph_id))

    def requests_to(self, fragment: str) -> int:
        return sum(1 for _, path in self.requests if fragment in path)

    @property
    def base_url(self) -> str:
        assert self._tls is not None, "start() the fake first"
        return f"https://127.0.0.1:{self._tls.port}"

    @property
    def graph_url(self) -> str:
        return self.base_url + "/v1.0"

    def settings(self) -> dict[str, Any]:
        return {
            "mail_sender": "graph",
            "graph_base_url": self.graph_url,
            "entra_authority_host": self.base_url,
            "entra_tenant_id": self.tenant,
            "entra_client_id": self.client_id,
            "entra_client_secret": self.client_secret,
            "graph_ca_bundle": self.ca_file,
            "graph_mailbox": "repairs@genthrust.example",
        }

    def start(self) -> FakeGraphMail:
        self._tls = TlsServer(self.directory / "tls", self._reply).start()
        self.ca_file = self._tls.ca_file
        return self

    def stop(self) -> None:
        self._tls.stop()

    # ---- dispatch ----------------------------------------------------------------------------
    def _reply(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes):
        answer = self.serve(method, raw_path, headers, raw)
        return answer if len(answer) == 3 else (*answer, {})

    def serve(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes):
        path = unquote(urlsplit(raw_path).path)
        if path.startswith(f"/{self.tenant}/"):
            return self._identity(method, path, raw)
        headers = {k.lower(): v for k, v in headers.items()}
        with self.lock:
            self.requests.append((method, path))
            if headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
                return 401, {"error": {"code": "InvalidAuthenticationToken"}}
            if self._throttle:
                wait = self._throttle.pop(0)
                error = {"error": {"code": "TooManyRequests", "message": "Slow down"}}
                return 429, error, {"Retry-After": f"{wait:g}"}
            query = parse_qs(urlsplit(raw_path).query)
            if "/mailFolders/inbox/" in path or "/attachments" in path:
                return self._inbox(path, query, headers)
            status, body = self._mail(method, path, query, json.loads(raw) if raw else None)
            for lost in list(self._lose):
                if (method, True) == (lost[0], path.endswith(lost[1])) and 200 <= status < 300:
                    self._lose.remove(lost)
                    return 503, {"error": {"code": "serviceUnavailable"}}  # work done, reply lost
            return status, body

    def _mail(self, method: str, path: str, query: dict[str, list[str]], body: Any):
        prefix = "/v1.0/users/"
        if not path.startswith(prefix):
            return 404, {"error": {"code": "notFound"}}
        rest = path[len(prefix) :].split("/")
        mailbox, tail = rest[0], rest[1:]
        if method == "POST" and tail == ["sendMail"]:
            self.deliveries.append({"mailbox": mailbox, **body["message"]})
            return 202, None
        if method == "GET" and tail == ["mailFolders", "drafts", "messages"]:
            wanted = re.search(r"ep/value eq '([^']*)'", query.get("$filter", [""])[0])
            found = [
                {key: draft.get(key) for key in ("internetMessageId", "conversationId")}
                | {"id": draft_id}
                for draft_id, draft in self.drafts.items()
                if wanted
                and any(
                    p.get("value") == wanted.group(1)
                    for p in draft.get("singleValueExtendedProperties", [])
                )
            ]
            return 200, {"value": found}
        if method == "DELETE" and len(tail) == 2 and tail[0] == "messages":
            return (204, None) if self.drafts.pop(tail[1], None) else (404, None)
        if method == "POST" and tail == ["messages"]:
            draft_id = "AAMk" + uuid.uuid4().hex
            ids = {
                "internetMessageId": f"<{uuid.uuid4().hex.upper()}@GT1PR01MB.prod.outlook.example>",
                "conversationId": "AAQkConv" + uuid.uuid4().hex,
            }
            self.drafts[draft_id] = {"mailbox": mailbox, **body, **ids}
            return 201, {"id": draft_id, "isDraft": True, **ids}
        if len(tail) >= 2 and tail[0] == "messages":
            draft = self.drafts.get(tail[1])
            if draft is None:
                return 404, {"error": {"code": "ErrorItemNotFound"}}
            if method == "GET" and len(tail) == 2:
                ids = {key: draft.get(key) for key in ("internetMessageId", "conversationId")}
                return 200, {"id": tail[1], "isDraft": True, **ids}
            if method == "POST" and tail[2:] == ["send"]:
                self.deliveries.append(self.drafts.pop(tail[1]))  # moved to Sent Items, new id
                return 202, None
        return 400, {"error": {"code": "invalidRequest"}}

    def _identity(self, method: str, path: str, raw: bytes):
        base = f"{self.base_url}/{self.tenant}"
        if path.endswith("/.well-known/openid-configuration"):
            return 200, {
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "issuer": f"{base}/v2.0",
                "jwks_uri": f"{base}/discovery/v2.0/keys",
            }
        if path.endswith("/oauth2/v2.0/token") and method == "POST":
            form = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
            if (form.get("client_id"), form.get("client_secret")) != (
                self.client_id,
                self.client_secret,
            ):
                return 401, {"error": "invalid_client"}
            token = "at-" + uuid.uuid4().hex
            with self.lock:
                self.tokens.add(token)
                self.token_requests += 1
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": token}
        return 404, {"error": "not_found"}

    # ---- the Inbox ---------------------------------------------------------------------------
    def _inbox(self, path: str, query: dict[str, list[str]], headers: dict[str, str]):
        rest = path.removeprefix("/v1.0/users/").split("/")
        mailbox, tail = rest[0], rest[1:]
        if tail == ["mailFolders", "inbox", "messages", "delta"]:
            return self._delta(mailbox, query, headers)
        if len(tail) >= 3 and tail[0] == "messages" and tail[2] == "attachments":
            files = self.attachments.get(tail[1])
            if files is None:
                return 404, {"error": {"code": "ErrorItemNotFound"}}
            if len(tail) == 3:
                fields = _fields(query)
                return 200, {"value": [_selected(a, fields) for a in files]}
            found = [a for a in files if a["id"] == tail[3]]
            if not found:
                return 404, {"error": {"code": "ErrorItemNotFound"}}
            return 200, found[0]
        return 400, {"error": {"code": "invalidRequest"}}

    def _delta(self, mailbox: str, query: dict[str, list[str]], headers: dict[str, str]):
        prefer = headers.get("prefer", "")
        self.prefer_headers.append(prefer)
        size = re.search(r"odata\.maxpagesize=(\d+)", prefer)
        page_size = int(size.group(1)) if size else 10
        as_text = 'outlook.body-content-type="text"' in prefer and self.honour_text_preference
        token = (query.get("$skiptoken") or query.get("$deltatoken") or [None])[0]
        if token is not None:
            state = self.rounds.get(token)
            if state is None or state.get("expired"):
                return 410, {"error": {"code": "SyncStateNotFound", "message": "Resync"}}
            if state["kind"] == "delta":  # a new round: what changed after the last one
                state = {**state, "kind": "next", "offset": 0, "upto": len(self.changes)}
        else:
            since = re.search(r"receivedDateTime ge (\S+)", (query.get("$filter") or [""])[0])
            state = {
                "kind": "next",
                "after": 0,
                "upto": len(self.changes),
                "offset": 0,
                "fields": _fields(query),
                "since": since.group(1) if since else None,
                "created_only": (query.get("changeType") or [""])[0] == "created",
            }
        items = self._round_items(state)
        page = items[state["offset"] : state["offset"] + page_size]
        link = f"{self.graph_url}/users/{quote(mailbox, safe='@')}/mailFolders/inbox/messages/delta"
        new_token = uuid.uuid4().hex
        if state["offset"] + page_size < len(items):
            self.rounds[new_token] = {**state, "offset": state["offset"] + page_size}
            end = {"@odata.nextLink": f"{link}?$skiptoken={new_token}"}
        else:
            self.rounds[new_token] = {**state, "kind": "delta", "after": state["upto"]}
            end = {"@odata.deltaLink": f"{link}?$deltatoken={new_token}"}
        value = [_shown(m, state["fields"], as_text) if "@removed" not in m else m for m in page]
        return 200, {"value": value, **end}

    def _round_items(self, state: dict[str, Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for kind, graph_id in self.changes[state["after"] : state["upto"]]:
            message = self.inbox.get(graph_id)
            reported = not state["created_only"] or self.ignore_change_type
            if kind == "removed" and state["after"] and reported:
                items.append({"id": graph_id, "@removed": {"reason": "deleted"}})
            elif kind == "created" and message is not None:
                if state["since"] and message.get("receivedDateTime", "") < state["since"]:
                    continue
                items.append(message)
        return items


def _fields(query: dict[str, list[str]]) -> list[str] | None:
    select = (query.get("$select") or [""])[0]
    return [f.strip() for f in select.split(",") if f.strip()] or None


def _selected(item: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
    if fields is None:
        return dict(item)
    keep = {"id", "@odata.type", *fields}
    return {k: v for k, v in item.items() if k in keep}


def _shown(message: dict[str, Any], fields: list[str] | None, as_text: bool) -> dict[str, Any]:
    """A message as Graph shows it: the selected fields, bodies as text when asked for (Graph
    converts HTML; scripts and styles are not text)."""
    shown = _selected({k: v for k, v in message.items() if k != "internetMessageHeaders"}, fields)
    if fields and "internetMessageHeaders" in fields:
        shown["internetMessageHeaders"] = message.get("internetMessageHeaders", [])
    for key in ("body", "uniqueBody"):
        part = shown.get(key)
        if as_text and isinstance(part, dict) and part.get("contentType", "").lower() == "html":
            shown[key] = {"contentType": "text", "content": _html_text(part.get("content", ""))}
    return shown


def _html_text(content: str) -> str:
    content = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", "", content)
    content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)
    return html.unescape(re.sub(r"<[^>]+>", "", content)).strip()


def _attachment(item: dict[str, Any] | tuple[str, str, bytes]) -> dict[str, Any]:
    if isinstance(item, tuple):
        name, kind, content = item
        item = {
            "@odata.type": "#microsoft.graph.fileAttachment",
            "name": name,
            "contentType": kind,
            "size": len(content),
            "contentBytes": base64.b64encode(content).decode(),
        }
    return {"id": "AAMkAtt" + uuid.uuid4().hex, "isInline": False, **item}
