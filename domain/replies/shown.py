"""Text from a shop's email, made safe to show in the chat's markdown (#16).

An email is untrusted: its subject, summary and evidence sentences are shown as literal text —
markdown and HTML characters escaped, so nothing in a reply can style the card, forge a button
label, hide text or inject a table row — and links defanged ("https[:]//…", "www[.]…"), so
nothing in it becomes clickable.
"""

from __future__ import annotations

import re

# (single-line text shown mid-line: "-", "+", "#" and "1." only mean something at a line's start)
# The flags a reply carries (domain/replies/service.py, message.py, matching.py), in words.
FLAG_WORDS = {
    "unknown_sender": "unknown sender",
    "spoofed_sender": "sender looks spoofed",
    "reply_to_differs": "Reply-To differs from the sender",
    "foreign_ro": "names another shop's RO",
    "instructions": "contains instructions (ignored)",
    "auto_reply": "automatic reply",
    "malformed": "malformed message",
    "no_message_id": "no Message-ID",
    "html_script": "HTML with scripts (removed)",
    "oversize_attachment": "attachment too large (not filed)",
    "attachment_not_filed": "attachment not filed",
    "attachment_refused": "attachment refused",
}

MARKDOWN = re.compile(r"([\\`*_\[\]{}()<>|~])")
LINK = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]{1,15}):(?=//)")
WWW = re.compile(r"(?i)\bwww\.")
MAILTO = re.compile(r"(?i)\bmailto:")
ADDRESS = re.compile(r"[^\s<>()\[\]`\\|*_]+@[^\s<>()\[\]`\\|*_]*[A-Za-z0-9]")


def literal(text: object, max_chars: int = 300) -> str:
    """One line of untrusted text as the chat shows it: escaped, defanged, shortened. An email
    address goes in a code span (which markdown never turns into a link)."""
    value = " ".join(str(text or "").split())
    if len(value) > max_chars:
        value = value[: max_chars - 1] + "…"
    value = LINK.sub(r"\1[:]", value)
    value = WWW.sub("www[.]", value)
    value = MAILTO.sub("mailto[:]", value)
    out, last = [], 0
    for found in ADDRESS.finditer(value):
        out.append(_escaped(value[last : found.start()]))
        out.append(f"`{found[0]}`")
        last = found.end()
    out.append(_escaped(value[last:]))
    return "".join(out)


def literal_cell(value: object, max_chars: int = 600) -> str:
    """A value in a table or a sentence, shown literally: notes, part numbers and certificates'
    text come from people, workbooks and scans, and must neither style a card nor add a row to
    it. Each line of a several-line value (notes) is kept, joined by ↵; nothing is "—"."""
    text = str(value if value is not None else "")
    lines = [line for line in text.splitlines() if line.strip()]
    return " ↵ ".join(literal(line, max_chars) for line in lines) or "—"


def _escaped(text: str) -> str:
    return MARKDOWN.sub(r"\\\1", text)  # ("&lt;b&gt;" renders as text: no HTML is rendered)
