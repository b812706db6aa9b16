"""SMTP (smtplib). SMTP has no idempotency: after the final "." of DATA, a connection lost
before the server's "250" leaves no way to know whether the server queued the message.

So the guarantee is at most once, never silently lost: the delivery protocol records a
hand-off before this sender is called. Refusals that certainly mean "not taken" (cannot
connect, login refused, sender/recipient refused, DATA answered with an error) raise `NotSent`
and the hand-off is cleared for a retry; anything else leaves the mark, and the retry flags the
email FAILED "delivery uncertain" for a person to check instead of sending a second copy.
The Message-ID is derived from the notification id, so a copy re-sent by a person is
recognisable as the same message by mail clients.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage

from config import Settings
from domain.notifications.views import Claim
from integrations.mail.senders import NotSent, Remember

TIMEOUT_S = 30


class SmtpSender:
    name = "smtp"
    idempotent = False
    keeps_message_id = True

    def __init__(self, settings: Settings, *, ssl_context: ssl.SSLContext | None = None):
        self.host = settings.smtp_host
        self.port = settings.smtp_port
        self.user = settings.smtp_user
        self.password = settings.smtp_password
        self.security = settings.smtp_security
        self.ssl_context = ssl_context or ssl.create_default_context()

    def _connect(self) -> smtplib.SMTP:
        try:
            if self.security == "ssl":
                client: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=TIMEOUT_S, context=self.ssl_context
                )
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_S)
            client.ehlo()
            if self.security == "starttls":
                client.starttls(context=self.ssl_context)
                client.ehlo()
            if self.user:
                client.login(self.user, self.password)
            return client
        except smtplib.SMTPAuthenticationError as exc:
            raise NotSent(f"SMTP login refused ({exc.smtp_code})", permanent=True) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise NotSent(f"SMTP connection failed: {type(exc).__name__}") from None

    def send(self, claim: Claim, message: EmailMessage, remember: Remember) -> str:
        client = self._connect()
        try:
            refused = client.send_message(message)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPRecipientsRefused) as exc:
            raise NotSent(f"SMTP refused the message: {_reason(exc)}", permanent=True) from None
        except smtplib.SMTPDataError as exc:  # the server answered DATA with an error
            raise NotSent(
                f"SMTP refused the message ({exc.smtp_code})", permanent=exc.smtp_code >= 500
            ) from None
        finally:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                client.close()
        if refused:  # some recipients (e.g. a CC) were refused; the rest got it
            return f"{message['Message-ID']} (refused: {', '.join(sorted(refused))})"
        return str(message["Message-ID"])


def _reason(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return ", ".join(f"{addr} ({code})" for addr, (code, _) in exc.recipients.items())
    return str(getattr(exc, "smtp_code", "")) or type(exc).__name__
