from datetime import date
from decimal import Decimal

import pytest

from domain.errors import InvalidDate, InvalidInput, InvalidText
from domain.values import clean_text, normalize_ro_number, parse_date, parse_money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026-11-20T00:00:00.000Z", date(2026, 11, 20)),
        ("11/20/26", date(2026, 11, 20)),
        ("1/5/2026", date(2026, 1, 5)),
        ("12/31/99", date(1999, 12, 31)),
        (46346, date(2026, 11, 20)),  # Excel serial
        ("46346", date(2026, 11, 20)),
        (46346.0, date(2026, 11, 20)),
        (date(2026, 1, 2), date(2026, 1, 2)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_every_form_real_data_has(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["13/45/2026", "2026-02-30", "next tuesday", "11-20", "5", 12])
def test_malformed_dates_are_refused(raw):
    with pytest.raises(InvalidDate, match="not a date"):
        parse_date(raw, field="ETA")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,250.50", Decimal("1250.50")),
        (2500, Decimal("2500.00")),
        (0.1 + 0.2, Decimal("0.30")),
        ("1250.005", Decimal("1250.01")),
        ("N/A", None),
        ("", None),
    ],
)
def test_money(raw, expected):
    assert parse_money(raw) == expected


@pytest.mark.parametrize("raw", ["-5", "lots", "1e20", "NaN"])
def test_bad_money_is_refused(raw):
    with pytest.raises(InvalidInput):
        parse_money(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("38462", "38462"),
        ("G38462", "38462"),
        ("RO# G38462", "38462"),
        ("ro 38462", "38462"),
        ("#38462", "38462"),
        (38462.0, "38462"),
        ("38462.0", "38462"),
        ("RO171", "171"),
    ],
)
def test_ro_numbers_in_every_spelling(raw, expected):
    assert normalize_ro_number(raw) == expected


@pytest.mark.parametrize("raw", ["", None, "1; DROP TABLE x", "<b>1</b>", "x" * 40])
def test_bad_ro_numbers_are_refused(raw):
    with pytest.raises(InvalidInput, match="not an RO number"):
        normalize_ro_number(raw)


def test_text_is_trimmed_and_kept_verbatim_even_when_it_looks_like_sql():
    assert clean_text(
        "  Robert'); DROP TABLE repair_orders;--  ", field="notes", max_chars=100
    ) == ("Robert'); DROP TABLE repair_orders;--")
    assert clean_text("qty < 2 and > 1", field="notes", max_chars=100) == "qty < 2 and > 1"
    assert clean_text("   ", field="notes", max_chars=10) is None


@pytest.mark.parametrize(
    "raw",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "click javascript:alert(1)",
        "</b>",
    ],
)
def test_markup_is_refused(raw):
    with pytest.raises(InvalidText, match="markup"):
        clean_text(raw, field="notes", max_chars=1000)


def test_oversize_and_control_characters_are_refused():
    with pytest.raises(InvalidText, match="limit is 10"):
        clean_text("x" * 11, field="notes", max_chars=10)
    with pytest.raises(InvalidText, match="control"):
        clean_text("bad\x00byte", field="notes", max_chars=100)


BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
BIDI += ["\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("control", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_text_direction_controls_are_refused_like_other_control_characters(control):
    # U+202E before "DEVIECER" would display it as RECEIVED.
    with pytest.raises(InvalidText, match="text-direction"):
        clean_text(f"RO 38462 {control}DEVIECER", field="notes", max_chars=100)
    with pytest.raises(InvalidText, match="text-direction"):
        clean_text(f"line one\n{control}line two", field="notes", max_chars=100, multiline=True)


@pytest.mark.parametrize("control", BIDI, ids=[f"U+{ord(c):04X}" for c in BIDI])
def test_email_addresses_with_text_direction_controls_are_refused(control):
    from domain.users import normalize_email

    with pytest.raises(InvalidInput, match="text-direction") as refused:
        normalize_email(f"moc.elpmaxe{control}@avtech.example")
    assert control not in str(refused.value)  # the message itself cannot read backwards


def test_an_email_body_loses_its_text_direction_controls_and_keeps_its_words():
    from domain.email_html import sanitize_html

    body = sanitize_html("Please ship \u202eRO 38462\u202c today.\n\nThanks \u2066Sam\u2069")
    assert not any(c in body for c in BIDI)
    assert body == "<p>Please ship RO 38462 today.</p><p>Thanks Sam</p>"


def test_like_patterns_match_percent_underscore_and_backslash_literally():
    from sqlalchemy import create_engine, literal, select

    from domain.values import escape_like

    texts = ["50% OFF", "50X OFF", "A_B", "AXB", "C\\D", "C\\\\D"]
    with create_engine("sqlite://").connect() as db:

        def matching(needle: str) -> list[str]:
            rows = [select(literal(t).label("t")) for t in texts]
            union = rows[0].union_all(*rows[1:]).subquery()
            pattern = f"%{escape_like(needle)}%"
            return db.scalars(select(union.c.t).where(union.c.t.like(pattern, escape="\\"))).all()

        assert matching("50%") == ["50% OFF"]
        assert matching("A_B") == ["A_B"]
        assert matching("C\\D") == ["C\\D"]
