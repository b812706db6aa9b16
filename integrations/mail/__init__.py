"""Mail senders: what they promise (senders.py) and the three of them.

message.py    the MIME message of a claimed notification (prefix, CC, Message-ID, HTML+text)
outbox.py     the embedded default: real .eml files in var/outbox, one per email
smtp.py       smtplib; at most once (an interrupted hand-off is flagged, never resent)
graph.py      Microsoft Graph from a shared mailbox: draft-then-send (exactly once) or sendMail
"""
