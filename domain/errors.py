"""Every error the domain raises, in one tree.

    RoTrackerError
     ├── InvalidInput            bad input a person or the model can fix; never retried
     │    ├── InvalidStatus       not a status we know, even by a legacy spelling
     │    ├── InvalidTransition   a known status that cannot follow the current one
     │    ├── InvalidDate         a date we cannot read
     │    └── InvalidText         oversize text, markup, control characters
     ├── NotFound                an RO, shop or user that does not exist
     ├── Conflict                the data moved under you
     │    ├── DuplicateRepairOrder
     │    ├── StaleVersion        someone else changed the RO since you read it
     │    └── OutOfStock          no unit left to take (someone may have just taken the last)
     ├── Forbidden               your role does not allow it
     ├── NotAuthenticated        no valid credentials (API token or access token missing, expired,
     │                           revoked, forged, or its user disabled)
     └── SignInRefused           a Microsoft sign-in we do not accept (tenant, token, role)

Jobs pass the whole tree as `throws=`: none of these gets better by trying again.
"""

from __future__ import annotations


class RoTrackerError(Exception):
    """Base of every error we raise on purpose. `str(err)` is a sentence for a person."""


class InvalidInput(RoTrackerError):
    pass


class InvalidStatus(InvalidInput):
    pass


class InvalidTransition(InvalidInput):
    pass


class InvalidDate(InvalidInput):
    pass


class InvalidText(InvalidInput):
    pass


class NotFound(RoTrackerError):
    pass


class AmbiguousShop(InvalidInput):
    """What was typed fits several shops in the directory: the person chooses."""


class UnknownShop(NotFound):
    """No shop in the directory fits what was typed: offer to create it."""


class Conflict(RoTrackerError):
    pass


class DuplicateRepairOrder(Conflict):
    pass


class StaleVersion(Conflict):
    pass


class OutOfStock(Conflict):
    pass


class Forbidden(RoTrackerError):
    pass


class NotAuthenticated(RoTrackerError):
    """The HTTP API could not tell who is calling. The message never holds the credential."""


class SignInRefused(RoTrackerError):
    """A Microsoft sign-in we do not accept: another tenant, a token that does not validate,
    no role when the default is "deny", a disabled or clashing account. The message is for the
    log (it never holds a token); `reason` (one of the constants below) picks what the person
    is told on the sign-in page."""

    NOT_VERIFIED = "not_verified"  # expired, bad signature, another app or issuer, no keys
    OTHER_TENANT = "other_tenant"
    NO_ROLE = "no_role"
    DISABLED = "disabled"
    CLASH = "clash"  # the email belongs to another account

    def __init__(self, message: str, reason: str = NOT_VERIFIED) -> None:
        super().__init__(message)
        self.reason = reason
