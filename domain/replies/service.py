"""Ingesting a shop's reply: stored once, matched, read, and turned into proposals (#16).

    result = app.replies.ingest(incoming, source="folder")

`ingest` is idempotent by the message's key (a hash of its internetMessageId; a unique index): a
second delivery, or two workers taking the same message at once, end with one email row — the
loser reads the winner's back. It runs in three steps so no write transaction waits on a reader
(a model call takes seconds, and SQLite has one writer):

1. reads only: stored already? Match it to ROs (domain/replies/matching.py; the shops and their
   contacts cached for a poll's page), read what the shop said (the injected reader: the offline
   rules, or Claude when a key is configured), check and read its attachments (#15);
2. keep the raw message (content-addressed, so a retry stores nothing twice);
3. one transaction: the RO's next follow-up moved (the shop answered), the attachments filed on
   the RO, then the email row, one `InboundEmailRo` per RO named and a proposal (an `Approval`
   row as domain/replies/proposal.py documents) per RO with something to change. A crash
   anywhere before the commit leaves nothing, so the next delivery starts afresh; an RO changed
   meanwhile (a stale version) makes it decide again on the RO as it is.

Nothing here changes an RO's facts: a person confirms a proposal (the durable command path).
A reply that tries to give instructions, or whose sender looks spoofed, proposes nothing and is
FLAGGED for a person; an unknown sender's proposals carry the flag where the person decides.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from domain.documents.service import Checked, DocumentService
from domain.email_templates import ro_label
from domain.errors import InvalidInput, NotFound, RoTrackerError, StaleVersion
from domain.local_time import iso_local, local_time, readable
from domain.models import Approval, InboundEmail, InboundEmailRo, RepairOrder, utcnow
from domain.models.chat import new_id
from domain.previews import shown
from domain.repair_orders import RepairOrderService
from domain.replies.directory import DirectoryCache, SqlDirectory
from domain.replies.facts import ReplyFacts
from domain.replies.matching import Match, RoRef, match_reply, normalise_message_id
from domain.replies.message import ReceivedEmail
from domain.replies.proposal import (
    INBOX_THREAD,
    PROPOSAL_OPERATION,
    PROPOSAL_TOOL,
    REPLY_REQUESTER,
    SOURCE,
    proposal_key,
)
from domain.roles import SYSTEM
from domain.statuses import Status, allowed_next, try_parse_status
from domain.unit_of_work import OneTransaction
from domain.values import parse_date

log = logging.getLogger(__name__)

REPLY_ACTOR = dataclasses.replace(SYSTEM, source=SOURCE)
INSTRUCTIONS = "instructions"
AUTO_REPLY = "auto_reply"  # an out-of-office answer: not the shop answering (no follow-up move)
# A person must look before anything is proposed from a reply carrying one of these.
BLOCKING_FLAGS = (INSTRUCTIONS, "spoofed_sender")
# InboundEmail.state
PROPOSED, NOTHING, UNMATCHED, FLAGGED = "PROPOSED", "NOTHING", "UNMATCHED", "FLAGGED"
FOREIGN = "FOREIGN"  # InboundEmailRo.state of another shop's RO
MAX_REFERENCES = 50
ATTEMPTS = 3  # an RO changed under the transaction: match and read again
_QUOTING = (Status.TO_SEND, Status.WAITING_QUOTE)  # an amount without a kind is a quote here


@dataclass(frozen=True)
class ReplyReaders:
    """What reads a reply, given by the composition root: the offline rules or the model.

    find_numbers(text) -> RO numbers in any spelling; read(text, numbers, today) -> facts per
    RO number, or a reading with `.facts`, `.flags` and `.reader` (domain/replies/rules.py
    `ReplyReading`: the model reader says when it fell back to the rules);
    looks_like_instructions(text) -> the reply tries to instruct us."""

    find_numbers: Callable[[str], list[str]]
    read: Callable[[str, list[str], date], Any]
    looks_like_instructions: Callable[[str], bool]
    name: str = "rules"


class RawStore(Protocol):
    def put(self, content: bytes) -> str:
        """Keep `content` (content-addressed, idempotent); answer where it is."""


class Delivered(Protocol):
    """A message from a mailbox (integrations/mail/inbox.py `Incoming`)."""

    email: ReceivedEmail
    provider_id: str
    raw: bytes | None


@dataclass(frozen=True)
class IngestResult:
    email_id: int
    already: bool  # the message was ingested before: nothing was done now
    state: str  # PROPOSED, NOTHING, UNMATCHED, FLAGGED
    matched_by: str | None
    numbers: list[str]  # the ROs it is about (FOREIGN ones included)
    proposals: list[str]  # approval ids
    flags: list[str]
    note: str | None = None


@dataclass(frozen=True)
class InboxEntry:
    id: int
    received_at: datetime  # naive UTC
    received_local: str  # "Nov 20, 09:12 EST"
    from_address: str
    shop_name: str | None
    subject: str
    state: str
    matched_by: str | None
    flags: list[str]
    ros: dict[str, str]  # RO number -> PROPOSED, NOTHING, FOREIGN, CONFIRMED, DISMISSED
    note: str | None


@dataclass
class _Plan:
    """Everything step 3 writes, decided before the transaction where it can be."""

    match: Match
    facts: dict[str, ReplyFacts] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    stored: IngestResult | None = None  # ingested before
    reader: str | None = None  # which reader read it, when it says (the model may fall back)
    attachments: list[tuple[Checked, bytes]] = field(default_factory=list)  # to file

    @property
    def blocked(self) -> bool:
        return any(f in self.flags for f in BLOCKING_FLAGS)


def message_key(internet_message_id: str) -> str:
    return hashlib.sha256(normalise_message_id(internet_message_id).encode()).hexdigest()


class ReplyService:
    def __init__(
        self,
        transaction: Callable[[], OneTransaction],
        repair_orders: RepairOrderService,
        documents: DocumentService,
        reading: ReplyReaders,
        today: Callable[[], date],
        tz: tzinfo,
        raw_store: RawStore | None = None,
    ):
        self._transaction = transaction
        self.repair_orders = repair_orders
        self.documents = documents
        self.reading = reading
        self.today = today
        self.tz = tz
        self.raw_store = raw_store

    # ---- reading ------------------------------------------------------------------------------
    def find(self, internet_message_id: str) -> IngestResult | None:
        """The stored result for this message, if it was ingested."""
        return self._stored(message_key(internet_message_id))

    def recent(self, limit: int = 50) -> list[InboxEntry]:
        """The latest received messages, newest first, with the ROs each is about."""
        limit = max(1, min(int(limit), 500))
        tx = self._transaction()
        with tx:
            emails = tx.session.scalars(
                select(InboundEmail)
                .order_by(InboundEmail.received_at.desc(), InboundEmail.id.desc())
                .limit(limit)
            ).all()
            links: dict[int, list[InboundEmailRo]] = {}
            if emails:
                for link in tx.session.scalars(
                    select(InboundEmailRo).where(
                        InboundEmailRo.email_id.in_([e.id for e in emails])
                    )
                ):
                    links.setdefault(link.email_id, []).append(link)
            return [
                InboxEntry(
                    id=e.id,
                    received_at=e.received_at,
                    received_local=readable(e.received_at, self.tz),
                    from_address=e.from_address,
                    shop_name=e.shop_name,
                    subject=e.subject,
                    state=e.state,
                    matched_by=e.matched_by,
                    flags=list(e.flags or []),
                    ros={r.ro_number: r.state for r in links.get(e.id, [])},
                    note=e.note,
                )
                for e in emails
            ]

    def _stored(self, key: str) -> IngestResult | None:
        tx = self._transaction()
        with tx:
            return _stored_result(tx.session, key)

    # ---- ingesting ----------------------------------------------------------------------------
    def ingest(
        self, incoming: Delivered, source: str, *, cache: DirectoryCache | None = None
    ) -> IngestResult:
        """Store, match, read and propose one message, once. `cache`: shared by the messages of
        one page (a poll), so each shop and address is looked up once per page."""
        email = incoming.email
        key = message_key(email.internet_message_id)
        raw_location = raw_sha = None
        raw_size = 0
        for attempt in range(ATTEMPTS):
            plan = self._plan(email, key, cache)
            if plan.stored is not None:  # delivered before: nothing to do
                return plan.stored
            if incoming.raw is not None and raw_sha is None:
                raw_sha = hashlib.sha256(incoming.raw).hexdigest()
                raw_size = len(incoming.raw)
                if self.raw_store is not None:
                    raw_location = self.raw_store.put(incoming.raw)
            try:
                return self._write(
                    plan, email, key, source, incoming.provider_id, raw_location, raw_sha, raw_size
                )
            except IntegrityError:
                done = self._stored(key)
                if done is not None:  # another worker stored it meanwhile
                    return done
                raise
            except StaleVersion:  # an RO changed under us: decide again on what it is now
                if attempt == ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _plan(self, email: ReceivedEmail, key: str, cache: DirectoryCache | None) -> _Plan:
        tx = self._transaction()
        with tx:
            stored = _stored_result(tx.session, key)
            if stored is not None:
                return _Plan(Match(), stored=stored)
            directory = SqlDirectory(tx.session, utcnow(), cache)
            match = match_reply(email, directory, self.reading.find_numbers)
        plan = _Plan(match)
        for flag in (*email.flags, *match.flags):
            if flag not in plan.flags:
                plan.flags.append(flag)
        if INSTRUCTIONS not in plan.flags and self.reading.looks_like_instructions(email.text):
            plan.flags.append(INSTRUCTIONS)
        if match.ros and not plan.blocked:
            numbers = [r.number for r in match.ros]
            # "shipped today" means the day the shop wrote it (the desk's date of the message),
            # not the day it is read: a reply read the next morning must not move dates
            written_on = min(local_time(email.received_at, self.tz).date(), self.today())
            reading = self.reading.read(email.text, numbers, written_on)
            if isinstance(reading, dict):
                plan.facts = reading
            else:
                plan.facts = dict(reading.facts)
                plan.reader = getattr(reading, "reader", None) or self.reading.name
                for flag in getattr(reading, "flags", ()):
                    _add(plan.flags, flag)
            if plan.blocked:  # the reader found instructions: nothing read is used
                plan.facts = {}
        self._check_attachments(plan, email)
        return plan

    def _write(
        self,
        plan: _Plan,
        email: ReceivedEmail,
        key: str,
        source: str,
        provider_id: str,
        raw_location: str | None,
        raw_sha: str | None,
        raw_size: int,
    ) -> IngestResult:
        """Everything decided first (the ROs as they are in this transaction), then each row
        written once: the email row's insert is the idempotency check (unique message_key)."""
        match = plan.match
        tx = self._transaction()
        with tx:
            s = tx.session
            if match.from_the_shop and not plan.blocked and AUTO_REPLY not in plan.flags:
                # the shop answered: don't chase tomorrow (also loads the ROs decided on below)
                self.repair_orders.using(lambda: tx).record_reply(
                    REPLY_ACTOR, [r.number for r in match.ros], f"Reply: {email.subject}"
                )
            filed = self._file_attachments(tx, plan)
            decided = [
                (ref, self._decide(tx, ref, plan, email, filed.get(ref.number, [])))
                for ref in match.ros
            ]
            state = UNMATCHED
            if plan.blocked:
                state = FLAGGED
            elif any(isinstance(d, dict) for _, d in decided):
                state = PROPOSED
            elif match.ros:
                state = NOTHING
            row = InboundEmail(
                message_key=key,
                internet_message_id=email.internet_message_id[:1000],
                source=source[:20],
                provider_id=(provider_id or "")[:500] or None,
                conversation_id=(email.conversation_id or "")[:500] or None,
                in_reply_to=(email.in_reply_to or "")[:1000] or None,
                references=[r[:1000] for r in email.references[:MAX_REFERENCES]],
                from_address=email.from_address[:320],
                from_name=(email.from_name or "")[:200] or None,
                subject=email.subject[:500],
                received_at=email.received_at,
                body_text=email.text,
                raw_location=raw_location,
                raw_sha256=raw_sha,
                raw_size=raw_size,
                shop_id=match.shop.id if match.shop else None,
                shop_name=match.shop.name if match.shop else None,
                matched_by=match.matched_by,
                flags=list(plan.flags),
                facts={n: f.model_dump(mode="json") for n, f in plan.facts.items()} or None,
                reader=(plan.reader or self.reading.name) if plan.facts else None,
                state=state,
                note=match.note[:500] if match.note else None,
                processed_at=utcnow(),
            )
            s.add(row)
            s.flush()  # a second delivery of this message stops here (unique message_key)
            for ro in match.foreign:
                s.add(
                    InboundEmailRo(
                        email_id=row.id,
                        ro_number=ro.number,
                        ro_id=ro.id,
                        state=FOREIGN,
                        reason="An RO of another shop than the sender's: nothing proposed.",
                    )
                )
            proposals: list[str] = []
            for ref, decision in decided:
                approval_id, reason = None, decision if isinstance(decision, str) else None
                if isinstance(decision, dict):
                    approval_id = self._proposal(tx, row.id, ref.number, decision)
                    proposals.append(approval_id)
                s.add(
                    InboundEmailRo(
                        email_id=row.id,
                        ro_number=ref.number,
                        ro_id=ref.id,
                        state=PROPOSED if approval_id else NOTHING,
                        approval_id=approval_id,
                        reason=reason,
                    )
                )
            tx.commit()
            return IngestResult(
                email_id=row.id,
                already=False,
                state=row.state,
                matched_by=row.matched_by,
                numbers=[r.number for r in (*match.foreign, *match.ros)],
                proposals=proposals,
                flags=list(plan.flags),
                note=row.note,
            )

    # ---- proposals ----------------------------------------------------------------------------
    def _decide(
        self,
        tx: OneTransaction,
        ref: RoRef,
        plan: _Plan,
        email: ReceivedEmail,
        documents: list[dict[str, Any]],
    ) -> dict[str, Any] | str:
        """For one RO of the reply: the proposal's preview and changes, or why there is none."""
        if plan.blocked:
            which = ", ".join(f for f in plan.flags if f in BLOCKING_FLAGS)
            return f"Flagged ({which}): a person should read it; nothing proposed."
        facts = plan.facts.get(ref.number)
        if facts is None or not facts.actionable():
            return "Nothing to change in what the shop said."
        ro = tx.session.get(RepairOrder, ref.id)
        if ro is None:
            return "The RO no longer exists."
        changes, evidence, skipped = proposed_changes(ro, facts)
        if not changes:
            reason = "The RO already says what the shop said."
            if skipped:
                reason = "Not proposed: " + "; ".join(skipped)
            return reason[:500]
        received = local_time(email.received_at, self.tz)
        shop = plan.match.shop.name if plan.match.shop else email.from_address
        preview = {
            "title": f"{shop} replied about RO {ro_label(ro.number)} at {received:%H:%M}",
            "changes": [[k, now, new] for k, now, new in changes],
            "note": facts.summary or None,
            "evidence": evidence,
            "flags": list(plan.flags),
            "email_id": None,  # set once the email row has its id
            "from": email.from_address,
            "received_at": iso_local(email.received_at, self.tz),
        }
        if skipped:
            preview["not_proposed"] = skipped
        if documents:
            preview["documents"] = documents
        return {"preview": preview, "changes": {name: new for name, _, new in changes}}

    @staticmethod
    def _proposal(tx: OneTransaction, email_id: int, number: str, decided: dict) -> str:
        """The proposal's `Approval` row, as domain/replies/proposal.py documents it."""
        approval = Approval(
            id=new_id(),
            thread_id=INBOX_THREAD,
            tool_call_id=proposal_key(email_id, number),
            tool_name=PROPOSAL_TOOL,
            operation=PROPOSAL_OPERATION,
            args={"email_id": email_id, "number": number, "changes": decided["changes"]},
            preview={**decided["preview"], "email_id": email_id},
            requested_by=REPLY_REQUESTER,
            ro_number=number,
            expected_version=None,
        )
        tx.session.add(approval)
        return approval.id

    # ---- attachments --------------------------------------------------------------------------
    def _check_attachments(self, plan: _Plan, email: ReceivedEmail) -> None:
        """Which RO each attachment is for (the reply's one RO, or the RO its name says), checked
        and read as #15 reads a file — before the write transaction, so a slow read (OCR) never
        holds the database's write lock. Too large, refused or of unclear RO: flagged, not filed;
        the raw message keeps it, so nothing is lost."""
        ros = plan.match.ros
        for attachment in email.attachments:
            if attachment.content is None:
                _add(plan.flags, "oversize_attachment")
                continue
            if plan.blocked:
                _add(plan.flags, "attachment_not_filed")
                continue
            targets = ros if len(ros) == 1 else [r for r in ros if _names(attachment.name, r)]
            if len(targets) != 1:
                _add(plan.flags, "attachment_not_filed")
                continue
            try:
                checked = self.documents.check(
                    targets[0].number, attachment.name, attachment.content
                )
            except (InvalidInput, NotFound) as exc:
                log.info("attachment %s of a reply not filed: %s", attachment.name, exc)
                _add(plan.flags, "attachment_refused")
                continue
            plan.attachments.append((checked, attachment.content))

    def _file_attachments(self, tx: OneTransaction, plan: _Plan) -> dict[str, list[dict]]:
        """File the checked attachments on their ROs (#15), in the message's transaction."""
        filed: dict[str, list[dict[str, Any]]] = {}
        documents = self.documents.using(lambda: tx)
        for checked, content in plan.attachments:
            try:
                done = documents.file(REPLY_ACTOR, checked, content)
            except (InvalidInput, NotFound) as exc:
                log.info("attachment %s of a reply not filed: %s", checked.name, exc)
                _add(plan.flags, "attachment_refused")
                continue
            doc = done.document
            filed.setdefault(checked.ro_number, []).append(
                {
                    "document_id": doc.id,
                    "name": doc.name,
                    "kind": doc.kind,
                    "certificate": done.match.describe() if done.match else None,
                }
            )
        return filed


def _stored_result(session: Session, key: str) -> IngestResult | None:
    row = session.scalar(select(InboundEmail).where(InboundEmail.message_key == key))
    if row is None:
        return None
    ros = session.scalars(select(InboundEmailRo).where(InboundEmailRo.email_id == row.id)).all()
    return IngestResult(
        email_id=row.id,
        already=True,
        state=row.state,
        matched_by=row.matched_by,
        numbers=[r.ro_number for r in ros],
        proposals=[r.approval_id for r in ros if r.approval_id],
        flags=list(row.flags or []),
        note=row.note,
    )


def proposed_changes(
    ro: RepairOrder, facts: ReplyFacts
) -> tuple[list[tuple[str, str, str]], dict[str, str], list[str]]:
    """What the shop's facts would change on `ro`, as it is now: (field, now, proposed) for
    fields that differ, the sentence behind each, and what was left out and why."""
    changes: list[tuple[str, str, str]] = []
    evidence: dict[str, str] = {}
    skipped: list[str] = []

    def add(name: str, now: Any, new: Any, sentence: str) -> None:
        if shown(now) != shown(new):
            changes.append((name, shown(now), shown(new)))
            evidence[name] = sentence

    if facts.status is not None:
        new = try_parse_status(facts.status.value)
        current = try_parse_status(ro.status)
        if new is None:
            skipped.append(f"status {facts.status.value!r} is not one we know")
        elif new != current:
            if new in allowed_next(current):
                add("status", ro.status, new.value, facts.status.sentence)
            else:
                skipped.append(f"status {new.value}: an RO in {ro.status} cannot move there")
    if facts.tracking_number is not None:
        number = facts.tracking_number.value.strip()
        if number and number.upper() not in (ro.tracking_number or "").upper():
            add("tracking_number", ro.tracking_number, number, facts.tracking_number.sentence)
    if facts.eta is not None:
        try:
            eta = parse_date(facts.eta.value, field="ETA")
        except RoTrackerError:
            eta = None
            skipped.append(f"ETA {facts.eta.value!r} is not a date")
        if eta is not None:
            add("estimated_delivery", ro.estimated_delivery, eta.isoformat(), facts.eta.sentence)
    if facts.amount is not None:
        _amount(ro, facts, add, skipped)
    if facts.shop_reference is not None:
        ref = facts.shop_reference.value.strip()[:100]
        if ref:
            add("shop_ref", ro.shop_ref, ref, facts.shop_reference.sentence)
    return changes, evidence, skipped


def _amount(ro: RepairOrder, facts: ReplyFacts, add: Callable, skipped: list[str]) -> None:
    assert facts.amount is not None
    currency = (facts.currency.value if facts.currency else "USD").upper()
    if currency != "USD":
        skipped.append(f"amount {facts.amount.value} {currency}: not in USD, convert by hand")
        return
    try:
        amount = Decimal(facts.amount.value.replace(",", "")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        skipped.append(f"amount {facts.amount.value!r} is not a number")
        return
    kind = facts.amount_kind.value if facts.amount_kind else None
    if kind is None and try_parse_status(ro.status) in (None, *_QUOTING):
        kind = "quote"
    if kind == "invoice":
        add("final_cost", ro.final_cost, f"{amount:.2f}", facts.amount.sentence)
    elif kind == "quote":
        add("estimated_cost", ro.estimated_cost, f"{amount:.2f}", facts.amount.sentence)
    else:
        skipped.append(f"amount {amount}: neither a quote nor an invoice")


def _add(flags: list[str], flag: str) -> None:
    if flag not in flags:
        flags.append(flag)


def _names(file_name: str, ro: RoRef) -> bool:
    text = file_name.upper()
    return ro.number.upper() in text
