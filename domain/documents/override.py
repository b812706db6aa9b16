"""An approver overriding the release-certificate check from a change's confirmation card.

A status change that the gate did not pass (warn or enforce, domain/documents/gate.py) shows the
mismatch on its card. A person with the approver role may confirm it anyway with a reason: the
reason joins the command's arguments when the card is decided (domain/conversations.py), so the
durable command applies it as theirs and `require_gate` writes the override — who, when, why —
to the RO's history. Nothing here trusts the button: the role and the card are checked again.
"""

from __future__ import annotations

from typing import Any

from domain.documents.gate import MIN_REASON_CHARS
from domain.errors import Forbidden, InvalidInput
from domain.models.chat import Approval
from domain.roles import Actor, Role

OPERATION = "change_status"  # the one command the gate stands in front of
MAX_REASON_CHARS = 500
ARG = "certificate_override"


def needs_override(approval: Approval) -> bool:
    """The card is a status change the certificate check did not pass, not yet overridden."""
    gate = (approval.preview or {}).get("gate") or {}
    return (
        approval.operation == OPERATION
        and gate.get("applies") is True
        and gate.get("passed") is False
        and not (approval.args or {}).get(ARG)
    )


def may_override(actor: Actor, approval: Approval) -> bool:
    """Whether the card offers `actor` the override (the server checks again at the press)."""
    return actor.role.rank >= Role.APPROVER.rank and needs_override(approval)


def overridden(
    approval: Approval, actor: Actor, reason: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The command's arguments and card with `actor`'s override; raises when it is not allowed."""
    if actor.role.rank < Role.APPROVER.rank:
        raise Forbidden(
            f"{actor.name} ({actor.role}) may not override the release-certificate check; "
            "it needs the approver role."
        )
    if not needs_override(approval):
        raise InvalidInput("This change has no certificate check to override.")
    clean = " ".join((reason or "").split())
    if len(clean) < MIN_REASON_CHARS:
        raise InvalidInput("Say why the certificate check is overridden (a few words).")
    if len(clean) > MAX_REASON_CHARS:
        raise InvalidInput(f"Keep the reason under {MAX_REASON_CHARS} characters.")
    args = {**(approval.args or {}), ARG: clean}
    preview = dict(approval.preview or {})
    preview["changes"] = [
        *preview.get("changes", []),
        ["certificate check", "not passed", f"overridden by {actor.name}"],
    ]
    preview["override"] = {"by": actor.name, "reason": clean}
    return args, preview
