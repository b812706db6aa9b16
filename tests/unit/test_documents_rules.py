"""Documents' pure rules: kinds, names, types by content, sizes, certificate matching, the gate."""

from __future__ import annotations

import pytest

from domain.documents.certificates import (
    CertificateFields,
    ExtractedField,
    FieldSource,
    match_certificate,
    normalise_identifier,
)
from domain.documents.files import (
    DEFAULT_MAX_BYTES,
    JPEG,
    PDF,
    PNG,
    TIFF,
    check_size,
    clean_file_name,
    name_with_extension,
    sniff_type,
)
from domain.documents.gate import (
    CertificateRequired,
    GateMode,
    check_gate,
    require_gate,
)
from domain.documents.kinds import DocumentKind, guess_kind, parse_kind
from domain.errors import Forbidden, InvalidInput
from domain.roles import Actor, Role
from domain.statuses import Status

EDITOR = Actor("ed@example.com", Role.EDITOR, "chat")
APPROVER = Actor("ann@example.com", Role.APPROVER, "chat")


@pytest.mark.parametrize(
    ("name", "text", "media", "kind"),
    [
        ("quote 38462.pdf", "", "application/pdf", DocumentKind.QUOTE),
        ("INV-2231.pdf", "", "application/pdf", DocumentKind.INVOICE),
        (
            "scan.pdf",
            "FAA FORM 8130-3 AUTHORIZED RELEASE CERTIFICATE",
            "",
            DocumentKind.RELEASE_CERTIFICATE,
        ),
        (
            "doc.pdf",
            "EASA Form 1 ... 5. Work order/Invoice 4411",
            "",
            DocumentKind.RELEASE_CERTIFICATE,
        ),
        ("packing_slip_38462.pdf", "", "", DocumentKind.PACKING_SLIP),
        ("IMG_2041.jpg", "", "image/jpeg", DocumentKind.PHOTO),
        ("unit.png", "", "image/png", DocumentKind.PHOTO),
        ("letter.pdf", "Dear customer", "application/pdf", DocumentKind.OTHER),
    ],
)
def test_kind_is_guessed_from_name_then_text(name, text, media, kind):
    assert guess_kind(name, text, media) is kind


def test_kind_typed_by_a_person():
    assert parse_kind("cert") is DocumentKind.RELEASE_CERTIFICATE
    assert parse_kind("Packing Slip") is DocumentKind.PACKING_SLIP
    assert parse_kind("8130-3") is DocumentKind.RELEASE_CERTIFICATE
    with pytest.raises(InvalidInput, match="not a document kind"):
        parse_kind("recipe")


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\x\\quote.pdf", "quote.pdf"),
        ("quo\x00te\r\n.pdf", "quo te .pdf"),
        ("\u202egnp.exe.pdf", "gnp.exe.pdf"),
        ("...hidden.pdf", "hidden.pdf"),
        ('a<b>:"c|d?.pdf', "a_b___c_d_.pdf"),
        ("", "document"),
        ("/", "document"),
    ],
)
def test_file_names_are_sanitised(raw, clean):
    assert clean_file_name(raw) == clean


def test_long_names_are_cut_keeping_the_extension():
    clean = clean_file_name("x" * 500 + ".pdf")
    assert len(clean) == 120 and clean.endswith(".pdf")


def test_types_are_told_by_content_not_name():
    assert sniff_type(b"%PDF-1.7\n...", "photo.jpg") is PDF
    assert sniff_type(b"\x89PNG\r\n\x1a\n....", "a.pdf") is PNG
    assert sniff_type(b"\xff\xd8\xff\xe0..", "a") is JPEG
    assert sniff_type(b"II*\x00....", "a") is TIFF
    assert sniff_type(b"MM\x00*....", "a") is TIFF
    with pytest.raises(InvalidInput, match="Windows program"):
        sniff_type(b"MZ\x90\x00" + b"\x00" * 60, "cert.pdf")
    with pytest.raises(InvalidInput, match="Linux program"):
        sniff_type(b"\x7fELF\x02", "cert.pdf")
    with pytest.raises(InvalidInput, match="not a PDF, PNG, JPEG or TIFF"):
        sniff_type(b"hello world", "notes.pdf")


def test_a_file_that_lies_about_its_type_gets_its_real_extension():
    assert name_with_extension("cert.pdf", PNG) == "cert.png"
    assert name_with_extension("cert.PDF", PDF) == "cert.PDF"
    assert name_with_extension("photo.jpeg", JPEG) == "photo.jpeg"
    assert name_with_extension("scan", TIFF) == "scan.tif"


def test_sizes():
    check_size(1)
    check_size(DEFAULT_MAX_BYTES)
    with pytest.raises(InvalidInput, match="empty"):
        check_size(0, name="x.pdf")
    with pytest.raises(InvalidInput, match=r"200\.0 MB; the limit is 25\.0 MB"):
        check_size(200 * 1024 * 1024)
    with pytest.raises(InvalidInput, match="limit"):
        check_size(11, max_bytes=10)


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("R28503", "r28503", True),
        ("R-28503", "R 28503", True),
        ("0012345", "12345", True),
        ("S/N 12345", "12345", True),
        ("3214-552-01", "321455201", True),
        ("R28503", "R28508", False),
        ("O123", "0123", False),  # letter O is not zero
    ],
)
def test_identifiers_normalise(a, b, same):
    assert (normalise_identifier(a) == normalise_identifier(b)) is same


def _cert(part, serial, source=FieldSource.TEXT_LAYER, confidence=0.95):
    fields = {}
    if part is not None:
        fields["part_number"] = ExtractedField(part, source, confidence)
    if serial is not None:
        fields["serial_number"] = ExtractedField(serial, source, confidence)
    return CertificateFields(fields)


def test_certificate_matches_the_ro_after_normalising():
    match = match_certificate(_cert("3214-552-01", "r 28503"), "321455201", "R28503")
    assert match.matches and match.problems == []


def test_a_mismatch_is_described_side_by_side():
    match = match_certificate(_cert("3214-552-01", "R28508"), "3214-552-01", "R28503")
    assert not match.matches
    assert "RO: S/N R28503, certificate: S/N R28508" in match.describe()


def test_a_missing_block_is_named():
    match = match_certificate(_cert("3214-552-01", None), "3214-552-01", "R28503")
    assert not match.matches
    assert "no serial number was found on the certificate" in match.describe()


def test_a_low_confidence_read_does_not_pass():
    match = match_certificate(_cert("A1", "B2", FieldSource.OCR, 0.3), "A1", "B2")
    assert not match.matches
    assert "low confidence" in match.describe()


def test_fields_round_trip_through_json():
    cert = _cert("A1", "B2", FieldSource.OCR, 0.7)
    assert CertificateFields.from_json(cert.as_json()) == cert


def test_gate_applies_to_received_and_later_only():
    bad = [match_certificate(_cert("A1", "X"), "A1", "B2")]
    for status in (Status.RECEIVED, Status.COMPLETE, Status.PAID, Status.PAYMENT_SENT):
        assert not check_gate(GateMode.WARN, status, bad).passed
    for status in (Status.SHIPPED, Status.IN_WORK, Status.BER, Status.RAI):
        assert check_gate(GateMode.ENFORCE, status, bad).passed
    assert check_gate(GateMode.OFF, Status.RECEIVED, []).passed


def test_gate_passes_when_any_certificate_matches():
    good = match_certificate(_cert("A1", "B2"), "A1", "B2")
    bad = match_certificate(_cert("A1", "X"), "A1", "B2")
    check = check_gate(GateMode.ENFORCE, Status.RECEIVED, [bad, good])
    assert check.passed and check.warning is None
    assert require_gate(check, EDITOR, None) is None


def test_warn_mode_lets_the_change_through_with_a_warning():
    check = check_gate(GateMode.WARN, Status.RECEIVED, [])
    assert not check.passed
    assert "no release certificate" in check.warning
    assert require_gate(check, EDITOR, None) is None


def test_enforce_mode_refuses_without_an_override():
    check = check_gate(
        GateMode.ENFORCE,
        Status.RECEIVED,
        [match_certificate(_cert("A1", "R28508"), "A1", "R28503")],
    )
    with pytest.raises(CertificateRequired, match="certificate: S/N R28508"):
        require_gate(check, APPROVER, None)


def test_only_an_approver_overrides_and_only_with_a_reason():
    check = check_gate(GateMode.ENFORCE, Status.RECEIVED, [])
    with pytest.raises(Forbidden, match="approver"):
        require_gate(check, EDITOR, "shop will email the cert")
    with pytest.raises(InvalidInput, match="Say why"):
        require_gate(check, APPROVER, " ok ")
    note = require_gate(check, APPROVER, "shop will email the cert tomorrow")
    assert "overridden by ann@example.com" in note and "tomorrow" in note
