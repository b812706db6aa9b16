"""A release certificate's fields, and whether it is the certificate for this RO's part.

FAA Form 8130-3 and EASA Form 1 share a block layout (REFERENCE §9): 3 tracking number, 4
organisation, 8 part number, 9 quantity, 10 serial number, 11 status/work, 12 remarks, 13/14
signature, approval number, date. Every field read carries where it came from (text layer, OCR,
model) and a confidence, so nothing extracted is trusted blindly: a field below the trust
threshold does not satisfy the gate on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class FieldSource(StrEnum):
    TEXT_LAYER = "text_layer"
    OCR = "ocr"
    MODEL = "model"
    PERSON = "person"


class FormType(StrEnum):
    FAA_8130_3 = "FAA 8130-3"
    EASA_FORM_1 = "EASA Form 1"
    DUAL = "Dual release (FAA 8130-3 + EASA Form 1)"


WORK_STATUSES = ("NEW", "OVERHAULED", "REPAIRED", "INSPECTED/TESTED", "MODIFIED")
# A field read with less confidence than this is shown, but does not pass the gate by itself.
TRUSTED_CONFIDENCE = 0.6

FIELD_NAMES = (
    "form_type",
    "tracking_number",
    "organisation",
    "approval_number",
    "part_number",
    "serial_number",
    "quantity",
    "status_work",
    "remarks",
    "date",
    "signature_present",
)


@dataclass(frozen=True)
class ExtractedField:
    value: str
    source: FieldSource
    confidence: float  # 0..1

    def as_json(self) -> dict[str, Any]:
        return {"value": self.value, "source": self.source.value, "confidence": self.confidence}


@dataclass(frozen=True)
class CertificateFields:
    """What was read from one certificate; a missing field is absent, never guessed."""

    fields: dict[str, ExtractedField] = field(default_factory=dict)

    def get(self, name: str) -> ExtractedField | None:
        return self.fields.get(name)

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found else None

    def as_json(self) -> dict[str, Any]:
        return {name: f.as_json() for name, f in self.fields.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> CertificateFields:
        out: dict[str, ExtractedField] = {}
        for name, raw in (data or {}).items():
            if name in FIELD_NAMES and isinstance(raw, dict) and raw.get("value") is not None:
                out[name] = ExtractedField(
                    str(raw["value"]),
                    FieldSource(raw.get("source", FieldSource.TEXT_LAYER)),
                    float(raw.get("confidence", 0.0)),
                )
        return cls(out)


def normalise_identifier(text: str | None) -> str:
    """A part or serial number as compared: uppercase, without spaces, dashes, slashes, dots,
    and without leading zeros (shops print "S/N 0012345" for our "12345"). "S/N" and "P/N"
    prefixes are dropped. Letters O and I are kept: guessing them as 0 and 1 would match wrong
    parts."""
    value = (text or "").strip().upper()
    value = re.sub(r"^(S/?N|P/?N|SER(IAL)?(\s*NO\.?)?|PART(\s*NO\.?)?)[\s:#.]*", "", value)
    value = re.sub(r"[\s\-_/.#,]+", "", value)
    return value.lstrip("0") or ("0" if value else "")


@dataclass(frozen=True)
class FieldCheck:
    name: str  # "part number", "serial number"
    ro_value: str | None
    certificate_value: str | None
    source: FieldSource | None
    confidence: float

    @property
    def matches(self) -> bool:
        return (
            bool(self.ro_value)
            and bool(self.certificate_value)
            and normalise_identifier(self.ro_value) == normalise_identifier(self.certificate_value)
        )

    @property
    def trusted(self) -> bool:
        return self.matches and self.confidence >= TRUSTED_CONFIDENCE

    def side_by_side(self) -> str:
        short = {"part number": "P/N", "serial number": "S/N"}.get(self.name, self.name)
        ro = self.ro_value or "(none on the RO)"
        cert = self.certificate_value or "(not found on the certificate)"
        return f"RO: {short} {ro}, certificate: {short} {cert}"


@dataclass(frozen=True)
class CertificateMatch:
    part: FieldCheck
    serial: FieldCheck

    @property
    def matches(self) -> bool:
        return self.part.trusted and self.serial.trusted

    @property
    def problems(self) -> list[str]:
        out = []
        for check in (self.part, self.serial):
            if not check.ro_value:
                out.append(f"the RO has no {check.name} to check the certificate against")
            elif not check.certificate_value:
                out.append(f"no {check.name} was found on the certificate ({check.side_by_side()})")
            elif not check.matches:
                out.append(f"{check.name} differs ({check.side_by_side()})")
            elif not check.trusted:
                out.append(
                    f"the {check.name} was read with low confidence ({check.confidence:.0%}, "
                    f"{check.source.value if check.source else 'unknown'}): check it by eye"
                )
        return out

    def describe(self) -> str:
        if self.matches:
            return (
                "The certificate matches the RO: "
                f"{self.part.side_by_side()}; {self.serial.side_by_side()}."
            )
        return "The certificate does not match the RO: " + "; ".join(self.problems) + "."

    def as_json(self) -> dict[str, Any]:
        return {
            "matches": self.matches,
            "problems": self.problems,
            "part_number": {"ro": self.part.ro_value, "certificate": self.part.certificate_value},
            "serial_number": {
                "ro": self.serial.ro_value,
                "certificate": self.serial.certificate_value,
            },
        }


def match_certificate(
    fields: CertificateFields, ro_part: str | None, ro_serial: str | None
) -> CertificateMatch:
    def check(name: str, key: str, ro_value: str | None) -> FieldCheck:
        found = fields.get(key)
        return FieldCheck(
            name,
            (ro_value or "").strip() or None,
            found.value if found else None,
            found.source if found else None,
            found.confidence if found else 0.0,
        )

    return CertificateMatch(
        check("part number", "part_number", ro_part),
        check("serial number", "serial_number", ro_serial),
    )
