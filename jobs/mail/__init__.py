"""Sending approved emails, exactly once.

delivery.py   the send protocol: lease, sender (integrations/mail), record SENT + RO dates
actor.py      the `send_email` background task and `queue_send()`
"""
