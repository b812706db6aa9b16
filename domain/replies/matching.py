"""Which ROs a shop's reply is about, and whether to trust who sent it (#16, pure rules).

In order:
1. The thread: `In-Reply-To` / `References` naming a notification we sent (its Message-ID), or
   Graph's `conversationId` of one -> that notification's ROs ("in-reply-to" / "conversation").
2. RO numbers in the subject or the new part of the body, kept only when the RO is at the
   sender's shop ("ro-number"); an RO of another shop is FOREIGN (flag "foreign_ro"), never
   proposed.
3. The sender's shop: the thread's shop, else by address (the shop's email, or an address we
   sent to for it: to / cc), else by domain (never a free-mail domain). A sender who is not a
   known contact of the shop is flagged "unknown_sender" (a domain-only match is too); its
   proposals carry the flag. A From whose domain is not the thread's (or a message the mailbox
   found sent in another's name) is "spoofed_sender": nothing is proposed from it. A Reply-To
   elsewhere is the reader's flag "reply_to_differs", shown on the proposals.
4. A reply from a known shop naming no RO: its one open RO we emailed recently ("sender"), or
   nothing (UNMATCHED, with a note saying why).

The lookups go through a `Directory` (SQL in domain/replies/directory.py; a dict in the unit
tests), so these rules need no database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from domain.errors import InvalidInput
from domain.replies.message import ReceivedEmail
from domain.values import normalize_ro_number

FREE_MAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "mail.com",
        "zoho.com",
    }
)

IN_REPLY_TO, CONVERSATION, RO_NUMBER, SENDER = "in-reply-to", "conversation", "ro-number", "sender"
# Flags a person should see (InboundEmail.flags and every proposal's preview "flags").
UNKNOWN_SENDER, FOREIGN_RO, SPOOFED_SENDER = "unknown_sender", "foreign_ro", "spoofed_sender"


@dataclass(frozen=True)
class ShopRef:
    id: int
    name: str
    name_key: str


@dataclass(frozen=True)
class RoRef:
    number: str
    id: int
    shop_id: int | None
    shop_key: str | None
    status: str | None
    archive: str = "ACTIVE"

    def at(self, shop: ShopRef) -> bool:
        return (self.shop_id is not None and self.shop_id == shop.id) or (
            self.shop_key is not None and self.shop_key == shop.name_key
        )


@dataclass(frozen=True)
class SentRef:
    """A notification we sent: its ids (to recognise the thread), shop, recipients and ROs."""

    id: str
    message_id: str | None
    conversation_id: str | None
    shop_id: int | None
    to_address: str | None
    cc: tuple[str, ...]
    numbers: tuple[str, ...]


class Directory(Protocol):
    def sent_by_message_ids(self, ids: list[str]) -> list[SentRef]: ...

    def sent_by_conversation(self, conversation_id: str) -> list[SentRef]: ...

    def shop(self, shop_id: int) -> ShopRef | None: ...

    def is_contact(self, shop: ShopRef, address: str) -> bool:
        """The shop's email, or an address we sent to for it (to / cc)."""

    def shops_by_address(self, address: str) -> list[ShopRef]: ...

    def shops_by_domain(self, domain: str) -> list[ShopRef]: ...

    def ros(self, numbers: list[str]) -> dict[str, RoRef]: ...

    def recently_emailed_open_ros(self, shop: ShopRef) -> list[RoRef]: ...


@dataclass
class Match:
    """What the rules decided. `ros` are proposed-for (at the sender's shop); `foreign` are named
    but another shop's; `note` says why nothing matched."""

    shop: ShopRef | None = None
    matched_by: str | None = None
    ros: list[RoRef] = field(default_factory=list)
    foreign: list[RoRef] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    note: str | None = None
    known_sender: bool = False
    # The shop is the sender's (the thread, its address or its domain), not only inferred from
    # the ROs a stranger named.
    shop_from_sender: bool = False

    @property
    def matched(self) -> bool:
        return bool(self.ros)

    @property
    def from_the_shop(self) -> bool:
        """A reply that tells us the shop answered (it moves the follow-up date): matched by the
        thread or an RO number, from the shop's side, not spoofed."""
        return (
            self.matched
            and self.shop_from_sender
            and self.matched_by in (IN_REPLY_TO, CONVERSATION, RO_NUMBER)
            and SPOOFED_SENDER not in self.flags
        )

    def flag(self, name: str) -> None:
        if name not in self.flags:
            self.flags.append(name)


def normalise_message_id(value: str | None) -> str:
    """ "<ABC@host>" and " abc@host " are the same message."""
    return (value or "").strip().strip("<>").strip().lower()


def domain_of(address: str | None) -> str:
    return (address or "").rpartition("@")[2].strip().lower()


def canonical_numbers(found: Iterable[str]) -> list[str]:
    """Found RO numbers in their canonical form, once each, in order (nonsense dropped)."""
    out: list[str] = []
    for raw in found:
        try:
            number = normalize_ro_number(raw)
        except InvalidInput:
            continue
        if number not in out:
            out.append(number)
    return out


def match_reply(
    email: ReceivedEmail,
    directory: Directory,
    find_numbers: Callable[[str], list[str]],
) -> Match:
    match = Match()
    sender = (email.from_address or "").strip().lower()
    sender_domain = domain_of(sender)

    shop_candidates: list[ShopRef] = []
    # 1. the thread
    thread = _thread(email, directory)
    if thread:
        sent, match.matched_by = thread
        shop_ids = {s.shop_id for s in sent if s.shop_id is not None}
        match.shop = directory.shop(next(iter(shop_ids))) if len(shop_ids) == 1 else None
        match.shop_from_sender = match.shop is not None
        recipients = {a.lower() for s in sent for a in (s.to_address, *s.cc) if a}
        thread_domains = {domain_of(a) for a in recipients}
        if thread_domains and sender_domain not in thread_domains:
            match.flag(SPOOFED_SENDER)
        match.known_sender = sender in recipients or (
            match.shop is not None and directory.is_contact(match.shop, sender)
        )
        numbers = [n for s in sent for n in s.numbers]
        thread_ros = directory.ros(list(dict.fromkeys(numbers)))
        match.ros = [thread_ros[n] for n in dict.fromkeys(numbers) if n in thread_ros]
    else:
        candidates = directory.shops_by_address(sender) if sender else []
        match.known_sender = bool(candidates)
        if not candidates and sender_domain and sender_domain not in FREE_MAIL:
            candidates = directory.shops_by_domain(sender_domain)
        if len(candidates) == 1:
            match.shop = candidates[0]
        shop_candidates = list(candidates)
        match.shop_from_sender = bool(candidates)

    if SPOOFED_SENDER in email.flags:  # the mailbox saw it (Graph: sender != from, DMARC)
        match.flag(SPOOFED_SENDER)

    # 2. RO numbers named in the subject and the new part of the body
    named = canonical_numbers(find_numbers(f"{email.subject}\n{email.text}"))
    found = directory.ros(named) if named else {}
    named_ros = [found[n] for n in named if n in found]
    if not thread:
        if match.shop is None and shop_candidates:
            owners = [s for s in shop_candidates if any(r.at(s) for r in named_ros)]
            match.shop = owners[0] if len(owners) == 1 else None
        if match.shop is None and not shop_candidates and named_ros:
            # Nobody we know sent it: the ROs it names say which shop it claims to be.
            keys = {(r.shop_id, r.shop_key) for r in named_ros}
            if len(keys) == 1 and named_ros[0].shop_id is not None:
                match.shop = directory.shop(named_ros[0].shop_id)
    have = {r.number for r in match.ros}
    for ro in named_ros:
        if ro.number in have:
            continue
        if match.shop is not None and ro.at(match.shop):
            match.ros.append(ro)
            have.add(ro.number)
            match.matched_by = match.matched_by or RO_NUMBER
        else:
            match.foreign.append(ro)
    if match.foreign:
        match.flag(FOREIGN_RO)

    if match.shop is not None and not match.known_sender:
        match.flag(UNKNOWN_SENDER)
    if match.shop is None and not match.ros:
        match.note = _why_unmatched(sender, named, named_ros, thread is not None)
        if match.foreign:
            match.note = "It names only ROs of shops we cannot tell it comes from."
        return match

    # 4. a known shop, no RO named: its one open RO we emailed recently
    if not match.ros and match.shop is not None:
        recent = directory.recently_emailed_open_ros(match.shop)
        if len(recent) == 1 and not match.foreign:
            match.ros = recent
            match.matched_by = SENDER
        elif not recent:
            match.note = f"From {match.shop.name}, but it names no RO and none is open there."
        else:
            shown = ", ".join(r.number for r in recent[:5])
            match.note = (
                f"From {match.shop.name}, but it names no RO and {len(recent)} open ROs there "
                f"were emailed recently ({shown}): a person should pick."
            )
    return match


def _thread(email: ReceivedEmail, directory: Directory) -> tuple[list[SentRef], str] | None:
    ids = [normalise_message_id(i) for i in (email.in_reply_to, *email.references) if i]
    ids = [i for i in dict.fromkeys(ids) if i]
    if ids:
        sent = directory.sent_by_message_ids(ids)
        if sent:
            return sent, IN_REPLY_TO
    if email.conversation_id:
        sent = directory.sent_by_conversation(email.conversation_id)
        if sent:
            return sent, CONVERSATION
    return None


def _why_unmatched(sender: str, named: list[str], named_ros: list[RoRef], threaded: bool) -> str:
    if threaded:
        return "A reply to one of our emails whose ROs no longer exist."
    if named and not named_ros:
        return (
            f"From {sender or 'an unknown sender'}: names RO(s) {', '.join(named)} we do not have."
        )
    if named_ros:
        return f"From {sender or 'an unknown sender'}: names ROs of several shops."
    return f"From {sender or 'an unknown sender'}: not a shop we know, and no RO named."
