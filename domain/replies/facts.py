"""What a shop said about one RO, each field with the sentence it came from.

This is the one typed result every reader produces (the offline rules and the Claude model):
`ReplyFacts` per RO number. Values are normalised: `status` is a `domain.statuses.Status` value,
dates ISO (YYYY-MM-DD), `amount` a decimal string, `currency` ISO 4217, `carrier` one of
CARRIERS. A field is absent (None) when the reply does not say it; nothing is guessed.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

CARRIERS = ("UPS", "FedEx", "USPS", "DHL")
AMOUNT_KINDS = ("quote", "invoice")
ACTIONABLE = ("status", "tracking_number", "ship_date", "eta", "amount", "shop_reference")


class Evidence(BaseModel):
    """A value and the sentence of the reply that says it (shown to the person deciding)."""

    value: str = Field(max_length=200)
    sentence: str = Field(max_length=500)


class ReplyFacts(BaseModel):
    status: Evidence | None = None  # a Status value: SHIPPED, IN WORK, WAITING QUOTE, BER...
    tracking_number: Evidence | None = None  # checked against the carrier's format/check digit
    carrier: Evidence | None = None
    ship_date: Evidence | None = None
    eta: Evidence | None = None
    amount: Evidence | None = None
    currency: Evidence | None = None
    amount_kind: Evidence | None = None  # quote | invoice
    shop_reference: Evidence | None = None
    summary: str = Field(default="", max_length=500)

    def actionable(self) -> bool:
        """Something a person could apply to the RO (a summary alone is not)."""
        return any(getattr(self, name) is not None for name in ACTIONABLE)
