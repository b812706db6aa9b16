"""Microsoft Graph mail from a shared mailbox, with an app-only token (Mail.Send, and
Mail.ReadWrite for the draft flow). REFERENCE §5.

draft (default, exactly once):
    1. POST /users/{mailbox}/messages            -> 201 {id}   the draft; its id is stored at once
    2. GET  /users/{mailbox}/messages/{id}?$select=isDraft       only when retrying with a stored id
    3. POST /users/{mailbox}/messages/{id}/send  -> 202
  A retry with a stored id never creates a new draft: it sends THAT draft, unless step 2 says it
  is no longer a draft (isDraft false) or gone (404: Graph moves a sent draft to Sent Items under
  a new id) — then it was sent. Crash between 1 and storing the id: every draft carries our
  notification id in an extended property, so the retry finds that draft in Drafts and sends it
  (extra ones are deleted): no second draft, no orphan left in the shared mailbox.
  Nothing polls Sent Items (v2 did, and threw when the message was not there yet, so its retry
  sent the email twice).
sendmail (at most once): one POST /users/{mailbox}/sendMail -> 202, which Graph cannot
  deduplicate; it runs under the same hand-off mark as SMTP.

The ids a reply points back at (#16): the draft's 201 carries the internetMessageId and the
conversationId Graph gave it (kept when it is sent), remembered with the draft id, so a shop's
reply matches by In-Reply-To / References / conversationId. sendMail's 202 has no body: in that
mode no id is known (nothing polls Sent Items), and replies match by RO number and sender only.
"""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

import httpx

from config import Settings
from domain.notifications.views import Claim
from integrations.errors import GraphAuthError
from integrations.mail.message import ID_HEADER, full_subject
from integrations.mail.senders import NotSent, PermanentSendError, Remember
from integrations.microsoft.graph import GraphClient, TokenProvider, tls_verify

TIMEOUT_S = 30
# A named MAPI property of our own on every draft, holding the notification id: Graph can filter
# drafts by it (it cannot filter by internet headers).
ID_PROPERTY = "String {6f7c1a52-2b0e-4e8b-9d55-3f1f0b2d7a11} Name GtNotificationId"
RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
DRAFT_FIELDS = "id,isDraft,internetMessageId,conversationId"


class GraphMailSender:
    name = "graph"
    keeps_message_id = False  # Graph gives the message its own internetMessageId

    def __init__(
        self,
        settings: Settings,
        *,
        tokens: TokenProvider,
        transport: httpx.BaseTransport | None = None,
    ):
        self.settings = settings
        self.mode = settings.graph_mail_mode
        self.idempotent = self.mode == "draft"
        mailbox = settings.graph_mailbox or settings.mail_from
        self.base = f"{settings.graph_base_url}/users/{quote(mailbox, safe='@')}"
        self.graph = GraphClient(
            "",
            tokens,
            transport=transport,
            verify=tls_verify(settings.graph_ca_bundle),
            timeout_s=TIMEOUT_S,
        )

    # ---- the two flows -----------------------------------------------------------------------
    def send(self, claim: Claim, message: EmailMessage, remember: Remember) -> str:
        try:
            if self.mode == "sendmail":
                return self._send_mail(claim)
            return self._draft_then_send(claim, remember)
        except GraphAuthError as exc:  # a fresh token was refused too: nothing was sent
            raise NotSent(str(exc), permanent=True) from None
        finally:
            self.graph.close()

    def _draft_then_send(self, claim: Claim, remember: Remember) -> str:
        draft_id = claim.provider_ref
        if draft_id:
            response = self._request("GET", f"/messages/{quote(draft_id, safe='')}?$select=isDraft")
            if response.status_code == 404:
                return draft_id  # moved to Sent Items by an earlier /send
            self._check(response)
            if not response.json().get("isDraft", True):
                return draft_id
        else:
            draft = self._earlier_draft(claim) or self._new_draft(claim)
            draft_id = draft["id"]
            remember(provider_ref=draft_id, **_thread_ids(draft))
        self._check(self._request("POST", f"/messages/{quote(draft_id, safe='')}/send"))
        return draft_id

    def _new_draft(self, claim: Claim) -> dict[str, Any]:
        response = self._request("POST", "/messages", json=self._message(claim))
        self._check(response)
        return response.json()

    def _earlier_draft(self, claim: Claim) -> dict[str, Any] | None:
        """A draft an interrupted attempt created for this email (it crashed, or lost Graph's
        reply, before storing the id): found by the property every draft of ours carries, and
        reused — the first one; any others are deleted, so no orphan stays in the mailbox."""
        query = (
            f"/mailFolders/drafts/messages?$select={DRAFT_FIELDS}"
            "&$filter=singleValueExtendedProperties/"
            f"Any(ep: ep/id eq '{ID_PROPERTY}' and ep/value eq '{claim.id}')"
        )
        response = self._request("GET", query)
        self._check(response)
        found = list(response.json().get("value", []))
        for extra in found[1:]:
            self._check(self._request("DELETE", f"/messages/{quote(extra['id'], safe='')}"))
        return found[0] if found else None

    def _send_mail(self, claim: Claim) -> str:
        body = {"message": self._message(claim), "saveToSentItems": True}
        try:
            response = self._request("POST", "/sendMail", json=body)
        except httpx.ConnectError as exc:  # nothing reached Graph
            raise NotSent(f"Graph unreachable: {type(exc).__name__}") from None
        if response.status_code in RETRYABLE:
            raise NotSent(f"Graph answered {response.status_code}")  # not accepted; try again
        if response.status_code >= 400:
            raise NotSent(_describe(response), permanent=True)
        return f"sendMail:{claim.id}"

    # ---- HTTP --------------------------------------------------------------------------------
    def _message(self, claim: Claim) -> dict[str, Any]:
        return {
            "subject": full_subject(claim.subject, self.settings.mail_subject_prefix),
            "body": {"contentType": "HTML", "content": claim.body_html},
            "toRecipients": [{"emailAddress": {"address": claim.to}}],
            "ccRecipients": [{"emailAddress": {"address": a}} for a in claim.cc],
            "internetMessageHeaders": [{"name": ID_HEADER.lower(), "value": claim.id}],
            "singleValueExtendedProperties": [{"id": ID_PROPERTY, "value": claim.id}],
        }

    def _request(self, method: str, path: str, json: Any = None) -> httpx.Response:
        return self.graph.send(method, self.base + path, json_body=json)

    @staticmethod
    def _check(response: httpx.Response) -> None:
        if response.status_code in RETRYABLE:
            response.raise_for_status()  # httpx.HTTPStatusError: transient, the actor retries
        if response.status_code >= 400:
            raise PermanentSendError(_describe(response))


def _thread_ids(draft: dict[str, Any]) -> dict[str, str]:
    """The draft's internetMessageId and conversationId, as the notification stores them."""
    ids = {
        "message_id": str(draft.get("internetMessageId") or "")[:200],
        "conversation_id": str(draft.get("conversationId") or "")[:500],
    }
    return {key: value for key, value in ids.items() if value}


def _describe(response: httpx.Response) -> str:
    try:
        error = response.json().get("error", {})
        code, text = error.get("code", ""), str(error.get("message", ""))[:200]
    except ValueError:
        code, text = "", ""
    return f"Graph answered {response.status_code} {code}: {text}".strip()
