"""RO numbers in a shop's reply, in the spellings the desk and the shops use.

    RO# G38462, RO G38462, RO-38462, R/O 38462, Repair Order 38462, RO171 (ERP.aero)
    your PO 38462, P.O. #G38462   (the desk's RO number is the purchase order the shop received)
    G38462                        (the desk's prefix is enough on its own)
    38462                         only when it is a known RO number (a candidate of this shop)

Everything comes back canonical, like `domain.values.normalize_ro_number` ("RO# G38462" ->
"38462"), in order of first appearance. A bare number is the risky one: a zip code, a phone
number, an amount, a part number or a tracking number are all digits, so it counts only when
`known` holds it, and never inside a longer number, an amount or a hyphenated part number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# "RO", "R/O", "R.O.", "repair order", "PO", "P.O.", "purchase order", then "#", "no.", "number"
_PREFIXED = re.compile(
    r"(?<![\w/])(?:R\.?/?O\.?|repair\s+order|P\.?O\.?|purchase\s+order)"
    r"(?:\s*(?:#|no\.?|nbr\.?|num(?:ber)?\.?|:)){0,2}\s*[\-:#]?\s*G?\s*(\d{3,8})(?![\w\-/]|[.,]\d)",
    re.IGNORECASE,
)
_G_NUMBER = re.compile(r"(?<![\w\-/#])G(\d{4,8})(?![\w\-/]|[.,]\d)", re.IGNORECASE)
# Not inside a longer token, an amount, a path or a grouped phone number ("+1 305 38462").
_BARE = re.compile(r"(?<![\w$€£.,/\-#+])(?<!\d )(\d{3,8})(?![\w%/]|[.,\-]\d| \d)")


def find_ro_numbers(text: str, known: Iterable[str] | None = None) -> list[str]:
    """Canonical RO numbers named in `text`, first appearance first, each once."""
    candidates = {canonical_ro(n) for n in known or ()}
    hits: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_PREFIXED, _G_NUMBER):
        for match in pattern.finditer(text):
            hits.append((match.start(), canonical_ro(match.group(1))))
            taken.append(match.span())
    if candidates:
        for match in _BARE.finditer(text):
            number = canonical_ro(match.group(1))
            inside = any(a <= match.start() < b for a, b in taken)
            if number in candidates and not inside:
                hits.append((match.start(), number))
    out: list[str] = []
    for _, number in sorted(hits):
        if number not in out:
            out.append(number)
    return out


def canonical_ro(number: str) -> str:
    """The desk's canonical number: "RO# G38462", "G38462" and "38462" are the same RO."""
    text = str(number).strip().upper()
    text = re.sub(r"^(?:RO)?\s*#?\s*G?\s*", "", text)
    return text
