"""The gate before a part is accepted back: RECEIVED and every later stage of the lifecycle need
a release certificate on the RO whose part and serial numbers match the RO's, unless a person
with the approver role overrides it with a reason (recorded in the RO's history).

    off      never checked
    warn     checked and shown in the confirmation; the change goes ahead (embedded default)
    enforce  refused without a matching certificate or an approver's override with a reason
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from domain.documents.certificates import CertificateMatch
from domain.errors import Forbidden, InvalidInput
from domain.roles import Actor, Role
from domain.statuses import LIFECYCLE, Status

GATED: frozenset[Status] = frozenset(LIFECYCLE[LIFECYCLE.index(Status.RECEIVED) :])
MIN_REASON_CHARS = 5


class GateMode(StrEnum):
    OFF = "off"
    WARN = "warn"
    ENFORCE = "enforce"


class CertificateRequired(InvalidInput):
    """Enforce mode refused a move to RECEIVED or later: no matching certificate, no override."""


@dataclass(frozen=True)
class GateCheck:
    mode: GateMode
    applies: bool  # the target status is gated and the mode is not off
    certificates: int  # release certificates on the RO
    best: CertificateMatch | None  # the closest certificate (a match if there is one)

    @property
    def passed(self) -> bool:
        return not self.applies or (self.best is not None and self.best.matches)

    @property
    def warning(self) -> str | None:
        if self.passed:
            return None
        if self.certificates == 0 or self.best is None:
            return "There is no release certificate (8130-3 / EASA Form 1) on this RO."
        return self.best.describe()

    def as_json(self) -> dict[str, object]:
        return {
            "mode": self.mode.value,
            "applies": self.applies,
            "passed": self.passed,
            "certificates": self.certificates,
            "warning": self.warning,
            "match": self.best.as_json() if self.best else None,
        }


def check_gate(mode: GateMode, target: Status, matches: Sequence[CertificateMatch]) -> GateCheck:
    applies = mode is not GateMode.OFF and target in GATED
    best = next((m for m in matches if m.matches), None)
    if best is None and matches:
        # The one with fewer problems is the one a person wants to see side by side.
        best = min(matches, key=lambda m: len(m.problems))
    return GateCheck(mode, applies, len(matches), best)


def require_gate(check: GateCheck, actor: Actor, override_reason: str | None) -> str | None:
    """Raise when enforce mode refuses; return the override note to record, or None.

    An override needs the approver role and a reason, in any mode where the gate did not pass
    (in warn mode the override is optional but still recorded when given)."""
    reason = (override_reason or "").strip()
    if check.passed:
        return None
    if reason:
        if actor.role.rank < Role.APPROVER.rank:
            raise Forbidden(
                f"{actor.name} ({actor.role}) may not override the release-certificate check; "
                "it needs the approver role."
            )
        if len(reason) < MIN_REASON_CHARS:
            raise InvalidInput("Say why the certificate check is overridden (a few words).")
        return f"Certificate check overridden by {actor.name}: {reason} ({check.warning})"
    if check.mode is GateMode.ENFORCE:
        raise CertificateRequired(
            f"{check.warning} Moving the RO to RECEIVED or later needs a matching release "
            "certificate, or an approver's override with a reason. Nothing was changed."
        )
    return None
