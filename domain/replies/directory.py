"""The matching rules' lookups over the database (domain/replies/matching.py `Directory`).

Each lookup is one narrow query (the sent notifications by Message-ID, the shops by one address
or domain, the ROs by number), so matching a reply costs a handful of indexed reads whatever the
size of the desk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import String, cast, func, or_, select
from sqlalchemy.orm import Session

from domain.archive import Archive
from domain.models import Notification, NotificationRepairOrder, RepairOrder, Shop
from domain.replies.matching import RoRef, SentRef, ShopRef, domain_of, normalise_message_id

SENT_STATES = ("SENT",)
RECENT = timedelta(days=30)  # "an open RO we emailed recently"


@dataclass
class DirectoryCache:
    """Shops and their contacts as read for one page of messages (a poll), so a page of replies
    from the same few shops reads each shop and address once. Short-lived by design: a shop's
    email changed during the poll is seen from the next one."""

    shops: dict[int, ShopRef | None] = field(default_factory=dict)
    contacts: dict[str, set[int]] = field(default_factory=dict)
    domains: dict[str, list[int]] = field(default_factory=dict)


class SqlDirectory:
    def __init__(self, session: Session, now: datetime, cache: DirectoryCache | None = None):
        self.s = session
        self.now = now  # naive UTC
        cache = cache or DirectoryCache()
        self._shops = cache.shops
        self._contacts = cache.contacts
        self._domains = cache.domains

    # ---- what we sent ------------------------------------------------------------------------
    def sent_by_message_ids(self, ids: list[str]) -> list[SentRef]:
        wanted = {normalise_message_id(i) for i in ids}
        forms = [f for i in wanted for f in (i, f"<{i}>")]
        rows = self.s.scalars(
            select(Notification).where(
                or_(
                    Notification.message_id.in_(forms),
                    func.lower(Notification.message_id).in_(forms),
                )
            )
        ).all()
        return self._refs([n for n in rows if normalise_message_id(n.message_id) in wanted])

    def sent_by_conversation(self, conversation_id: str) -> list[SentRef]:
        rows = self.s.scalars(
            select(Notification).where(Notification.conversation_id == conversation_id)
        ).all()
        return self._refs(list(rows))

    def _refs(self, rows: list[Notification]) -> list[SentRef]:
        if not rows:
            return []
        numbers: dict[str, list[str]] = {}
        for nid, number in self.s.execute(
            select(NotificationRepairOrder.notification_id, NotificationRepairOrder.ro_number)
            .where(NotificationRepairOrder.notification_id.in_([n.id for n in rows]))
            .order_by(NotificationRepairOrder.ro_number)
        ):
            numbers.setdefault(nid, []).append(number)
        return [
            SentRef(
                id=n.id,
                message_id=n.message_id,
                conversation_id=n.conversation_id,
                shop_id=n.shop_id,
                to_address=(n.to_address or "").lower() or None,
                cc=tuple(a.lower() for a in (n.cc or [])),
                numbers=tuple(numbers.get(n.id, [])),
            )
            for n in rows
        ]

    # ---- shops -------------------------------------------------------------------------------
    def shop(self, shop_id: int) -> ShopRef | None:
        if shop_id not in self._shops:
            row = self.s.execute(
                select(Shop.id, Shop.name, Shop.name_key).where(Shop.id == shop_id)
            ).first()
            self._shops[shop_id] = ShopRef(*row) if row is not None else None
        return self._shops[shop_id]

    def is_contact(self, shop: ShopRef, address: str) -> bool:
        return shop.id in self._contact_shops(address.lower())

    def shops_by_address(self, address: str) -> list[ShopRef]:
        ids = self._contact_shops(address.lower())
        return [ref for ref in (self.shop(i) for i in sorted(ids)) if ref is not None]

    def _contact_shops(self, address: str) -> set[int]:
        """Shops whose email this is, or that we sent mail to at this address (to or cc).
        Addresses are stored lower-cased (domain/users.py normalize_email)."""
        if address in self._contacts:
            return self._contacts[address]
        ids = set(self.s.scalars(select(Shop.id).where(func.lower(Shop.email) == address)))
        sent = self.s.execute(
            select(Notification.shop_id, Notification.to_address, Notification.cc).where(
                Notification.state.in_(SENT_STATES),
                Notification.shop_id.is_not(None),
                or_(
                    Notification.to_address == address,
                    cast(Notification.cc, String).like(f'%"{_like(address)}"%', escape="\\"),
                ),
            )
        )
        for shop_id, to, cc in sent:
            if address in {a.lower() for a in (to, *(cc or [])) if a}:
                ids.add(shop_id)
        self._contacts[address] = ids
        return ids

    def shops_by_domain(self, domain: str) -> list[ShopRef]:
        domain = domain.lower()
        if domain not in self._domains:
            self._domains[domain] = sorted(self._domain_shops(domain))
        return [ref for ref in (self.shop(i) for i in self._domains[domain]) if ref is not None]

    def _domain_shops(self, domain: str) -> set[int]:
        pattern = f"%@{_like(domain)}"
        ids = {
            shop_id
            for shop_id, email in self.s.execute(
                select(Shop.id, Shop.email).where(func.lower(Shop.email).like(pattern, escape="\\"))
            )
            if domain_of(email) == domain
        }
        for shop_id, to in self.s.execute(
            select(Notification.shop_id, Notification.to_address).where(
                Notification.shop_id.is_not(None),
                Notification.state.in_(SENT_STATES),
                func.lower(Notification.to_address).like(pattern, escape="\\"),
            )
        ):
            if domain_of(to) == domain:
                ids.add(shop_id)
        return ids

    # ---- ROs ---------------------------------------------------------------------------------
    def ros(self, numbers: list[str]) -> dict[str, RoRef]:
        if not numbers:
            return {}
        rows = self.s.execute(
            select(
                RepairOrder.number,
                RepairOrder.id,
                RepairOrder.shop_id,
                RepairOrder.shop_key,
                RepairOrder.status,
                RepairOrder.archive,
            ).where(RepairOrder.number.in_(numbers))
        )
        return {r.number: RoRef(*r) for r in rows}

    def recently_emailed_open_ros(self, shop: ShopRef) -> list[RoRef]:
        numbers = self.s.scalars(
            select(NotificationRepairOrder.ro_number)
            .join(Notification)
            .join(RepairOrder, RepairOrder.id == NotificationRepairOrder.ro_id)
            .where(
                Notification.shop_id == shop.id,
                Notification.state.in_(SENT_STATES),
                Notification.sent_at >= self.now - RECENT,
                RepairOrder.archive == Archive.ACTIVE.value,
            )
            .distinct()
        ).all()
        found = self.ros(sorted(numbers))
        return [found[n] for n in sorted(found) if found[n].at(shop)]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
