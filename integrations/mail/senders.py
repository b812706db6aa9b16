"""What a mail sender promises, and the errors senders raise (bootstrap picks the sender).

An idempotent sender can be called again with the same claim after any crash and never sends a
second copy (the outbox checks its file, Graph its stored draft). A non-idempotent one (SMTP,
Graph sendMail) cannot tell afterwards whether an interrupted hand-off went through; the
delivery protocol marks the hand-off first and never repeats one that may have succeeded.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage
from typing import Protocol

from domain.notifications.views import Claim


class PermanentSendError(Exception):
    """The transport refused the message for good (bad address, no permission): FAILED."""


class NotSent(Exception):
    """The transport certainly did not take the message (refused before accepting it).
    `permanent`: trying again will not help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


Remember = Callable[..., None]  # remember(provider_ref=...) stores progress under the lease


class Sender(Protocol):
    name: str
    idempotent: bool
    # True: the Message-ID header we build is the one the shop's mail client sees (the outbox,
    # SMTP), so a reply's In-Reply-To can point at it. False (Graph): the transport assigns its
    # own and the sender remembers it, when it learns it.
    keeps_message_id: bool

    def send(self, claim: Claim, message: EmailMessage, remember: Remember) -> str:
        """Deliver; return a reference (file name, Graph message id, SMTP Message-ID)."""
        ...
