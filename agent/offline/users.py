"""User administration requests (admins) for the offline model: "users", "sessions of
sam@example.com", "disable sam@example.com", "make sam@example.com an approver", "sign out
sam@example.com". Every request names the person by email; the tools say no to non-admins."""

from __future__ import annotations

import re

from pydantic_ai.messages import ToolCallPart

EMAIL = r"([^\s@,;']+@[^\s,;']+)"  # no quote: "sam@x.com's sessions"
ROLE = r"(?:an?\s+)?([a-z]+)(?:\s+role)?"
ROLE_WORDS = {"administrator": "admin", "approvers": "approver", "editors": "editor"}
PLEASE = r"(?:please\s+|can you\s+|could you\s+)?"


def _call(tool: str, **args) -> ToolCallPart:
    return ToolCallPart(tool_name=tool, args={k: v for k, v in args.items() if v is not None})


def _role(word: str) -> str:
    return ROLE_WORDS.get(word, word)


def users(raw: str) -> ToolCallPart | None:
    """The tool call for a user-administration request, or None. Matched on the text as typed:
    a session id is case-sensitive (emails and roles are lower-cased here)."""
    t = raw.strip().rstrip("?.! ")
    if re.fullmatch(r"(?:list |show |show me |all |our )*(?:the )?(?:users|accounts|user list)|"
                    r"who has access", t, re.I):  # fmt: skip
        return _call("list_users")
    if "@" not in t:
        return None
    if m := re.fullmatch(
        rf"{PLEASE}(?:revoke|end|kill|close)\s+(?:the\s+)?session\s+([\w-]{{6,}})\s+"
        rf"(?:of|for|from)\s+{EMAIL}",
        t,
        re.I,
    ):
        return _call("revoke_user_sessions", email=m[2].lower(), session=m[1])
    if m := re.fullmatch(
        rf"{PLEASE}(?:(?:revoke|end|kill|close)\s+(?:all\s+)?(?:the\s+)?sessions\s+(?:of|for)|"
        rf"(?:sign|log)\s+out|force\s+(?:sign|log)\s*out(?:\s+of)?)\s+{EMAIL}(?:\s+everywhere)?",
        t,
        re.I,
    ) or re.fullmatch(rf"{PLEASE}(?:sign|log)\s+{EMAIL}\s+out(?:\s+everywhere)?", t, re.I):
        return _call("revoke_user_sessions", email=m[1].lower())
    if m := re.fullmatch(
        rf"(?:show\s+|list\s+|show me\s+)?(?:the\s+|open\s+|active\s+)*sessions\s+(?:of|for)\s+"
        rf"{EMAIL}|{EMAIL}'?s?\s+sessions",
        t,
        re.I,
    ):
        return _call("user_sessions", email=(m[1] or m[2]).lower())
    if m := re.fullmatch(
        rf"{PLEASE}(disable|deactivate|block|enable|reactivate|re-enable|unblock)\s+"
        rf"(?:the\s+)?(?:user\s+|account\s+(?:of\s+)?)?{EMAIL}",
        t,
        re.I,
    ):
        enable = m[1].lower() in ("enable", "reactivate", "re-enable", "unblock")
        return _call("enable_user" if enable else "disable_user", email=m[2].lower())
    if m := re.fullmatch(
        rf"{PLEASE}(?:set|change)\s+(?:the\s+)?role\s+(?:of|for)\s+{EMAIL}\s+to\s+{ROLE}|"
        rf"{PLEASE}make\s+{EMAIL}\s+{ROLE}|"
        rf"{PLEASE}give\s+{EMAIL}\s+(?:the\s+)?{ROLE}",
        t,
        re.I,
    ):
        email = m[1] or m[3] or m[5]
        role = m[2] or m[4] or m[6]
        return _call("set_user_role", email=email.lower(), role=_role(role.lower()))
    return None
