"""The kinds of paperwork an RO carries, and a first guess at which one a file is.

The guess is a proposal a person confirms, never a decision: it reads the file name first (people
name files "quote 38462.pdf"), then the text when there is some.
"""

from __future__ import annotations

import re
from enum import StrEnum

from domain.errors import InvalidInput


class DocumentKind(StrEnum):
    QUOTE = "quote"
    INVOICE = "invoice"
    PACKING_SLIP = "packing_slip"
    RELEASE_CERTIFICATE = "release_certificate"
    PHOTO = "photo"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# Words that name each kind, most specific first: a certificate's text often says "invoice"
# in block 5, so certificate words are tried before invoice words.
_WORDS: tuple[tuple[DocumentKind, re.Pattern[str]], ...] = (
    (
        DocumentKind.RELEASE_CERTIFICATE,
        re.compile(
            r"8130[\s_-]*3|easa[\s_-]*form[\s_-]*1|\bform[\s_-]*1\b|authorized release certificate"
            r"|authorised release certificate|release[\s_-]*cert|\bcert(ificate)?\b|\barc\b",
            re.I,
        ),
    ),
    (DocumentKind.PACKING_SLIP, re.compile(r"packing[\s_-]*(slip|list)|pack[\s_-]*slip", re.I)),
    (DocumentKind.QUOTE, re.compile(r"\bquot(e|ation)s?\b|\bestimate\b|\bteardown\b", re.I)),
    (DocumentKind.INVOICE, re.compile(r"\binvoice\b|\binv\b|\bbill\b", re.I)),
    (DocumentKind.PHOTO, re.compile(r"\bphoto\b|\bpicture\b|\bimg\b|\bimage\b", re.I)),
)
_ALIASES = {
    "cert": DocumentKind.RELEASE_CERTIFICATE,
    "certificate": DocumentKind.RELEASE_CERTIFICATE,
    "release certificate": DocumentKind.RELEASE_CERTIFICATE,
    "8130": DocumentKind.RELEASE_CERTIFICATE,
    "8130-3": DocumentKind.RELEASE_CERTIFICATE,
    "easa form 1": DocumentKind.RELEASE_CERTIFICATE,
    "form 1": DocumentKind.RELEASE_CERTIFICATE,
    "packing slip": DocumentKind.PACKING_SLIP,
    "packing list": DocumentKind.PACKING_SLIP,
    "slip": DocumentKind.PACKING_SLIP,
    "quotation": DocumentKind.QUOTE,
    "estimate": DocumentKind.QUOTE,
    "picture": DocumentKind.PHOTO,
    "image": DocumentKind.PHOTO,
}


def parse_kind(text: str | DocumentKind | None) -> DocumentKind:
    """A kind a person typed ("cert", "packing slip", "8130-3"); `InvalidInput` otherwise."""
    if isinstance(text, DocumentKind):
        return text
    key = re.sub(r"[\s_]+", " ", (text or "").strip().lower())
    if not key:
        raise InvalidInput("A document kind is required.")
    for kind in DocumentKind:
        if key in (kind.value, kind.label):
            return kind
    if key in _ALIASES:
        return _ALIASES[key]
    raise InvalidInput(
        f'"{key[:30]}" is not a document kind. Use one of: '
        + ", ".join(k.label for k in DocumentKind)
        + "."
    )


def guess_kind(name: str, text: str = "", media_type: str = "") -> DocumentKind:
    """The likeliest kind from the file name, then its text; a picture with no better clue is
    a photo; anything else is "other"."""
    stem = re.sub(r"[_.]+", " ", name or "")
    for source in (stem, (text or "")[:5000]):
        for kind, words in _WORDS:
            if words.search(source):
                return kind
    if media_type.startswith("image/"):
        return DocumentKind.PHOTO
    return DocumentKind.OTHER
