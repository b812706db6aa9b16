"""Reading a document: the PDF text layer first (pypdf), OCR second (Tesseract, when the
`tesseract` program is installed), then the release-certificate blocks as typed fields.

The text read is data, never instructions: it is only matched against block labels here, and
nothing downstream hands it to the model as part of a prompt's instructions.
"""

from __future__ import annotations

import io
import logging
import re
import shutil
from dataclasses import dataclass
from typing import Any

from domain.documents.certificates import (
    CertificateFields,
    ExtractedField,
    FieldSource,
    FormType,
)
from domain.documents.files import PDF, FileType
from domain.documents.service import Extraction
from domain.errors import InvalidInput

log = logging.getLogger(__name__)

TEXT_LAYER_CONFIDENCE = 0.95
# A page whose text layer holds fewer letters/digits than this is treated as a scan.
MIN_TEXT_CHARS = 40
MAX_PAGES = 20


def ocr_available() -> bool:
    return shutil.which("tesseract") is not None


@dataclass(frozen=True)
class PageText:
    text: str
    source: FieldSource
    confidence: float


def reader_with_model(model: Any | None):
    """The document service's `Extractor`: `extract`, then, when a model reader is configured
    and the certificate's part or serial number was not found, the model for the missing fields
    (text layer and OCR fields are never overwritten by the model's)."""
    if model is None:
        return extract

    def read(content: bytes, file_type: FileType) -> Extraction:
        found = extract(content, file_type)
        fields = found.fields
        if fields.get("part_number") and fields.get("serial_number"):
            return found
        try:
            extra = model.read(content, file_type)
        except Exception as exc:  # the model is a help, never a reason to refuse a file
            log.warning("the model could not read the document: %s", type(exc).__name__)
            note = "; ".join(n for n in (found.note, "the model could not read it") if n)
            return Extraction(found.text, fields, note)
        merged = {**extra.fields, **fields.fields}
        return Extraction(found.text, CertificateFields(merged), found.note)

    return read


def extract(content: bytes, file_type: FileType) -> Extraction:
    """An `Extractor` for the document service. Refuses an encrypted or unreadable PDF."""
    pages = _pdf_pages(content) if file_type is PDF else _image_pages(content)
    text = "\n".join(p.text for p in pages).strip()
    notes = []
    if not text:
        notes.append(
            "no text found"
            + ("" if ocr_available() else " (a scan; OCR is not installed on this server)")
        )
    fields = parse_certificate(pages)
    return Extraction(text=text, fields=fields, note="; ".join(notes) or None)


def _pdf_pages(content: bytes) -> list[PageText]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # owner-password-only PDFs open without a password
            except Exception:
                opened = 0
            if not opened:
                raise InvalidInput(
                    "The PDF is encrypted (password protected); ask the shop for an unprotected "
                    "copy. Nothing was stored."
                )
        pages: list[PageText] = []
        for page in list(reader.pages)[:MAX_PAGES]:
            text = page.extract_text() or ""
            if len(re.sub(r"\W", "", text)) >= MIN_TEXT_CHARS:
                pages.append(PageText(text, FieldSource.TEXT_LAYER, TEXT_LAYER_CONFIDENCE))
                continue
            read = [p for image in page.images for p in _ocr(image.data)]  # a scan: OCR
            if read:
                pages.extend(read)
            elif text.strip():  # a short page without pictures: its few words are all there is
                pages.append(PageText(text, FieldSource.TEXT_LAYER, TEXT_LAYER_CONFIDENCE))
        return pages
    except InvalidInput:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError) as exc:
        log.info("unreadable PDF: %s", exc)
        raise InvalidInput(
            "The PDF is damaged or not a PDF we can read; nothing was stored."
        ) from None


def _image_pages(content: bytes) -> list[PageText]:
    return _ocr(content)


def _ocr(image_bytes: bytes) -> list[PageText]:
    if not ocr_available():
        return []
    import pytesseract
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(image_bytes))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise InvalidInput(
            "The image is damaged or not one we can read; nothing was stored."
        ) from None
    data = pytesseract.image_to_data(image, output_type=pytesseract.Output.DICT)
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences = []
    for i, word in enumerate(data["text"]):
        if not word.strip():
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        lines.setdefault(key, []).append(word)
        conf = float(data["conf"][i])
        if conf >= 0:
            confidences.append(conf)
    text = "\n".join(" ".join(words) for _, words in sorted(lines.items()))
    # Tesseract's mean word confidence, scaled down: OCR never counts as sure as a text layer.
    confidence = round(0.9 * (sum(confidences) / len(confidences) / 100), 2) if confidences else 0
    return [PageText(text, FieldSource.OCR, confidence)] if text.strip() else []


# ---- the blocks of an 8130-3 / EASA Form 1 -----------------------------------------------------
_BLOCKS: dict[str, str] = {
    "tracking_number": r"3\s*[.)]?\s*(?:form\s+)?tracking\s+(?:number|no\.?)",
    "organisation": r"4\s*[.)]?\s*(?:approved\s+)?organi[sz]ation(?:\s+name(?:\s+and\s+address)?)?",
    "part_number": r"8\s*[.)]?\s*part\s*(?:number|no\.?)",
    "quantity": r"9\s*[.)]?\s*(?:quantity|qty\.?)",
    "serial_number": r"10\s*[.)]?\s*serial(?:\s*/\s*batch)?\s*(?:number|no\.?)",
    "status_work": r"11\s*[.)]?\s*status\s*/\s*work",
    "remarks": r"12\s*[.)]?\s*remarks",
    "approval_number": r"14\s*c\s*[.)]?\s*(?:certificate|approval|authori[sz]ation)[\w\s/]*?"
    r"(?:number|no\.?|ref\.?)",
    "date": r"14\s*e\s*[.)]?\s*date",
}
_SIGNATURE = r"14\s*a\s*[.)]?\s*[\w\s]*signature"
_VALUE = r"[ \t]*[:#]?[ \t]*(?P<v>[^\n]*)(?:\n[ \t]*(?P<next>[^\n]*))?"
_LABEL_START = re.compile(r"^\s*\d{1,2}\s*[a-e]?\s*[.)]", re.I)


def _find(label: str, text: str) -> str | None:
    found = re.search(r"(?im)(?:^|\n)[ \t]*" + label + _VALUE, text)
    if not found:
        return None
    value = found.group("v").strip(" :#\t")
    if not value and found.group("next") and not _LABEL_START.match(found.group("next")):
        value = found.group("next").strip(" :#\t")  # the value printed under its label
    return value[:200] or None


def parse_certificate(pages: list[PageText]) -> CertificateFields:
    """The certificate's blocks from the pages read; a block not found is left out."""
    fields: dict[str, ExtractedField] = {}
    for page in pages:
        text = page.text

        def put(name: str, value: str | None, confidence: float, source=page.source) -> None:
            if value and name not in fields:
                fields[name] = ExtractedField(value, source, round(confidence, 2))

        faa = re.search(r"8130\s*-?\s*3", text) is not None
        easa = re.search(r"EASA\s+FORM\s+1\b", text, re.I) is not None
        if faa or easa:
            form = (
                FormType.DUAL
                if faa and easa
                else FormType.FAA_8130_3
                if faa
                else FormType.EASA_FORM_1
            )
            put("form_type", form.value, page.confidence)
        for name, label in _BLOCKS.items():
            value = _find(label, text)
            if name == "status_work" and value:
                value = value.upper()
            put(name, value, page.confidence)
        signature = _find(_SIGNATURE, text)
        if re.search(_SIGNATURE, text, re.I):
            # Text can show a typed or /s/ signature, never ink: a low confidence says so.
            put("signature_present", "yes" if signature else "no", min(page.confidence, 0.5))
    return CertificateFields(fields)
