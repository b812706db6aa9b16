"""Archives (the old workbook's sheets) and where a finished RO belongs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import InvalidInput
from domain.statuses import Status


class Archive(StrEnum):
    ACTIVE = "ACTIVE"
    NET = "NET"
    PAID = "PAID"
    RETURNS = "RETURNS"

    @property
    def sheet(self) -> str:
        return {"ACTIVE": "Active", "NET": "Net", "PAID": "Paid", "RETURNS": "Returns"}[self.value]


_ARCHIVE_NAMES = {a.value: a for a in Archive} | {
    "RETURNED": Archive.RETURNS,
    "RETURN": Archive.RETURNS,
}


def parse_archive(text: str | Archive) -> Archive:
    if isinstance(text, Archive):
        return text
    key = (text or "").strip().upper()
    if key in _ARCHIVE_NAMES:
        return _ARCHIVE_NAMES[key]
    raise InvalidInput(f'"{text[:40]}" is not an archive. Use one of: Active, Net, Paid, Returns.')


@dataclass(frozen=True)
class ArchiveRoute:
    """Where an RO should go. `archive` is None when we must ask (`question` says what)."""

    archive: Archive | None
    reason: str
    question: str | None = None


_NET = re.compile(r"\bNET\s*\d*\b")


def is_net_terms(terms: str | None) -> bool:
    return bool(terms and _NET.search(terms.upper()))


def route_archive(status: Status, terms: str | None) -> ArchiveRoute:
    """The archive an RO belongs in once its status is `status` (REFERENCE §1 archive routing)."""
    if status in (Status.RECEIVED, Status.COMPLETE):
        if not (terms or "").strip():
            return ArchiveRoute(
                None,
                "received units go to Net or Paid by payment terms, and this RO has none",
                "What are the payment terms (for example NET 30 or COD)?",
            )
        if is_net_terms(terms):
            return ArchiveRoute(Archive.NET, f"received on {terms.strip()} terms")
        return ArchiveRoute(Archive.PAID, f"received on {terms.strip()} terms")
    if status in (Status.PAID, Status.PAYMENT_SENT):
        return ArchiveRoute(Archive.PAID, "paid")
    if status in (Status.BER, Status.RAI, Status.SCRAP, Status.CANCELLED):
        return ArchiveRoute(Archive.RETURNS, f"closed as {status}")
    return ArchiveRoute(Archive.ACTIVE, f"still open ({status})")


def destination(status: Status | None, terms: str | None, target: object = None) -> Archive:
    """Where to move an RO: `target` when given, else where its status and terms send it.
    Raises `InvalidInput` with the question to ask when the rules cannot choose."""
    if target not in (None, "") and str(target).upper() != "ALL":
        return parse_archive(str(target))
    route = route_archive(status, terms) if status else None
    if route is None or route.archive is None:
        question = route.question if route else "Which archive should it go to?"
        raise InvalidInput(f"cannot choose an archive by itself. {question}")
    return route.archive
