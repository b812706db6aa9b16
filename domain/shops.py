"""The shop directory: find shops (with close matches), show one with its open ROs and a
scorecard, and change its email, contact, phone or payment terms with an audit trail.

A shop is named the way people write it ("Avtech", "avtech hydraulics"): `resolve` takes the
exact name first, then the one shop whose name contains the text, and otherwise refuses with the
closest names. Every change is previewed (old -> new) and applied with the values the person saw,
so an edit made meanwhile is refused, not overwritten. Saving an email also fills it in on the
shop's drafts still waiting without one, so drafting again picks it up.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain import previews
from domain.archive import Archive
from domain.errors import Conflict, InvalidInput, NotFound
from domain.models import Notification, RepairOrder, Shop, ShopChange
from domain.notifications.views import State
from domain.repair_orders import shop_key
from domain.roles import Actor, Role
from domain.shop_match import name_words
from domain.statuses import Status
from domain.unit_of_work import UnitOfWorkFactory
from domain.users import normalize_email
from domain.values import clean_text

# What a person may change from the chat: argument name -> (column, max length).
EDITABLE: dict[str, tuple[str, int]] = {
    "email": ("email", 320),
    "contact": ("contact", 200),
    "phone": ("phone", 60),
    "terms": ("payment_terms", 60),
}
ALIASES = {"payment_terms": "terms", "contact_name": "contact", "telephone": "phone"}
MAX_LIST = 200
MAX_OPEN_SHOWN = 50
SHOP_OUTCOMES = (Status.BER, Status.RAI, Status.SCRAP)  # ends worth a shop's scorecard


class ShopView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    email: str | None
    contact: str | None
    phone: str | None
    payment_terms: str | None
    city: str | None = None
    state: str | None = None
    country: str | None = None


def close_names(session: Session, text: str | None, n: int = 3) -> list[str]:
    """The shop names closest to `text`, whole or word by word ("avtek" -> "Avtech
    Hydraulics"). The shops table is small; only names are read."""
    key = shop_key(text) or ""
    scored = []
    for name in session.scalars(select(Shop.name)):
        candidate = shop_key(name) or ""
        words = [candidate, *candidate.split()]
        score = max(difflib.SequenceMatcher(None, key, w).ratio() for w in words)
        if score >= 0.6:
            scored.append((-score, name))
    return [name for _, name in sorted(scored)[:n]]


def no_such_shop(session: Session, text: str) -> NotFound:
    suggestions = close_names(session, text)
    hint = f" Did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
    return NotFound(f"There is no shop called {str(text)[:60]!r}.{hint}")


def _like(key: str) -> str:
    return "%" + key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def resolve(session: Session, name: object) -> Shop:
    """The shop a person means: exact name, else the only one containing the text."""
    text = clean_text(name, field="shop", max_chars=200)
    if not text:
        raise InvalidInput("Give the shop's name.")
    key = shop_key(text)
    exact = session.scalar(select(Shop).where(Shop.name_key == key))
    if exact is not None:
        return exact
    found = list(
        session.scalars(
            select(Shop)
            .where(Shop.name_key.like(_like(key), escape="\\"))
            .order_by(Shop.name)
            .limit(6)
        )
    )
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(s.name for s in found[:5])
        raise InvalidInput(f"{text!r} matches several shops ({names}); which one?")
    raise no_such_shop(session, text)


class ShopService:
    def __init__(self, uow: UnitOfWorkFactory, today: Callable[[], date]):
        self._uow = uow
        self.today = today

    def using(self, uow: UnitOfWorkFactory) -> ShopService:
        return ShopService(uow, self.today)

    # ---- reading -------------------------------------------------------------------------
    def search(self, query: str | None = None, limit: int = 50) -> dict[str, Any]:
        """Shops whose name contains `query` (all without it), with their open-RO counts;
        when none matches, the closest names."""
        if not 1 <= int(limit) <= MAX_LIST:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIST}.")
        text = clean_text(query, field="shop", max_chars=200)
        open_counts = (
            select(RepairOrder.shop_key, func.count().label("n"))
            .where(RepairOrder.archive == Archive.ACTIVE.value)
            .group_by(RepairOrder.shop_key)
            .subquery()
        )
        stmt = select(Shop, func.coalesce(open_counts.c.n, 0)).outerjoin(
            open_counts, open_counts.c.shop_key == Shop.name_key
        )
        if text:
            stmt = stmt.where(Shop.name_key.like(_like(shop_key(text)), escape="\\"))
        with self._uow() as uow:
            s = uow.session
            total = s.scalar(select(func.count()).select_from(stmt.subquery())) or 0
            rows = s.execute(stmt.order_by(Shop.name).limit(int(limit))).all()
            items = [
                {**ShopView.model_validate(shop).model_dump(), "open_ros": int(n)}
                for shop, n in rows
            ]
            suggestions = close_names(s, text) if text and not total else []
        return {"query": text, "total": total, "items": items, "did_you_mean": suggestions}

    def get(self, name: object) -> dict[str, Any]:
        """One shop: its record, open ROs (most urgent first), scorecard, recent changes."""
        today = self.today()
        with self._uow() as uow:
            s = uow.session
            shop = resolve(s, name)
            key = shop.name_key
            mine = RepairOrder.shop_key == key
            active = RepairOrder.archive == Archive.ACTIVE.value
            open_rows = s.execute(
                select(
                    RepairOrder.number,
                    RepairOrder.status,
                    RepairOrder.status_date,
                    RepairOrder.part_number,
                    RepairOrder.next_update,
                )
                .where(mine, active)
                .order_by(RepairOrder.next_update.is_(None), RepairOrder.next_update)
            ).all()
            by_archive = dict(
                s.execute(
                    select(RepairOrder.archive, func.count())
                    .where(mine, RepairOrder.archive != Archive.ACTIVE.value)
                    .group_by(RepairOrder.archive)
                ).all()
            )
            outcomes = dict(
                s.execute(
                    select(RepairOrder.status, func.count())
                    .where(mine, RepairOrder.status.in_([o.value for o in SHOP_OUTCOMES]))
                    .group_by(RepairOrder.status)
                ).all()
            )
            changes = s.scalars(
                select(ShopChange)
                .where(ShopChange.shop_id == shop.id)
                .order_by(ShopChange.id.desc())
                .limit(10)
            ).all()
            view = ShopView.model_validate(shop).model_dump()
            recent = [
                {
                    "at": c.at.isoformat(timespec="seconds"),
                    "field": c.field,
                    "old": c.old_value,
                    "new": c.new_value,
                    "by": c.actor,
                }
                for c in changes
            ]
        return {
            "shop": view,
            "open_ros": [
                {
                    "number": number,
                    "status": status,
                    "status_date": since.isoformat() if since else None,
                    "part_number": part,
                    "next_update": nxt.isoformat() if nxt else None,
                    "is_overdue": nxt is not None and nxt < today,
                }
                for number, status, since, part, nxt in open_rows[:MAX_OPEN_SHOWN]
            ],
            "scorecard": scorecard(
                [(status, since, nxt) for _, status, since, _, nxt in open_rows],
                by_archive,
                outcomes,
                today,
            ),
            "recent_changes": recent,
        }

    # ---- changing ------------------------------------------------------------------------
    def preview_update(self, name: object, changes: Mapping[str, Any]) -> previews.Preview:
        values = parse_changes(changes)
        with self._uow() as uow:
            shop = resolve(uow.session, name)
            current = {field: getattr(shop, EDITABLE[field][0]) for field in values}
            diff = {
                f: v for f, v in values.items() if previews.shown(current[f]) != previews.shown(v)
            }
            return previews.Preview(
                title=f"Update the shop {shop.name}",
                args={
                    "shop": shop.name,
                    "changes": diff,
                    "expected": {f: current[f] for f in diff},
                },
                changes=[
                    (f, previews.shown(current[f]), previews.shown(v)) for f, v in diff.items()
                ],
                note=(
                    "Existing ROs keep their own terms; new ROs at this shop take these."
                    if "terms" in diff
                    else None
                ),
                unchanged=None if diff else f"{shop.name} already has those values.",
            )

    def update(
        self,
        actor: Actor,
        name: object,
        changes: Mapping[str, Any],
        expected: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Apply the changes (each one audited). `expected` are the values the person saw: if
        any differs now, nothing changes (Conflict). A new email also goes on the shop's drafts
        still waiting without a recipient."""
        actor.require(Role.EDITOR, "change shop records")
        values = parse_changes(changes)
        with self._uow() as uow:
            s = uow.session
            shop = resolve(s, name)
            for field, seen in (expected or {}).items():
                now = getattr(shop, EDITABLE[ALIASES.get(field, field)][0])
                if previews.shown(now) != previews.shown(seen):
                    raise Conflict(
                        f"{shop.name}'s {field} changed since the preview (now "
                        f"{previews.shown(now)}); nothing was changed. Ask again to see it."
                    )
            changed = []
            for field, value in values.items():
                column = EDITABLE[field][0]
                old = getattr(shop, column)
                if old == value:
                    continue
                setattr(shop, column, value)
                changed.append(field)
                s.add(
                    ShopChange(
                        shop_id=shop.id,
                        field=field,
                        old_value=old,
                        new_value=value,
                        actor=actor.name,
                        source=actor.source,
                    )
                )
            filled = 0
            if "email" in changed and shop.email:
                filled = s.execute(
                    update(Notification)
                    .where(
                        Notification.state == State.PENDING_APPROVAL.value,
                        Notification.to_address.is_(None),
                        (Notification.shop_id == shop.id) | (Notification.shop_name == shop.name),
                    )
                    .values(to_address=shop.email, missing_email=False)
                ).rowcount
            uow.commit()
            return {
                "shop": ShopView.model_validate(shop).model_dump(),
                "changed": changed,
                "drafts_given_the_email": filled,
            }

    # ---- adding a shop ----------------------------------------------------------------
    def preview_create(self, name: object, values: Mapping[str, Any]) -> previews.Preview:
        """A new shop as it would be saved. Refused when the name is one the directory already
        has (the same letters and digits) — that shop is meant, not a second one."""
        clean_name, clean = parse_new_shop(name, values)
        with self._uow() as uow:
            _refuse_existing(uow.session, clean_name)
        return previews.Preview(
            title=f"Add the shop {clean_name}",
            args={"name": clean_name, "values": clean},
            changes=[("name", "—", clean_name)]
            + [(f, "—", previews.shown(v)) for f, v in clean.items()],
            note=None if clean.get("email") else "No email: follow-ups cannot be sent to it yet.",
        )

    def create(self, actor: Actor, name: object, values: Mapping[str, Any]) -> dict[str, Any]:
        """Add a shop to the directory (audited as a change from nothing to each value)."""
        actor.require(Role.EDITOR, "add shops")
        clean_name, clean = parse_new_shop(name, values)
        with self._uow() as uow:
            s = uow.session
            _refuse_existing(s, clean_name)
            shop = Shop(name=clean_name, name_key=shop_key(clean_name))
            for field, value in clean.items():
                setattr(shop, EDITABLE[field][0], value)
            s.add(shop)
            s.flush()
            for field, value in {"name": clean_name, **clean}.items():
                if value is not None:
                    s.add(
                        ShopChange(
                            shop_id=shop.id,
                            field=field,
                            old_value=None,
                            new_value=value,
                            actor=actor.name,
                            source=actor.source,
                        )
                    )
            uow.commit()
            return {"shop": ShopView.model_validate(shop).model_dump(), "created": True}


def parse_new_shop(name: object, values: Mapping[str, Any]) -> tuple[str, dict[str, str | None]]:
    """A new shop's name and fields (email, contact, phone, terms), validated."""
    clean_name = clean_text(name, field="shop name", max_chars=200)
    if not clean_name or not name_words(clean_name):
        raise InvalidInput("Give the new shop's name.")
    given = {k: v for k, v in (values or {}).items() if v not in (None, "")}
    return clean_name, parse_changes(given) if given else {}


def _refuse_existing(session: Session, name: str) -> None:
    same = "".join(name_words(name))
    for existing in session.scalars(select(Shop.name)):
        if "".join(name_words(existing)) == same:
            raise Conflict(f"The directory already has {existing!r}; nothing was added.")


def parse_changes(changes: Mapping[str, Any]) -> dict[str, str | None]:
    """Validated values by field name; "" clears a field. Unknown fields are an error."""
    if not isinstance(changes, Mapping) or not changes:
        raise InvalidInput(f"Give at least one of: {', '.join(EDITABLE)}.")
    values: dict[str, str | None] = {}
    for raw, value in changes.items():
        field = ALIASES.get(str(raw).lower(), str(raw).lower())
        if field not in EDITABLE:
            raise InvalidInput(
                f"{str(raw)[:40]!r} is not a shop field that can be changed. "
                f"Fields: {', '.join(EDITABLE)}."
            )
        text = clean_text(value, field=field, max_chars=EDITABLE[field][1])
        values[field] = normalize_email(text) if field == "email" and text else text
    return values


def scorecard(
    open_ros: list[tuple[str | None, date | None, date | None]],
    closed_by_archive: Mapping[str, int],
    outcomes: Mapping[str, int],
    today: date,
) -> dict[str, Any]:
    """A shop's figures: open ROs by status, overdue, average days in the current status,
    closed ROs by archive, BER/RAI/scrap counts."""
    by_status: dict[str, int] = {}
    for status, _, _ in open_ros:
        by_status[status or "—"] = by_status.get(status or "—", 0) + 1
    waits = [(today - since).days for _, since, _ in open_ros if since is not None]
    return {
        "open": len(open_ros),
        "open_by_status": dict(sorted(by_status.items(), key=lambda kv: -kv[1])),
        "overdue": sum(1 for _, _, nxt in open_ros if nxt is not None and nxt < today),
        "avg_days_in_status": round(sum(waits) / len(waits), 1) if waits else None,
        "closed": sum(closed_by_archive.values()),
        "closed_by_archive": dict(closed_by_archive),
        "ber": outcomes.get(Status.BER.value, 0),
        "rai": outcomes.get(Status.RAI.value, 0),
        "scrap": outcomes.get(Status.SCRAP.value, 0),
    }


def overdue_by_shop(
    session: Session, today: date, shop: Shop | None = None
) -> dict[str, list[str]]:
    """Active ROs whose next update has passed, by shop name (one shop's if given), most
    overdue shop first; ROs without a shop are left out."""
    query = (
        select(RepairOrder.shop_name, RepairOrder.number)
        .where(
            RepairOrder.archive == Archive.ACTIVE.value,
            RepairOrder.next_update < today,
            RepairOrder.shop_key.is_not(None),
        )
        .order_by(RepairOrder.next_update, RepairOrder.number)
    )
    if shop is not None:
        query = query.where(RepairOrder.shop_key == shop.name_key)
    grouped: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for name, number in session.execute(query):
        key = shop_key(name) or ""
        grouped.setdefault(names.setdefault(key, name), []).append(number)
    return grouped
