"""Sending approved emails, exactly once (issue #6).

message.py    the MIME message of a claimed notification (prefix, CC, Message-ID, HTML+text)
outbox.py     the embedded default: real .eml files in var/outbox, one per email
smtp.py       smtplib; at most once (an interrupted hand-off is flagged, never resent)
graph.py      Microsoft Graph from a shared mailbox: draft-then-send (exactly once) or sendMail
senders.py    the sender chosen by settings, and the errors senders raise
delivery.py   the send protocol: lease, sender, record SENT with the RO date move
actor.py      the `send_email` Dramatiq actor and `queue_send()`
"""
