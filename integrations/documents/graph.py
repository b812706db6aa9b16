"""Documents in the RO's folder of a SharePoint/OneDrive library, through Microsoft Graph.

    <drive>/root:/Repair Orders/RO-{number}/{name}-{sha8}{ext}

The hash in the stored name makes a retry idempotent: the same content for the same RO lands on
the same name with `conflictBehavior: replace`, so a retried upload never makes a copy, and a
different file with the same name never overwrites it. Under 4 MB one PUT; above, an upload
session (REFERENCE §9): byte ranges in multiples of 320 KiB to the pre-authenticated uploadUrl
(no Authorization header), and after a failure the session is asked what it still expects
(`nextExpectedRanges`) and the upload resumes from there. Throttling (429/503 + Retry-After) is
waited out as for the workbook (integrations/microsoft/graph.py `classify`).
"""

from __future__ import annotations

import logging
import os
import re
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from domain.errors import NotFound
from integrations.errors import GraphRequestError, GraphThrottled
from integrations.microsoft.graph import (
    GraphClient,
    Outcome,
    classify,
    response_json,
    tls_verify,
)

log = logging.getLogger(__name__)

SIMPLE_UPLOAD_MAX = 4 * 1024 * 1024
CHUNK_UNIT = 320 * 1024  # 327,680 bytes: every range but the last is a multiple of it
DEFAULT_CHUNK = 10 * CHUNK_UNIT  # 3.125 MiB, well under the 60 MiB per-request limit


@dataclass(frozen=True)
class DriveFile:
    id: str
    name: str
    size: int


class GraphDocumentStore:
    kind = "graph"

    def __init__(
        self,
        client: GraphClient,
        drive_path: str,  # "/drives/{drive-id}" or "/sites/{site-id}/drive"
        *,
        root_folder: str = "Repair Orders",
        verify: bool | str | ssl.SSLContext = True,
        upload_http: httpx.Client | None = None,
        chunk_size: int = DEFAULT_CHUNK,
        sleep: Callable[[float], None] = time.sleep,
        max_wait_s: float = 120.0,
        max_attempts: int = 6,
        on_progress: Callable[[int, int], None] | None = None,
    ):
        if chunk_size <= 0 or chunk_size % CHUNK_UNIT:
            raise ValueError("the chunk size must be a multiple of 320 KiB")
        self.client = client
        self.drive = drive_path.rstrip("/")
        self.root_folder = root_folder.strip("/")
        # The uploadUrl is pre-authenticated: its requests must not carry our bearer token.
        self.upload_http = upload_http or httpx.Client(verify=verify, timeout=60.0)
        self.chunk_size = chunk_size
        self.sleep = sleep
        self.max_wait_s = max_wait_s
        self.max_attempts = max_attempts
        self.on_progress = on_progress

    # ---- DocumentStore -----------------------------------------------------------------------
    def put(
        self,
        ro_number: str,
        sha256: str,
        name: str,
        content: bytes,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> str:
        """Upload; `on_progress` (else the store's own) hears (bytes sent, total) after each
        chunk of an upload session, and once at the end of a simple upload."""
        stored = stored_name(name, sha256)
        parent = self.ensure_folder(ro_number)
        report = on_progress or self.on_progress
        if len(content) <= SIMPLE_UPLOAD_MAX:
            item = self._json(
                "PUT",
                f"{self.drive}/items/{parent}:/{quote(stored)}:/content"
                "?@microsoft.graph.conflictBehavior=replace",
                content=content,
                headers={"Content-Type": "application/octet-stream"},
            )
            if report is not None:
                report(len(content), len(content))
        else:
            item = self._upload_session(parent, stored, content, report)
        return str(item["id"])

    def place(self, ro_number: str, sha256: str, name: str) -> str:
        """Where `put` stores the file, as a person finds it in the library."""
        return f"{self.root_folder}/RO-{ro_number}/{stored_name(name, sha256)}"

    def get(self, location: str) -> bytes:
        # Graph answers 302 to a short-lived pre-authenticated URL: fetch it without our token.
        response = self._send("GET", f"{self.drive}/items/{quote(location)}/content")
        if response.status_code in (301, 302, 303, 307, 308):
            response = self.upload_http.get(response.headers["Location"])
            response.raise_for_status()
        return response.content

    # ---- the rest of the drive ---------------------------------------------------------------
    def download_url(self, location: str) -> str:
        """A short-lived, pre-authenticated URL for the person who asked (Graph's own)."""
        item = self._json(
            "GET",
            f"{self.drive}/items/{quote(location)}?$select=id,name,size,@microsoft.graph.downloadUrl",
        )
        url = item.get("@microsoft.graph.downloadUrl")
        if not isinstance(url, str) or not url.startswith("https://"):
            raise GraphRequestError("Graph gave no usable download URL for that document.")
        return url

    def delete(self, location: str) -> bool:
        """Delete the drive item; False when it was already gone."""
        try:
            self._send("DELETE", f"{self.drive}/items/{quote(location)}")
        except NotFound:
            return False
        return True

    def list(self, ro_number: str) -> list[DriveFile]:
        try:
            body = self._json("GET", f"{self._folder_path(ro_number)}:/children")
        except NotFound:
            return []
        return [
            DriveFile(str(v["id"]), v["name"], int(v.get("size") or 0))
            for v in body.get("value", [])
            if "file" in v or "folder" not in v
        ]

    def ensure_folder(self, ro_number: str) -> str:
        """The RO folder's item id, creating the root folder and the RO folder when missing."""
        try:
            return str(self._json("GET", f"{self._folder_path(ro_number)}:")["id"])
        except NotFound:
            pass
        root_path = f"{self.drive}/root:/{quote(self.root_folder)}:"
        try:
            root_id = str(self._json("GET", root_path)["id"])
        except NotFound:
            root_id = self._create_folder(
                f"{self.drive}/root/children", self.root_folder, root_path
            )
        return self._create_folder(
            f"{self.drive}/items/{root_id}/children",
            f"RO-{ro_number}",
            f"{self._folder_path(ro_number)}:",
        )

    # ---- helpers -----------------------------------------------------------------------------
    def _folder_path(self, ro_number: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9-]{1,20}", ro_number):
            raise ValueError("an RO folder is named by the RO number only")
        return f"{self.drive}/root:/{quote(self.root_folder)}/RO-{ro_number}"

    def _create_folder(self, children_url: str, name: str, path_url: str) -> str:
        body = {"name": name, "folder": {}, "@microsoft.graph.conflictBehavior": "fail"}
        response = self.client.send("POST", children_url, json_body=body)
        if response.status_code == 409:
            # created meanwhile by another upload: read it by its path (a listing of the
            # parent would be paged, thousands of RO folders deep)
            return str(self._json("GET", path_url)["id"])
        outcome = classify(
            response.status_code, response_json(response), response.headers, in_session=False
        )
        if outcome.kind == "wait":
            self._wait(outcome, 1)
            return self._create_folder(children_url, name, path_url)
        if outcome.kind != "ok":
            raise self._error("POST", children_url, outcome)
        return str(response_json(response)["id"])

    def _upload_session(
        self,
        parent: str,
        stored: str,
        content: bytes,
        report: Callable[[int, int], None] | None = None,
    ) -> dict[str, Any]:
        total = len(content)
        session = self._json(
            "POST",
            f"{self.drive}/items/{parent}:/{quote(stored)}:/createUploadSession",
            json_body={"item": {"@microsoft.graph.conflictBehavior": "replace", "name": stored}},
        )
        url = session["uploadUrl"]
        start, failures = 0, 0
        while True:
            end = min(start + self.chunk_size, total) - 1
            try:
                response = self.upload_http.put(
                    url,
                    content=content[start : end + 1],
                    headers={
                        "Content-Length": str(end - start + 1),
                        "Content-Range": f"bytes {start}-{end}/{total}",
                    },
                )
                status = response.status_code
            except httpx.TransportError as exc:
                log.info("upload chunk %s-%s failed: %s", start, end, exc)
                status, response = 0, None
            if status in (200, 201):
                if report is not None:
                    report(total, total)
                return response.json()
            if status == 202:
                start = _next_start(response.json(), end + 1)
                failures = 0
                if report is not None:
                    report(start, total)
                continue
            failures += 1
            if failures > self.max_attempts:
                raise GraphThrottled(
                    f"The upload of {stored} kept failing ({status or 'no answer'}); try again."
                )
            if response is not None and status in (429, 503):
                wait = float(response.headers.get("Retry-After") or 2**failures)
                self.sleep(min(wait, self.max_wait_s))
            elif status == 404:  # the session expired: start again with a new one
                return self._upload_session(parent, stored, content, report)
            # Resume from what the session says it still expects: a chunk may have landed even
            # though its answer was lost.
            state = self.upload_http.get(url)
            if state.status_code == 404:
                return self._upload_session(parent, stored, content, report)
            start = _next_start(state.json(), start)

    def _send(
        self,
        method: str,
        url: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        for attempt in range(1, self.max_attempts + 1):
            if content is not None:
                response = self._send_bytes(method, url, content, headers or {})
            else:
                response = self.client.send(method, url, json_body=json_body, headers=headers)
            if 300 <= response.status_code < 400 and "Location" in response.headers:
                return response  # a download's redirect: the caller follows it
            body = response_json(response) if response.status_code >= 300 else None
            outcome = classify(response.status_code, body, response.headers, in_session=False)
            if outcome.kind == "ok":
                return response
            if outcome.kind == "missing":
                raise NotFound("That document is not in the document library (it was deleted?).")
            if outcome.kind == "wait" and attempt < self.max_attempts:
                self._wait(outcome, attempt)
                continue
            raise self._error(method, url, outcome)
        raise AssertionError("unreachable")

    def _send_bytes(self, method: str, url: str, content: bytes, headers: dict[str, str]):
        # GraphClient speaks JSON; a file body goes through its HTTP client with the same token.
        for attempt in (1, 2):
            all_headers = {"Authorization": f"Bearer {self.client.tokens.token()}", **headers}
            self.client.requests += 1
            response = self.client.http.request(
                method, self.client.base_url + url, content=content, headers=all_headers
            )
            if response.status_code != 401 or attempt == 2:
                return response
            self.client.tokens.invalidate()
        return response

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        body = response_json(self._send(method, url, **kwargs))
        return body if isinstance(body, dict) else {}

    def _wait(self, outcome: Outcome, attempt: int) -> None:
        wait = outcome.wait_s if outcome.wait_s is not None else min(2**attempt, 30)
        if wait > self.max_wait_s:
            raise GraphThrottled(
                f"Graph asked us to wait {wait:.0f} s ({outcome.code or outcome.status}).", wait
            )
        self.sleep(wait)

    @staticmethod
    def _error(method: str, url: str, outcome: Outcome) -> GraphRequestError:
        return GraphRequestError(
            f"Graph refused {method} {url.split('?')[0][:120]}: {outcome.status} "
            f"{outcome.code} {outcome.message}".strip(),
            status=outcome.status,
            code=outcome.code,
        )


def stored_name(name: str, sha256: str) -> str:
    stem, ext = os.path.splitext(name)
    return f"{stem or 'document'}-{sha256[:8]}{ext.lower()}"


def _next_start(body: Any, fallback: int) -> int:
    ranges = (body or {}).get("nextExpectedRanges") or []
    if not ranges:
        return fallback
    return int(str(ranges[0]).split("-")[0])


def build_graph_store(
    settings: Any,
    tokens: Any,
    *,
    sleep: Callable[[float], None] = time.sleep,
    on_progress: Callable[[int, int], None] | None = None,
) -> GraphDocumentStore:
    """The configured library: GT_GRAPH_SITE_ID's drive, or GT_GRAPH_DRIVE_ID; the folder
    GT_DOCUMENTS_GRAPH_ROOT; the CA bundle of GT_GRAPH_CA_BUNDLE (a proxy's, the tests' fake)."""
    if settings.graph_site_id:
        drive = f"/sites/{settings.graph_site_id}/drive"
    elif settings.graph_drive_id:
        drive = f"/drives/{settings.graph_drive_id}"
    else:
        raise ValueError("GT_DOCUMENTS_STORE=graph needs GT_GRAPH_DRIVE_ID or GT_GRAPH_SITE_ID")
    verify = tls_verify(settings.graph_ca_bundle)
    client = GraphClient(settings.graph_base_url, tokens, verify=verify)
    return GraphDocumentStore(
        client,
        drive,
        root_folder=settings.documents_graph_root,
        verify=verify,
        sleep=sleep,
        on_progress=on_progress,
    )


class LazyGraphStore:
    """The Graph store, built on first use: msal reads the tenant's configuration when it
    starts, which a process that never touches a document should not wait for."""

    kind = "graph"

    def __init__(self, build: Callable[[], GraphDocumentStore]):
        self._build = build
        self._store: GraphDocumentStore | None = None

    @property
    def store(self) -> GraphDocumentStore:
        if self._store is None:
            self._store = self._build()
        return self._store

    def put(
        self,
        ro_number: str,
        sha256: str,
        name: str,
        content: bytes,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> str:
        return self.store.put(ro_number, sha256, name, content, on_progress)

    def place(self, ro_number: str, sha256: str, name: str) -> str:
        return self.store.place(ro_number, sha256, name)

    def get(self, location: str) -> bytes:
        return self.store.get(location)

    def download_url(self, location: str) -> str:
        return self.store.download_url(location)
