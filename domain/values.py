"""Reading the values people and old files give us: dates, money, RO numbers, free text.

Each parser accepts every form real data has (REFERENCE §1: Excel serials, mm/dd/yy, M/D/YYYY,
ISO) and raises a subclass of `InvalidInput` with a readable message for anything else.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.errors import InvalidDate, InvalidInput, InvalidText

EXCEL_EPOCH = date(1899, 12, 30)  # Excel's day 0, after its 1900 leap-year bug
_SERIAL_RANGE = (20_000, 80_000)  # 1954 .. 2119: anything else is not a date we track
_US_DATE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$")
MAX_MONEY = Decimal("9999999999.99")


def parse_date(value: object, *, field: str = "date") -> date | None:
    """A `date` from a date, datetime, Excel serial, ISO or US text; None for blank."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _from_serial(float(value), field)
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d{5}(\.\d+)?", text):
        return _from_serial(float(text), field)
    try:
        if m := _ISO_DATE.match(text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _US_DATE.match(text):
            year = int(m[3])
            if len(m[3]) == 2:
                year += 2000 if year < 70 else 1900
            return date(year, int(m[1]), int(m[2]))
    except ValueError:
        pass
    raise InvalidDate(f'{field}: "{text[:40]}" is not a date. Use YYYY-MM-DD or MM/DD/YYYY.')


def _from_serial(serial: float, field: str) -> date:
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        raise InvalidDate(f"{field}: {serial:g} is not a date.")
    return EXCEL_EPOCH + timedelta(days=int(serial))


def parse_money(value: object, *, field: str = "amount") -> Decimal | None:
    """A non-negative `Decimal` with cents from a number or text like "$1,250.00"; None if blank."""
    if value is None:
        return None
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("$", "").replace("USD", "").strip()
    if not text or text.upper() in {"N/A", "NA", "TBD", "-"}:
        return None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise InvalidInput(f'{field}: "{str(value)[:40]}" is not an amount of money.') from None
    if not amount.is_finite() or amount < 0 or amount > MAX_MONEY:
        raise InvalidInput(f"{field}: {text[:40]} is out of range.")
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


_RO_PREFIX = re.compile(r"^(?:RO)?\s*#?\s*(?:NO\.?|NUMBER)?\s*G?\s*", re.IGNORECASE)
_RO_BODY = re.compile(r"^[A-Z0-9][A-Z0-9\-]{0,19}$")


def normalize_ro_number(value: object) -> str:
    """The canonical RO number: "RO# G38462", "g38462", "38462.0" and 38462 all give "38462".

    ERP.aero numbers ("RO171") keep their digits too; anything that is not a plausible RO number
    raises `InvalidInput`.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value if value is not None else "").strip().upper()
    text = re.sub(r"\.0+$", "", text)
    body = _RO_PREFIX.sub("", text, count=1).strip() if re.search(r"\d", text) else text
    if not body or not _RO_BODY.match(body):
        raise InvalidInput(
            f'"{str(value)[:30]}" is not an RO number (for example 38462 or G38462).'
        )
    return body


def ro_sequence(number: str) -> int | None:
    """The integer behind an all-digit RO number, used to allocate the next one."""
    return int(number) if number.isdigit() and len(number) <= 12 else None


_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!?][^>]*>|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)
# Text-direction (bidi) controls: embeddings and overrides U+202A-U+202E, isolates U+2066-U+2069,
# the marks U+200E/U+200F and the Arabic letter mark U+061C. Invisible, they can make what is shown
# read backwards (U+202E before "DEVIECER" displays it as "RECEIVED"), so they are treated like
# the other control characters: refused where a person types, removed where old data comes in.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape_like(text: str) -> str:
    """`text` matched literally in a LIKE pattern with `escape="\\"`: its %, _ and \\ escaped."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def has_bidi_controls(text: str) -> bool:
    return _BIDI.search(text) is not None


def strip_bidi_controls(value: object) -> object:
    """`value` without text-direction controls (non-text values unchanged)."""
    return _BIDI.sub("", value) if isinstance(value, str) else value


def clean_text(value: object, *, field: str, max_chars: int, multiline: bool = False) -> str | None:
    """Trimmed, NFC-normalized text; None for blank.

    Refuses (InvalidText): more than `max_chars`, control characters, and HTML/script markup,
    which no repair-order field needs and which would travel into the workbook and emails.
    Quotes, semicolons and SQL keywords are fine: every query is parameterized.
    """
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not multiline:
        text = re.sub(r"\s+", " ", text)
    if not text:
        return None
    if len(text) > max_chars:
        raise InvalidText(f"{field} is {len(text):,} characters; the limit is {max_chars:,}.")
    if _BIDI.search(text):
        raise InvalidText(
            f"{field} contains invisible text-direction characters (which can make text "
            "read backwards); type it again without them."
        )
    if _CONTROL.search(text):
        raise InvalidText(f"{field} contains control characters.")
    if _TAG.search(text):
        raise InvalidText(f"{field} contains HTML or script markup, which is not allowed.")
    return text


def activity_text(value: object) -> str | None:
    """A value as the activity log keeps it (old/new columns): dates ISO, money to the cent."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
