"""Tracking numbers: the carriers' formats and check digits, checked against published samples
(the carriers' own examples and the tracking_number_data test numbers); a failing check digit
is never trusted; digits-only numbers need a carrier or tracking word nearby."""

from __future__ import annotations

import pytest

from domain.replies.tracking import (
    carrier_of,
    dhl_valid,
    fedex_express_valid,
    find_tracking,
    mod10_valid,
    s10_valid,
    ups_valid,
)

VALID = [
    ("1Z999AA10123456784", "UPS"),
    ("1Z12345E6605272234", "UPS"),
    ("986578788855", "FedEx"),  # Express, 12
    ("477179081230", "FedEx"),
    ("799531274483", "FedEx"),
    ("041441760228964", "FedEx"),  # Ground, 15
    ("568283610012734", "FedEx"),
    ("9611020987654312345672", "FedEx"),  # Ground 96, 22
    ("61299998820821171811", "FedEx"),  # SmartPost without its 92
    ("9400111201080805483016", "USPS"),  # IMpb 22
    ("9405803699300124287899", "USPS"),
    ("03071790000523483741", "USPS"),  # USPS 20
    ("71969010756003077385", "USPS"),  # IMpb without its 91
    ("EE123456785US", "USPS"),  # S10
    ("RB123456785US", "USPS"),
]
INVALID = [
    "1Z999AA10123456785",  # one off
    "996578788855",
    "568283610012732",
    "9261292700768711948020",
    "EE123456784US",
    "1Z999AA1012345678",  # too short
]


@pytest.mark.parametrize(("number", "carrier"), VALID)
def test_published_samples_pass_and_get_their_carrier(number, carrier):
    assert carrier_of(number) == carrier


@pytest.mark.parametrize("number", INVALID)
def test_a_failing_check_digit_is_not_trusted(number):
    assert carrier_of(number) is None
    assert find_tracking(f"Tracking {number}") == []


def test_the_check_functions_one_by_one():
    assert ups_valid("1z999aa10123456784")  # case does not matter
    assert fedex_express_valid("986578788855") and not fedex_express_valid("986578788856")
    assert mod10_valid("041441760228964") and not mod10_valid("041441760228965")
    assert s10_valid("EE123456785US") and not s10_valid("EE123456786US")
    # DHL: the first nine digits mod 7 give the tenth.
    assert dhl_valid("3318810025") and not dhl_valid("3318810026")
    # S10: 11 - (sum mod 11), where 11 is written 5 and 10 is written 0.
    assert s10_valid("RR000000005US") and not s10_valid("RR000000000US")  # sum 0
    assert s10_valid("RR020000000US")  # sum 12: 11 - 1 = 10, written 0


def test_numbers_are_found_in_text_with_spaces_and_in_order():
    text = (
        "Box 1 went UPS 1Z 999 AA1 01 2345 6784, box 2 USPS 9400 1112 0108 0805 4830 16 "
        "and the spare by mail EE 123 456 785 US."
    )
    found = find_tracking(text)
    assert [(t.number, t.carrier) for t in found] == [
        ("1Z999AA10123456784", "UPS"),
        ("9400111201080805483016", "USPS"),
        ("EE123456785US", "USPS"),
    ]


def test_digits_only_need_a_carrier_or_tracking_word():
    assert find_tracking("Our account 986578788855 is on file.") == []
    assert [t.carrier for t in find_tracking("FedEx 986578788855")] == ["FedEx"]
    assert [t.carrier for t in find_tracking("tracking 986578788855")] == ["FedEx"]


def test_ten_digits_are_dhl_only_when_dhl_is_named():
    assert find_tracking("Tracking 3318810025") == []
    assert [t.carrier for t in find_tracking("DHL waybill 3318810025")] == ["DHL"]


def test_phone_numbers_zips_and_amounts_are_not_tracking():
    text = "Tracking to follow. Call 305-555-0142 or 3055550143, zip 33142, $2,750.00."
    assert find_tracking(text) == []


def test_the_named_carrier_decides_and_a_mismatch_is_not_trusted():
    # A SmartPost number (92...) is also an IMpb: the carrier named nearby decides.
    number = "9261292700768711948021"
    assert carrier_of(number) == "USPS"
    assert carrier_of(number, ["FedEx"]) == "FedEx"
    # A FedEx Express number next to "UPS" only: not trusted as either.
    assert find_tracking("UPS 986578788855") == []
    # The context may be the whole reply while the number is in one sentence.
    assert [t.carrier for t in find_tracking("It is 986578788855.", context="Sent FedEx.")] == [
        "FedEx"
    ]
