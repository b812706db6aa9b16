"""A confirmed change, told as its command's record says (never as hoped)."""

from __future__ import annotations

from typing import Any

from domain.models.chat import Approval, Outcome


def describe(approval: Approval, record: dict[str, Any]) -> str:
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
