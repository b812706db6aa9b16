"""Small formats the offline model's answers share: money, days ago, one change."""

from __future__ import annotations

from typing import Any

from domain.replies.shown import literal_cell


def money(value: Any) -> str:
    return "—" if value in (None, "") else f"${float(value):,.2f}"


def days_ago(r: dict[str, Any]) -> str:
    days = r["days_eta_passed"]
    return f"{days} day{'s' if days != 1 else ''} ago"


def change_line(e: dict[str, Any]) -> str:
    old, new = literal_cell(e.get("old"), 300), literal_cell(e.get("new"), 300)
    change = f"{e.get('field') or e['action'].lower()}: {old} → {new}"
    when = e.get("when") or e["at"][:16].replace("T", " ") + " UTC"
    return f"- {when} · {e.get('by') or e['who']} · {change}"
