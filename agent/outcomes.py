"""A confirmed change, told as its command's record says (never as hoped)."""

from __future__ import annotations

from typing import Any

from domain.models.chat import Approval, Outcome
from domain.replies.proposal import PROPOSAL_TOOL


def _pairs(record: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    done = (record.get("result") or {}).get("changes") or []
    return [(c["field"].replace("_", " "), c.get("old"), c.get("new")) for c in done]


def _listed(pairs: list[tuple[str, Any, Any]]) -> str:
    return "; ".join(f"{f}: {old or '—'} → {new or '—'}" for f, old, new in pairs)


def describe_reply(approval: Approval, record: dict[str, Any]) -> str:
    """A shop's reply proposed as an update (#16), told from its command's record."""
    title = (approval.preview or {}).get("title") or ""
    shop = title.split(" replied about")[0] if " replied about" in title else "the shop"
    what = f"RO {approval.ro_number} from {shop}'s reply"
    outcome = record.get("outcome")
    if outcome == Outcome.APPLIED.value:
        pairs = _pairs(record)
        skipped = (record.get("result") or {}).get("skipped") or []
        already = f" Already as the reply says: {', '.join(skipped)}." if skipped else ""
        if not pairs and (record.get("result") or {}).get("replayed"):
            return f"Done: RO {approval.ro_number} updated from {shop}'s reply."
        if not pairs:
            return f"Nothing to change: RO {approval.ro_number} already shows what {shop} said."
        done = f"Done: RO {approval.ro_number} updated from {shop}'s reply ({_listed(pairs)})."
        return done + already
    if outcome == Outcome.REFUSED.value:
        return f"Not applied: the update of {what} — {record.get('reason')} Nothing was changed."
    if approval.state == "CANCELLED":
        return f"Dismissed: the update of {what}. Nothing was changed."
    return f"Confirmed: the update of {what}. It is being applied; the result will be posted here."


def describe(approval: Approval, record: dict[str, Any]) -> str:
    if approval.tool_name == PROPOSAL_TOOL:
        return describe_reply(approval, record)
    preview = approval.preview or {}
    title = preview.get("title") or approval.tool_name
    outcome = record.get("outcome")
    if outcome == Outcome.APPLIED.value:
        # what the write recorded when it says so; the confirmed preview otherwise
        done = (record.get("result") or {}).get("changes")
        pairs = (
            [(c["field"].replace("_", " "), c.get("old"), c.get("new")) for c in done]
            if done
            else preview.get("changes", [])
        )
        changes = "; ".join(f"{f}: {old or '—'} → {new or '—'}" for f, old, new in pairs)
        return f"Done: {title}" + (f" ({changes})." if changes else ".")
    if outcome == Outcome.REFUSED.value:
        return f"Not applied: {title} — {record.get('reason')}"
    if approval.state == "CANCELLED":
        return f"Cancelled: {title}. Nothing was changed."
    return f"Confirmed: {title}. It is being applied; the result will be posted here."


def describe_bulk(result: dict[str, Any]) -> str:
    """A bulk card's rows, each as its command's record says."""
    refused = "; ".join(
        f"RO {r['ro_number']}: {r['reason']}" for r in result["rows"] if r["outcome"] == "REFUSED"
    )
    text = (
        f"{result.get('title') or 'Bulk change'}: applied {result['applied']}, refused "
        f"{result['refused']}, still being applied {result['still_applying']}."
    )
    return text + (f" Refused: {refused}." if refused else "")
