"""The MIME message for a claimed notification: what every sender sends (the outbox writes it
as is; SMTP hands it over; Graph gets the same fields as JSON)."""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

from config import Settings
from domain.email_html import html_to_text
from domain.notifications.views import Claim

ID_HEADER = "X-GT-Notification-Id"  # Graph accepts only x- custom headers (REFERENCE §5)


def full_subject(subject: str, prefix: str) -> str:
    return subject if not prefix or subject.startswith(prefix.strip()) else prefix + subject


def message_id(claim_id: str, sender_address: str) -> str:
    """Stable per notification: a resend (if a transport ever did one) is recognisably the same."""
    domain = sender_address.rpartition("@")[2] or "ro-tracker.local"
    return f"<{claim_id}@{domain}>"


def build_message(claim: Claim, settings: Settings) -> EmailMessage:
    sender = settings.graph_mailbox or settings.mail_from
    msg = EmailMessage()
    msg["From"] = Address(settings.mail_from_name, addr_spec=sender)
    msg["To"] = claim.to
    if claim.cc:
        msg["Cc"] = ", ".join(claim.cc)
    msg["Subject"] = full_subject(claim.subject, settings.mail_subject_prefix)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id(claim.id, sender)
    msg[ID_HEADER] = claim.id
    msg.set_content(html_to_text(claim.body_html))
    msg.add_alternative(
        f"<!DOCTYPE html><html><body>{claim.body_html}</body></html>", subtype="html"
    )
    return msg
