"""RO numbers in a reply's subject and body: the desk's spellings, canonical, in order; a bare
number only when it is a known RO, never a zip, phone number, amount or part number."""

from __future__ import annotations

import pytest

from domain.replies.ro_numbers import find_ro_numbers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RE: RO# G38462 status", ["38462"]),
        ("RO G38462", ["38462"]),
        ("RO-38462 shipped", ["38462"]),
        ("ro#38462", ["38462"]),
        ("R/O 38462", ["38462"]),
        ("R.O. G38462", ["38462"]),
        ("Repair Order 38462", ["38462"]),
        ("RO No. 38462", ["38462"]),
        ("your PO 38462", ["38462"]),
        ("P.O. #G38462", ["38462"]),
        ("G38462 is in work", ["38462"]),
        ("RO171 from ERP.aero", ["171"]),
        ("RO G38462 and RO G38470, also G38462 again", ["38462", "38470"]),
        ("G38470 first, then RO 38462", ["38470", "38462"]),
    ],
)
def test_spellings_give_the_canonical_number(text, expected):
    assert find_ro_numbers(text) == expected


def test_bare_numbers_count_only_when_known():
    text = "About 38462: done. Also 38470."
    assert find_ro_numbers(text) == []
    assert find_ro_numbers(text, {"38462"}) == ["38462"]
    assert find_ro_numbers(text, ["G38470", "38462"]) == ["38462", "38470"]


def test_a_known_number_may_still_appear_bare():
    # Why `known` should be the sender's shop's open ROs only: a zip that happens to equal one
    # of them is read as that RO (a person confirms what it proposes).
    assert find_ro_numbers("Miami FL 38462", {"38462"}) == ["38462"]


@pytest.mark.parametrize(
    "text",
    [
        "Invoice $38,462.00",
        "Total 38462.50 USD",
        "Call 305-38462",
        "P/N 38462-01 overhauled",
        "Part 38462-3 replaced",
        "UPS 1Z999AA10123456784",
        "tracking 9400111201080805483016",
        "38462% done",
        "Suite #38462",
        "+1 38462",
        "Tel 305 38462 0142",
        "12/38462",
    ],
)
def test_digits_that_are_something_else_are_not_ro_numbers(text):
    assert find_ro_numbers(text, {"38462", "1234", "111201"}) == []


def test_prefix_words_inside_other_words_are_not_a_prefix():
    assert find_ro_numbers("PRO 38462 series; TRO 38470; Box 38471") == []
    assert find_ro_numbers("PO Box 1234, Miami") == []
