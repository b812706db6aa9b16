"""Emails to repair shops with a person in the loop (issue #6; DESIGN flow 4).

A draft is a `Notification` in PENDING_APPROVAL with to, cc, subject and a sanitized HTML body,
linked to the RO(s) it is about. Recipients always come from the shop's data (a shop without
an email gives a draft flagged `missing_email` that cannot be approved until someone types an
address). Only an approver approves; approving is one conditional UPDATE, so of two approvers
clicking at once exactly one wins. Sending (jobs/mail/) claims the row with a lease, and its
outcome is recorded in the same transaction that moves the RO's follow-up dates.

    PENDING_APPROVAL --approve--> APPROVED --claim--> SENDING --recorded--> SENT
           |  \\--reject--> REJECTED --requeue--> PENDING_APPROVAL
           |   \\--merge--> MERGED (folded into one email to the shop)
           \\<----------- FAILED --requeue-- (SENDING when the transport gave up or is uncertain)

The parts, one concept each (callers use `NotificationService`, which is made of them):
    views       State, NotificationView, Claim, Busy: what callers get
    rules       recipient and CC parsing, the RO facts a template needs (pure)
    rows        reading a draft's rows inside a session (shared by the parts below)
    drafting    draft one RO, merge drafts to one shop
    queries     get, exists, pending, list, history
    decisions   edit, approve, reject, requeue
    delivery    the send lease: claim, remember, record_sent, record_failed, release, unsent
    scheduled   the drafts the jobs make: follow-ups and overdue ROs
    service     NotificationService, the one entry point
"""
