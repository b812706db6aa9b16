"""What we accept as a document: a clean file name, a type told by content, a size in bounds.

The type is read from the first bytes (magic numbers), never from the name: an executable
renamed `.pdf` is refused, a PDF named `scan` is accepted. Refusals are sentences for a person.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.errors import InvalidInput

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_NAME_CHARS = 120


@dataclass(frozen=True)
class FileType:
    media_type: str
    extension: str
    label: str


PDF = FileType("application/pdf", ".pdf", "PDF")
PNG = FileType("image/png", ".png", "PNG image")
JPEG = FileType("image/jpeg", ".jpg", "JPEG image")
TIFF = FileType("image/tiff", ".tif", "TIFF image")
ALLOWED: tuple[FileType, ...] = (PDF, PNG, JPEG, TIFF)

_SIGNATURES: tuple[tuple[bytes, FileType], ...] = (
    (b"%PDF-", PDF),
    (b"\x89PNG\r\n\x1a\n", PNG),
    (b"\xff\xd8\xff", JPEG),
    (b"II*\x00", TIFF),
    (b"MM\x00*", TIFF),
)
# Programs and archives people may rename; named so the refusal says what the file really is.
_REFUSED: tuple[tuple[bytes, str], ...] = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xce\xfa\xed\xfe", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
    (b"PK\x03\x04", "a zip archive (or an Office file)"),
    (b"\xd0\xcf\x11\xe0", "an old Office file"),
)


def sniff_type(head: bytes, name: str = "") -> FileType:
    """The file's type from its first bytes; `InvalidInput` saying why when we do not take it.
    PDF's header may follow up to 1024 bytes of junk (the PDF spec allows it)."""
    shown = clean_file_name(name) if name else "The file"
    for magic, kind in _SIGNATURES:
        if head.startswith(magic):
            return kind
    for magic, what in _REFUSED:
        if head.startswith(magic):
            raise InvalidInput(
                f"{shown} is {what}, not a document; only PDF, PNG, JPEG and TIFF files are "
                "accepted, whatever the file is named."
            )
    if b"%PDF-" in head[:1024]:
        return PDF
    raise InvalidInput(
        f"{shown} is not a PDF, PNG, JPEG or TIFF file (checked by its content, not its name); "
        "nothing was stored."
    )


def check_size(size: int, max_bytes: int = DEFAULT_MAX_BYTES, name: str = "") -> None:
    shown = clean_file_name(name) if name else "The file"
    if size <= 0:
        raise InvalidInput(f"{shown} is empty (0 bytes); nothing was stored.")
    if size > max_bytes:
        raise InvalidInput(
            f"{shown} is {human_size(size)}; the limit is {human_size(max_bytes)} per file. "
            "Nothing was stored."
        )


def clean_file_name(name: str, fallback: str = "document") -> str:
    """A name safe to show and to store: no folders (`../`, `C:\\`), no control or invisible
    characters, no leading dots, at most MAX_NAME_CHARS with the extension kept."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = re.split(r"[\\/]", text)[-1]  # the last part of any path, either separator
    text = "".join(
        " " if unicodedata.category(ch)[0] in ("C", "Z") and ch != " " else ch for ch in text
    )
    text = re.sub(r'[<>:"|?*]', "_", text)  # characters Windows and SharePoint refuse
    text = re.sub(r"\s+", " ", text).strip().lstrip(".").strip()
    if not text:
        return fallback
    if len(text) > MAX_NAME_CHARS:
        stem, dot, ext = text.rpartition(".")
        ext = ext if dot and len(ext) <= 10 else ""
        keep = MAX_NAME_CHARS - (len(ext) + 1 if ext else 0)
        text = (stem if ext else text)[:keep].rstrip() + (f".{ext}" if ext else "")
    return text


def name_with_extension(name: str, kind: FileType) -> str:
    """The clean name, with the extension of what the file really is when it claims another
    (a PNG named `.pdf` is stored as `.png`): a viewer then opens it as what it is."""
    clean = clean_file_name(name)
    stem, dot, ext = clean.rpartition(".")
    current = f".{ext.lower()}" if dot else ""
    same = (
        {kind.extension}
        | ({".jpeg"} if kind is JPEG else set())
        | ({".tiff"} if kind is TIFF else set())
    )
    if current in same:
        return clean
    return (stem if dot and stem else clean) + kind.extension


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"
