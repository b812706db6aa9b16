"""Reading release certificates built here (fpdf2 + Pillow): the text layer, and scans through
Tesseract. OCR tests skip with a reason where Tesseract is missing; CI=true requires it (.ci/run
installs Debian's tesseract-ocr)."""

from __future__ import annotations

import pytest

from domain.documents.certificates import FieldSource, FormType, match_certificate
from domain.documents.files import PDF, PNG
from domain.documents.kinds import DocumentKind, guess_kind
from integrations.documents.extraction import extract, ocr_available
from tests.conftest import require_service
from tests.documents_samples import certificate_lines, png, scanned_pdf, text_pdf

EXPECTED = {
    "tracking_number": "2026-0412",
    "organisation": "Acme Aero Repair, Miami FL",
    "part_number": "3214-552-01",
    "quantity": "1",
    "serial_number": "R28503",
    "status_work": "OVERHAULED",
    "approval_number": "ACMR123K",
    "date": "2026-11-20",
    "signature_present": "yes",
}


@pytest.fixture
def tesseract():
    require_service(
        "Tesseract OCR (the tesseract program, Debian's tesseract-ocr)", ocr_available()
    )


@pytest.mark.parametrize(
    ("form", "form_type"),
    [("faa", FormType.FAA_8130_3), ("easa", FormType.EASA_FORM_1), ("dual", FormType.DUAL)],
)
def test_text_layer_certificate_is_read_block_by_block(form, form_type):
    lines = certificate_lines(form)
    result = extract(text_pdf(lines), PDF)
    fields = result.fields
    assert fields.value("form_type") == form_type.value
    for name, value in EXPECTED.items():
        assert fields.value(name) == value, name
        assert fields.get(name).source is FieldSource.TEXT_LAYER
    assert fields.get("part_number").confidence >= 0.9
    # A text layer shows a typed signature, never ink: it is never reported as sure.
    assert fields.get("signature_present").confidence <= 0.5
    assert guess_kind("scan.pdf", result.text) is DocumentKind.RELEASE_CERTIFICATE
    assert match_certificate(fields, "3214552-01", "R 28503").matches


def test_a_mismatched_serial_is_found_and_shown_side_by_side():
    fields = extract(text_pdf(certificate_lines(serial="R28508")), PDF).fields
    match = match_certificate(fields, "3214-552-01", "R28503")
    assert not match.matches
    assert "RO: S/N R28503, certificate: S/N R28508" in match.describe()


def test_a_missing_block_is_left_out_not_guessed():
    fields = extract(text_pdf(certificate_lines(omit=frozenset({"10", "14a"}))), PDF).fields
    assert fields.get("serial_number") is None
    assert fields.get("signature_present") is None
    assert fields.value("part_number") == "3214-552-01"
    assert (
        "no serial number was found"
        in match_certificate(fields, "3214-552-01", "R28503").describe()
    )


def test_a_plain_letter_has_no_certificate_fields():
    result = extract(
        text_pdf(["Dear customer,", "Please find our quotation attached for 1 unit."]), PDF
    )
    assert result.fields.fields == {}
    assert guess_kind("letter.pdf", result.text) is DocumentKind.QUOTE


def test_scanned_pdf_is_read_by_ocr(tesseract):
    result = extract(scanned_pdf(certificate_lines("faa")), PDF)
    fields = result.fields
    assert fields.value("form_type") == FormType.FAA_8130_3.value
    assert fields.value("part_number") == "3214-552-01"
    assert fields.value("serial_number") == "R28503"
    assert fields.get("serial_number").source is FieldSource.OCR
    # OCR is never as sure as a text layer.
    assert 0 < fields.get("serial_number").confidence < 0.95
    assert match_certificate(fields, "3214-552-01", "R28503").matches


def test_photo_of_an_easa_form_1_is_read_by_ocr(tesseract):
    fields = extract(png(certificate_lines("easa", serial="R28508")), PNG).fields
    assert fields.value("form_type") == FormType.EASA_FORM_1.value
    match = match_certificate(fields, "3214-552-01", "R28503")
    assert not match.matches and "certificate: S/N R28508" in match.describe()


def test_without_tesseract_a_scan_says_so(monkeypatch):
    monkeypatch.setattr("integrations.documents.extraction.ocr_available", lambda: False)
    result = extract(scanned_pdf(certificate_lines()), PDF)
    assert result.fields.fields == {}
    assert "OCR is not installed" in result.note
