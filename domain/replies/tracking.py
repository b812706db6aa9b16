"""Tracking numbers in a shop's reply: found, checked, and given a carrier (REFERENCE §5).

A number is trusted only when its format AND its check digit hold; a candidate whose check digit
fails is dropped, never proposed (a mistyped number would send the desk chasing the wrong
parcel). The formats:

    UPS            1Z + 6 shipper + 2 service + 7 package + 1 check (mod 10, letters mapped)
    FedEx Express  12 digits, check = weighted sum (1,3,7 from the right) mod 11 mod 10
    FedEx Ground   15 digits, check = mod 10 with weights 3,1 from the right
    USPS IMpb      20-22 digits, mod 10 with weights 3,1 from the right (a 20-digit one may have
                   dropped its "91"); FedEx SmartPost the same with "92"; FedEx Ground 96 (22
                   digits) checks its last 15 the same way
    USPS S10       2 letters + 8 digits + check (weights 8,6,4,2,3,5,9,7, mod 11) + "US"
    DHL Express    10 digits, check = the first nine as a number mod 7

Digits-only numbers collide with phone numbers, zips and part numbers, so a bare 10-, 12-, 15-
or 20-22-digit number counts only when a carrier or a tracking word is in the same text
(`context`); the carrier named there decides between USPS and FedEx SmartPost (USPS otherwise),
and ten digits count as DHL only when "DHL" is named (a phone number is ten digits too).
`1Z…` and S10 numbers identify themselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UPS, FEDEX, USPS, DHL = "UPS", "FedEx", "USPS", "DHL"

_UPS = re.compile(r"\b1Z(?:[ \-]?[0-9A-Z]){16}\b", re.IGNORECASE)
_S10 = re.compile(r"\b[A-Z]{2}[ \-]?\d{3}[ \-]?\d{3}[ \-]?\d{3}[ \-]?US\b", re.IGNORECASE)
# Runs of digits, possibly grouped by single spaces or hyphens ("9400 1118 9922 ...").
_DIGITS = re.compile(r"(?<![\w.,$€£/])\d(?:[ \-]?\d){9,21}(?![\w$€£/]|[.,]\d)")
_PHONE = re.compile(r"\d{3}[ \-]\d{3}[ \-]\d{4}")
_CARRIER_WORDS = (
    (UPS, re.compile(r"\bUPS\b", re.IGNORECASE)),
    (FEDEX, re.compile(r"\bfed\s?ex\b|\bsmart\s?post\b", re.IGNORECASE)),
    (USPS, re.compile(r"\bUSPS\b|\bpostal service\b|\bpriority mail\b|\bU\.S\. mail\b", re.I)),
    (DHL, re.compile(r"\bDHL\b", re.IGNORECASE)),
)
_TRACKING_WORDS = re.compile(
    r"\btrack(?:ing)?\b|\bAWB\b|\bair ?way ?bill\b|\bwaybill\b|\bseguimiento\b|\bguía\b"
    r"|\bsuivi\b|\bSendungsnummer\b|\brastreio\b|\brastreamento\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class TrackingNumber:
    number: str  # compact, upper case
    carrier: str  # UPS | FedEx | USPS | DHL
    start: int  # where it was found in the text (order of appearance)


def carriers_named(text: str) -> list[str]:
    """The carriers a text mentions, in our fixed order."""
    return [name for name, pattern in _CARRIER_WORDS if pattern.search(text)]


@dataclass(frozen=True)
class Around:
    """What the wider text says about tracking: the carriers named and whether a tracking word
    ("tracking", "AWB", "waybill"...) appears. Computed once per reply, not per sentence."""

    named: tuple[str, ...]
    tracking_words: bool


def around(text: str) -> Around:
    return Around(tuple(carriers_named(text)), bool(_TRACKING_WORDS.search(text)))


def find_tracking(
    text: str, context: str | None = None, *, near: Around | None = None
) -> list[TrackingNumber]:
    """Checked tracking numbers in `text`, in order of appearance.

    `context` is the wider text the carrier or tracking words may be in (the whole reply when
    `text` is one sentence); by default `text` itself. `near` is that context already looked
    at (`around(reply)`), for a caller reading a reply sentence by sentence.
    """
    near = near or around(text if context is None else context)
    named = list(near.named)
    found: list[TrackingNumber] = []
    for match in _UPS.finditer(text):
        number = _compact(match.group())
        if ups_valid(number):
            found.append(TrackingNumber(number, UPS, match.start()))
    for match in _S10.finditer(text):
        number = _compact(match.group())
        if s10_valid(number):
            found.append(TrackingNumber(number, USPS, match.start()))
    if named or near.tracking_words:
        for match in _DIGITS.finditer(text):
            if _PHONE.fullmatch(match.group()):
                continue
            carrier = carrier_of(_compact(match.group()), named)
            if carrier:
                found.append(TrackingNumber(_compact(match.group()), carrier, match.start()))
    seen: set[str] = set()
    unique = []
    for item in sorted(found, key=lambda t: t.start):
        if item.number not in seen:
            seen.add(item.number)
            unique.append(item)
    return unique


def carrier_of(number: str, named: list[str] | tuple[str, ...] = ()) -> str | None:
    """The carrier whose format and check digit `number` satisfies, or None (not trusted).

    `named`: carriers mentioned nearby; they decide when a number fits more than one carrier,
    and a digits-only format of a carrier not named loses to one that is.
    """
    number = _compact(number)
    if number.startswith("1Z"):
        return UPS if ups_valid(number) else None
    if re.fullmatch(r"[A-Z]{2}\d{9}US", number):
        return USPS if s10_valid(number) else None
    if not number.isdigit():
        return None
    fits = possible_carriers(number)
    if not fits:
        return None
    for name in named:
        if name in fits:
            return name
    if named or fits == [DHL]:
        # A carrier is named but the number is not one of its formats; or ten digits (a phone
        # number's length) with no "DHL" nearby.
        return None
    return fits[0]


def possible_carriers(digits: str) -> list[str]:
    """Carriers whose digits-only format and check digit fit, most likely first."""
    n = len(digits)
    fits = []
    if n == 12 and fedex_express_valid(digits):
        fits.append(FEDEX)
    if n == 15 and mod10_valid(digits):
        fits.append(FEDEX)
    if n == 20:
        if mod10_valid(digits) or mod10_valid("91" + digits):  # USPS 20, IMpb without its "91"
            fits.append(USPS)
        if mod10_valid("92" + digits):  # FedEx SmartPost without its "92"
            fits.append(FEDEX)
    if n == 22 and digits.startswith("96") and mod10_valid(digits[-15:]):
        fits.append(FEDEX)  # FedEx Ground 96: the check covers the serial number only
    elif n in (21, 22) and mod10_valid(digits):
        # IMpb; SmartPost (92...) hands over to USPS with the same number
        fits += [USPS, FEDEX] if digits.startswith("92") else [USPS]
    if n == 10 and dhl_valid(digits):
        fits.append(DHL)
    return fits


def ups_valid(number: str) -> bool:
    number = _compact(number)
    if not re.fullmatch(r"1Z[0-9A-Z]{16}", number):
        return False
    body, check = number[2:17], number[17]
    total = 0
    for i, ch in enumerate(body):
        value = int(ch) if ch.isdigit() else (ord(ch) - 63) % 10
        total += value * (2 if i % 2 else 1)
    return check.isdigit() and (10 - total % 10) % 10 == int(check)


def fedex_express_valid(digits: str) -> bool:
    if not re.fullmatch(r"\d{12}", digits):
        return False
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(digits[:11])))
    return total % 11 % 10 == int(digits[11])


def mod10_valid(digits: str) -> bool:
    """The GS1-style check (weights 3,1 from the right of the payload): FedEx Ground, IMpb."""
    if not digits.isdigit() or len(digits) < 2:
        return False
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == int(digits[-1])


def s10_valid(number: str) -> bool:
    number = _compact(number)
    if not re.fullmatch(r"[A-Z]{2}\d{9}[A-Z]{2}", number):
        return False
    digits = number[2:10]
    total = sum(int(d) * w for d, w in zip(digits, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return check == int(number[10])


def dhl_valid(digits: str) -> bool:
    return bool(re.fullmatch(r"\d{10}", digits)) and int(digits[:9]) % 7 == int(digits[9])


def _compact(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()
