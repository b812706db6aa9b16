"""A fake Microsoft Graph mail endpoint (and Entra token endpoint) on 127.0.0.1, over TLS.

Implements what the mail sender uses (REFERENCE §5): POST /users/{mb}/messages (201 draft),
GET /users/{mb}/mailFolders/drafts/messages?$filter=<our extended property> and DELETE a draft,
GET /users/{mb}/messages/{id} (isDraft; 404 once sent, as Graph moves a sent draft to Sent
Items under a new id), POST /users/{mb}/messages/{id}/send (202), POST /users/{mb}/sendMail
(202); and for msal the tenant's openid-configuration and the client-credentials token.

`deliveries` counts the emails that went out. Faults: `lose_reply_after(path_suffix, method)`
makes the server do the work but answer 503 (a reply lost on the way back), once.
"""

from __future__ import annotations

import json
import re
import threading
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

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

    # ---- test API ----------------------------------------------------------------------------
    def lose_reply_after(self, suffix: str, method: str = "POST") -> None:
        with self.lock:
            self._lose.append((method, suffix))

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
        self._tls = TlsServer(
            self.directory / "tls", lambda m, p, h, r: (*self.serve(m, p, h, r), {})
        ).start()
        self.ca_file = self._tls.ca_file
        return self

    def stop(self) -> None:
        self._tls.stop()

    # ---- dispatch ----------------------------------------------------------------------------
    def serve(self, method: str, raw_path: str, headers: dict[str, str], raw: bytes):
        path = unquote(urlsplit(raw_path).path)
        if path.startswith(f"/{self.tenant}/"):
            return self._identity(method, path, raw)
        headers = {k.lower(): v for k, v in headers.items()}
        with self.lock:
            self.requests.append((method, path))
            if headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
                return 401, {"error": {"code": "InvalidAuthenticationToken"}}
            query = parse_qs(urlsplit(raw_path).query)
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
                {"id": draft_id}
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
            self.drafts[draft_id] = {"mailbox": mailbox, **body}
            return 201, {"id": draft_id, "isDraft": True}
        if len(tail) >= 2 and tail[0] == "messages":
            draft = self.drafts.get(tail[1])
            if draft is None:
                return 404, {"error": {"code": "ErrorItemNotFound"}}
            if method == "GET" and len(tail) == 2:
                return 200, {"id": tail[1], "isDraft": True}
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
            return 200, {"token_type": "Bearer", "expires_in": 3600, "access_token": token}
        return 404, {"error": "not_found"}
