"""The desk's words explained: "what does BER mean?", "what is RAI?", "meaning of overdue".

Answered from this list, not from a tool; a word not in it is not guessed at (the request goes on
to the other rules). The meanings follow the desk's rules (REFERENCE: statuses, archive routing,
overdue).
"""

from __future__ import annotations

import re

MEANINGS = {
    "TO SEND": "the part is waiting to go out to the repair shop.",
    "WAITING QUOTE": "the part is at the shop and we are waiting for its quote for the repair.",
    "APPROVED": "we approved the shop's quote; the shop may start the repair.",
    "IN WORK": "the shop is repairing the part.",
    "ON HOLD": "the repair is paused.",
    "SHIPPED": "the shop has shipped the part back to us; it is on its way.",
    "RECEIVED": "the part is back with us.",
    "COMPLETE": "the part is back and the repair is done; what is left is paying the shop.",
    "PAID": "the shop's invoice is paid.",
    "PAYMENT SENT": "payment is on its way to the shop; the RO is finished.",
    "BER": "Beyond Economical Repair: the shop found the repair would cost more than the part is "
    "worth, so it is not repaired. The RO ends there (Returns archive).",
    "RAI": "Returned As Is: the part came back unrepaired. The RO ends there (Returns archive).",
    "CANCELLED": "the repair was called off. The RO ends there (Returns archive).",
    "SCRAP": "the part was scrapped. The RO ends there (Returns archive).",
    "OVERDUE": "the RO's next-update date has passed: we owe the shop a follow-up. (A shop late "
    "against its own promised date is \u201cETA passed\u201d, a different thing.)",
    "ETA PASSED": "the shop's estimated delivery date has passed and the part is not back yet.",
    "NET": "the Net archive: ROs received or complete on NET terms (the shop is paid later, "
    "within the terms' days).",
    "RETURNS": "the Returns archive: ROs that ended without a repair (BER, RAI, scrapped, "
    "cancelled).",
    "ACTIVE": "the Active archive: open ROs, from TO SEND until the RO moves to Net, Paid or "
    "Returns.",
    "PAID ARCHIVE": "the Paid archive: ROs paid, or back on terms other than NET.",
}
SPELLINGS = {
    "BEYOND ECONOMICAL REPAIR": "BER",
    "RETURNED AS IS": "RAI",
    "SCRAPPED": "SCRAP",
    "CANCELED": "CANCELLED",
    "WAITING FOR QUOTE": "WAITING QUOTE",
    "AWAITING QUOTE": "WAITING QUOTE",
    "TO BE SENT": "TO SEND",
    "PAST ETA": "ETA PASSED",
    "NET ARCHIVE": "NET",
    "RETURNS ARCHIVE": "RETURNS",
    "ACTIVE ARCHIVE": "ACTIVE",
}
WORD = r"[\"'\u201c]?(?P<word>[a-z][a-z ]*?)[\"'\u201d]?"
# Asked outright ("what does BER mean", "meaning of overdue", "explain RAI"), or "what is X" of
# an abbreviation or with "status"/"archive" after it — "what's in work" and "what's overdue"
# ask for ROs, not a definition.
ASKED = [
    re.compile(rf"(?:what does|what do)\s+(?:an?\s+|the\s+)?{WORD}\s+(?:mean|stand for)", re.I),
    re.compile(rf"(?:meaning of|define|explain)\s+(?:an?\s+|the\s+)?{WORD}", re.I),
    re.compile(rf"what(?:'s| is)\s+(?:an?\s+|the\s+)?{WORD}\s+(?P<kind>status|archive)", re.I),
    re.compile(r"what(?:'s| is)\s+(?:an?\s+)?[\"'\u201c]?(?P<word>ber|rai)[\"'\u201d]?", re.I),
]


def meaning(text: str) -> str | None:
    """The explanation of the word asked about, or None when the question is not one of these."""
    asked = text.strip().rstrip("?.! ")
    m = next((m for pattern in ASKED if (m := pattern.fullmatch(asked))), None)
    if not m:
        return None
    word = " ".join(m["word"].upper().split())
    word = SPELLINGS.get(word, word)
    if "kind" in m.groupdict() and m["kind"].lower() == "archive":
        word = SPELLINGS.get(f"{word} ARCHIVE", f"{word} ARCHIVE")
    if word not in MEANINGS:
        return None
    return f"**{word}** — {MEANINGS[word]}"
