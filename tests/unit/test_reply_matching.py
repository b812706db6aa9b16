"""Matching a shop's reply to ROs (#16): the thread first, then RO numbers restricted to the
sender's shop, then the shop by address or domain; flags for unknown, spoofed and foreign."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from domain.replies.matching import (
    CONVERSATION,
    FOREIGN_RO,
    IN_REPLY_TO,
    RO_NUMBER,
    SENDER,
    SPOOFED_SENDER,
    UNKNOWN_SENDER,
    RoRef,
    SentRef,
    ShopRef,
    canonical_numbers,
    match_reply,
    normalise_message_id,
)
from domain.replies.message import ReceivedEmail

AVTECH = ShopRef(1, "Avtech Hydraulics", "AVTECH HYDRAULICS")
BETA = ShopRef(2, "Beta Aero", "BETA AERO")
CONTACTS = {1: {"repairs@avtech.com", "cc@avtech.com"}, 2: {"ops@beta-aero.com"}}
ROS = {
    "38462": RoRef("38462", 10, 1, "AVTECH HYDRAULICS", "IN WORK"),
    "38463": RoRef("38463", 11, 1, "AVTECH HYDRAULICS", "WAITING QUOTE"),
    "38470": RoRef("38470", 12, 2, "BETA AERO", "IN WORK"),
}
SENT = SentRef(
    "n1",
    "<abc123@genthrust.local>",
    "conv-1",
    1,
    "repairs@avtech.com",
    ("cc@avtech.com",),
    ("38462",),
)


@dataclass
class FakeDirectory:
    sent: list[SentRef] = field(default_factory=lambda: [SENT])
    shops: list[ShopRef] = field(default_factory=lambda: [AVTECH, BETA])
    ros_: dict[str, RoRef] = field(default_factory=lambda: dict(ROS))
    recent: dict[int, list[str]] = field(default_factory=dict)
    contacts: dict[int, set[str]] = field(default_factory=lambda: dict(CONTACTS))

    def sent_by_message_ids(self, ids):
        return [s for s in self.sent if normalise_message_id(s.message_id) in ids]

    def sent_by_conversation(self, conversation_id):
        return [s for s in self.sent if s.conversation_id == conversation_id]

    def shop(self, shop_id):
        return next((s for s in self.shops if s.id == shop_id), None)

    def is_contact(self, shop, address):
        return address in self.contacts.get(shop.id, ())

    def shops_by_address(self, address):
        return [s for s in self.shops if address in self.contacts.get(s.id, ())]

    def shops_by_domain(self, domain):
        return [
            s
            for s in self.shops
            if any(a.endswith("@" + domain) for a in self.contacts.get(s.id, ()))
        ]

    def ros(self, numbers):
        return {n: self.ros_[n] for n in numbers if n in self.ros_}

    def recently_emailed_open_ros(self, shop):
        return [self.ros_[n] for n in self.recent.get(shop.id, [])]


def find_numbers(text: str) -> list[str]:
    return re.findall(r"\bG?(\d{5})\b", text)


def email(**kw) -> ReceivedEmail:
    values = {
        "internet_message_id": "<reply-1@avtech.com>",
        "from_address": "repairs@avtech.com",
        "from_name": "Avtech",
        "subject": "Re: Repair Status",
        "received_at": datetime(2026, 11, 20, 14, 12),
        "text": "Shipped today.",
    }
    values.update(kw)
    return ReceivedEmail(**values)


def test_in_reply_to_our_message_gives_its_ros_and_shop():
    m = match_reply(email(in_reply_to="<ABC123@genthrust.local>"), FakeDirectory(), find_numbers)
    assert (m.matched_by, [r.number for r in m.ros], m.shop) == (IN_REPLY_TO, ["38462"], AVTECH)
    assert m.flags == [] and m.known_sender and m.from_the_shop


def test_references_and_then_conversation_id():
    m = match_reply(
        email(references=("<x@y>", "abc123@genthrust.local")), FakeDirectory(), find_numbers
    )
    assert m.matched_by == IN_REPLY_TO
    m = match_reply(email(conversation_id="conv-1"), FakeDirectory(), find_numbers)
    assert (m.matched_by, [r.number for r in m.ros]) == (CONVERSATION, ["38462"])


def test_an_address_we_sent_to_in_cc_is_a_known_contact():
    m = match_reply(
        email(from_address="cc@avtech.com", in_reply_to="<abc123@genthrust.local>"),
        FakeDirectory(),
        find_numbers,
    )
    assert UNKNOWN_SENDER not in m.flags


def test_thread_reply_from_another_domain_is_spoofed():
    m = match_reply(
        email(from_address="repairs@avtech.co", in_reply_to="<abc123@genthrust.local>"),
        FakeDirectory(),
        find_numbers,
    )
    assert SPOOFED_SENDER in m.flags and UNKNOWN_SENDER in m.flags
    assert not m.from_the_shop


def test_a_message_the_mailbox_found_sent_in_anothers_name_is_spoofed():
    m = match_reply(email(flags=("spoofed_sender",)), FakeDirectory(), find_numbers)
    assert SPOOFED_SENDER in m.flags and not m.from_the_shop
    m = match_reply(email(flags=("reply_to_differs",)), FakeDirectory(), find_numbers)
    assert m.flags == []  # shown on the proposals by the service, not a reason to block


@pytest.mark.parametrize("subject", ["RO# G38463 quote", "Re: G38463", "about 38463"])
def test_ro_number_in_any_spelling_at_the_senders_shop(subject):
    m = match_reply(email(subject=subject), FakeDirectory(), find_numbers)
    assert (m.matched_by, [r.number for r in m.ros]) == (RO_NUMBER, ["38463"])
    assert m.flags == []


def test_thread_plus_another_ro_of_the_same_shop_named_in_the_body():
    m = match_reply(
        email(in_reply_to="<abc123@genthrust.local>", text="Also G38463 is quoted."),
        FakeDirectory(),
        find_numbers,
    )
    assert [r.number for r in m.ros] == ["38462", "38463"]
    assert m.matched_by == IN_REPLY_TO


def test_an_ro_of_another_shop_is_foreign_never_proposed():
    m = match_reply(email(text="G38462 shipped; G38470 too."), FakeDirectory(), find_numbers)
    assert [r.number for r in m.ros] == ["38462"]
    assert [r.number for r in m.foreign] == ["38470"]
    assert FOREIGN_RO in m.flags


def test_only_foreign_ros_named_matches_nothing():
    m = match_reply(email(text="G38470 shipped"), FakeDirectory(), find_numbers)
    assert m.ros == [] and [r.number for r in m.foreign] == ["38470"]
    assert FOREIGN_RO in m.flags and m.note


def test_domain_only_is_an_unknown_sender_with_proposals_allowed():
    m = match_reply(
        email(from_address="jane@avtech.com", text="G38462 shipped"), FakeDirectory(), find_numbers
    )
    assert m.shop == AVTECH and [r.number for r in m.ros] == ["38462"]
    assert UNKNOWN_SENDER in m.flags and not m.known_sender
    assert m.from_the_shop  # an RO number and the shop's domain: the shop answered


@pytest.mark.parametrize("domain", ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com"])
def test_free_mail_domains_never_identify_a_shop(domain):
    directory = FakeDirectory(
        shops=[ShopRef(3, "Gee Shop", "GEE SHOP")], contacts={3: {f"gee@{domain}"}}
    )
    m = match_reply(email(from_address=f"someone@{domain}", text="hello"), directory, find_numbers)
    assert m.shop is None and m.ros == [] and m.note


def test_unknown_sender_naming_one_shops_ro_is_flagged():
    m = match_reply(
        email(from_address="x@gmail.com", text="G38462 shipped"), FakeDirectory(), find_numbers
    )
    assert [r.number for r in m.ros] == ["38462"] and m.shop == AVTECH
    assert UNKNOWN_SENDER in m.flags
    assert not m.from_the_shop  # a stranger naming an RO: the follow-up date stays


def test_known_shop_no_ro_named_uses_its_one_recently_emailed_open_ro():
    directory = FakeDirectory(recent={1: ["38463"]})
    m = match_reply(email(text="It shipped this morning."), directory, find_numbers)
    assert (m.matched_by, [r.number for r in m.ros]) == (SENDER, ["38463"])
    assert not m.from_the_shop  # only by sender: the follow-up date is not moved


def test_known_shop_several_open_ros_is_unmatched_with_a_note():
    directory = FakeDirectory(recent={1: ["38462", "38463"]})
    m = match_reply(email(text="It shipped."), directory, find_numbers)
    assert m.ros == [] and "2 open ROs" in m.note


def test_unknown_number_is_unmatched():
    m = match_reply(
        email(from_address="x@nowhere.org", text="G99999 shipped"), FakeDirectory(), find_numbers
    )
    assert m.ros == [] and "99999" in m.note


def test_canonical_numbers_drop_nonsense_and_repeats():
    assert canonical_numbers(["G38462", "38462", "RO# G38463", "!!"]) == ["38462", "38463"]
