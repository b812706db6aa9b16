"""Repair-order services: the one path every change takes, from chat, CLI, import or a job.

Each write checks the actor's role, validates and normalizes its input, compares the version
the caller saw, records status history and a field-by-field activity log, and emits a domain
event into the outbox — all in one transaction. The write path reaches the database only
through `uow.repair_orders` (see `domain.repositories`), so it runs on an in-memory fake too;
listing and activity are read-model queries and stay SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from domain import previews
from domain.archive import Archive, parse_archive, route_archive
from domain.archive import destination as archive_destination
from domain.errors import (
    DuplicateRepairOrder,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from domain.followup import FollowUpPolicy
from domain.models import ActivityLog, RepairOrder, Shop, StatusHistory
from domain.overdue import Priority, days_overdue, is_overdue, priority
from domain.repositories import RepairOrderRepository
from domain.roles import Actor, Role
from domain.statuses import Status, check_transition, parse_status, try_parse_status
from domain.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.values import (
    clean_text,
    normalize_ro_number,
    parse_date,
    parse_money,
    ro_sequence,
)

# field -> (kind, max length). Kinds: text, note (multi-line text), date, money.
EDITABLE_FIELDS: dict[str, tuple[str, int]] = {
    "date_made": ("date", 0),
    "shop_name": ("text", 200),
    "part_number": ("text", 100),
    "serial_number": ("text", 100),
    "part_description": ("text", 500),
    "required_work": ("text", 500),
    "date_dropped_off": ("date", 0),
    "estimated_cost": ("money", 0),
    "final_cost": ("money", 0),
    "terms": ("text", 60),
    "shop_ref": ("text", 100),
    "estimated_delivery": ("date", 0),
    "genthrust_status": ("text", 200),
    "shop_status": ("text", 200),
    "tracking_number": ("text", 200),
    "notes": ("note", 0),
    "last_updated": ("date", 0),
    "next_update": ("date", 0),
}
FIELD_ALIASES = {
    "eta": "estimated_delivery",
    "estimated_delivery_date": "estimated_delivery",
    "tracking": "tracking_number",
    "cost": "estimated_cost",
    "serial": "serial_number",
    "part": "part_number",
    "shop": "shop_name",
    "description": "part_description",
    "shop_reference": "shop_ref",
}
MAX_LIST_LIMIT = 500


def shop_key(name: str | None) -> str | None:
    return " ".join(name.upper().split()) if name else None


class RepairOrderView(BaseModel):
    """An RO as callers see it: plain values, computed overdue facts, the version to send back."""

    model_config = ConfigDict(from_attributes=True)

    number: str
    archive: Archive
    status: Status | None
    raw_status: str | None = None
    status_date: date | None
    shop_name: str | None
    shop_email: str | None = None
    part_number: str | None
    serial_number: str | None
    part_description: str | None
    required_work: str | None
    date_made: date | None
    date_dropped_off: date | None
    estimated_cost: Decimal | None
    final_cost: Decimal | None
    terms: str | None
    shop_ref: str | None
    estimated_delivery: date | None
    genthrust_status: str | None
    shop_status: str | None
    tracking_number: str | None
    notes: str | None
    last_updated: date | None
    next_update: date | None
    is_overdue: bool
    days_overdue: int
    priority: int
    version: int
    updated_at: datetime | None

    @classmethod
    def of(cls, ro: RepairOrder, today: date) -> RepairOrderView:
        return cls._build(ro, ro.shop.email if ro.shop else None, today)

    @classmethod
    def of_row(cls, row: Any, today: date) -> RepairOrderView:
        """From a plain row of the `repair_orders` columns plus `shop_email` (lists: no ORM
        objects to build and track)."""
        return cls._build(row, row.shop_email, today)

    @classmethod
    def _build(cls, ro: Any, shop_email: str | None, today: date) -> RepairOrderView:
        status = try_parse_status(ro.status)
        return cls(
            number=ro.number,
            archive=Archive(ro.archive),
            status=status,
            raw_status=None if status else ro.status,
            status_date=ro.status_date,
            shop_name=ro.shop_name,
            shop_email=shop_email,
            part_number=ro.part_number,
            serial_number=ro.serial_number,
            part_description=ro.part_description,
            required_work=ro.required_work,
            date_made=ro.date_made,
            date_dropped_off=ro.date_dropped_off,
            estimated_cost=ro.estimated_cost,
            final_cost=ro.final_cost,
            terms=ro.terms,
            shop_ref=ro.shop_ref,
            estimated_delivery=ro.estimated_delivery,
            genthrust_status=ro.genthrust_status,
            shop_status=ro.shop_status,
            tracking_number=ro.tracking_number,
            notes=ro.notes,
            last_updated=ro.last_updated,
            next_update=ro.next_update,
            is_overdue=ro.archive == Archive.ACTIVE and is_overdue(ro.next_update, today),
            days_overdue=days_overdue(ro.next_update, today) if ro.archive == Archive.ACTIVE else 0,
            priority=int(
                priority(status, ro.status_date, ro.next_update, ro.estimated_delivery, today)
                if ro.archive == Archive.ACTIVE
                else Priority.P4_ON_TRACK
            ),
            version=ro.version,
            updated_at=ro.updated_at,
        )


class ActivityView(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    action: str
    field: str | None
    old_value: str | None
    new_value: str | None
    actor: str
    source: str


@dataclass(frozen=True)
class ListFilter:
    archive: Archive | None = Archive.ACTIVE
    overdue: bool = False
    shop: str | None = None
    status: Status | None = None
    limit: int = 50
    offset: int = 0  # rows to skip (the HTTP API's paging)


@dataclass(frozen=True)
class ListResult:
    items: list[RepairOrderView]
    total: int


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class RepairOrderService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: FollowUpPolicy,
        today: Callable[[], date],
        max_note_chars: int = 5000,
    ):
        self._uow = uow
        self.policy = policy
        self.today = today
        self.max_note_chars = max_note_chars

    def using(self, uow: UnitOfWorkFactory) -> RepairOrderService:
        """The same service on another unit-of-work factory (jobs pass one that records an
        idempotency key in the same transaction as the change)."""
        return RepairOrderService(uow, self.policy, self.today, self.max_note_chars)

    # ---- reading -------------------------------------------------------------------------
    def get(self, number: object) -> RepairOrderView:
        with self._uow() as uow:
            return RepairOrderView.of(self._load(uow.repair_orders, number), self.today())

    def find(self, number: object) -> RepairOrderView | None:
        try:
            return self.get(number)
        except NotFound:
            return None

    def list(self, flt: ListFilter) -> ListResult:
        if not 1 <= flt.limit <= MAX_LIST_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIST_LIMIT}.")
        if flt.offset < 0:
            raise InvalidInput("offset cannot be negative.")
        today = self.today()
        conditions = []
        if flt.archive is not None:
            conditions.append(RepairOrder.archive == flt.archive.value)
        if flt.overdue:
            conditions += [
                RepairOrder.archive == Archive.ACTIVE.value,
                RepairOrder.next_update < today,
            ]
        if flt.shop:
            key = shop_key(clean_text(flt.shop, field="shop", max_chars=200))
            conditions.append(RepairOrder.shop_key.like(f"%{_escape_like(key)}%", escape="\\"))
        if flt.status is not None:
            conditions.append(RepairOrder.status == flt.status.value)
        order = (
            (RepairOrder.next_update.is_(None), RepairOrder.next_update, RepairOrder.id)
            if flt.overdue or flt.archive == Archive.ACTIVE
            else (RepairOrder.id.desc(),)
        )
        # Plain rows (the table's columns and the shop's email), not ORM objects: a list of
        # hundreds is built per request by the HTTP API.
        rows_query = (
            select(RepairOrder.__table__, Shop.email.label("shop_email"))
            .outerjoin(Shop, Shop.id == RepairOrder.shop_id)
            .where(*conditions)
            .order_by(*order)
            .limit(flt.limit)
            .offset(flt.offset)
        )
        with self._uow() as uow:
            total = (
                uow.session.scalar(select(func.count()).select_from(RepairOrder).where(*conditions))
                or 0
            )
            rows = uow.session.execute(rows_query).all()
            return ListResult([RepairOrderView.of_row(r, today) for r in rows], total)

    def activity(self, number: object, limit: int = 100) -> list[ActivityView]:
        with self._uow() as uow:
            ro = self._load(uow.repair_orders, number)
            rows = uow.session.scalars(
                select(ActivityLog)
                .where(ActivityLog.ro_id == ro.id)
                .order_by(ActivityLog.id.desc())
                .limit(limit)
            ).all()
            return [ActivityView.model_validate(r) for r in rows]

    # ---- what a person confirms ---------------------------------------------------------
    def preview_status_change(
        self, number: object, status: object, note: str | None = None
    ) -> previews.Preview:
        new = parse_status(status)
        clean_note = self._note(note)
        with self._uow() as uow:
            ro = self._load(uow.repair_orders, number)
            old = try_parse_status(ro.status)
            check_transition(old, new)
            return previews.status_change(
                ro.number,
                ro.version,
                old or ro.status,
                new,
                self.policy.next_update(new, ro.terms, self.today()),
                ro.next_update,
                Archive(ro.archive),
                ro.terms,
                clean_note,
            )

    def preview_update(self, number: object, changes: Mapping[str, Any]) -> previews.Preview:
        if not changes:
            raise InvalidInput(
                f"Give at least one field to change. Fields: {', '.join(EDITABLE_FIELDS)}."
            )
        values = self.parse_fields(changes)
        with self._uow() as uow:
            ro = self._load(uow.repair_orders, number)
            current = {key: getattr(ro, key) for key in values if key != "status_date"}
            return previews.field_update(ro.number, ro.version, current, values)

    def preview_create(self, fields: Mapping[str, Any], status: object) -> previews.Preview:
        values = self.parse_fields({k: v for k, v in fields.items() if v not in (None, "")})
        return previews.new_repair_order(values, parse_status(status))

    def preview_archive(self, number: object, target: object = None) -> previews.Preview:
        with self._uow() as uow:
            ro = self._load(uow.repair_orders, number)
            try:
                where = archive_destination(try_parse_status(ro.status), ro.terms, target)
            except InvalidInput as exc:
                raise InvalidInput(
                    f"RO {ro.number}: {exc} Ask the person, then call again with the archive."
                ) from None
            return previews.archive_move(ro.number, ro.version, Archive(ro.archive), where)

    # ---- writing -------------------------------------------------------------------------
    def create(
        self,
        actor: Actor,
        fields: Mapping[str, Any],
        *,
        number: object = None,
        status: object = Status.WAITING_QUOTE,
        archive: object = Archive.ACTIVE,
        touch: bool = True,
        note: str | None = None,
    ) -> RepairOrderView:
        """A new RO. Without `number`, the next one after the highest across all archives."""
        actor.require(Role.EDITOR, "create repair orders")
        values = self.parse_fields(fields)
        new_status = parse_status(status) if status is not None else None
        target = parse_archive(archive)
        wanted = normalize_ro_number(number) if number is not None else None
        for _attempt in range(5):
            with self._uow() as uow:
                repo = uow.repair_orders
                if wanted is not None and repo.get(wanted) is not None:
                    raise DuplicateRepairOrder(f"RO {wanted} already exists.")
                ro_number = wanted or repo.next_number()
                ro = RepairOrder(number=ro_number, seq=ro_sequence(ro_number), archive=target.value)
                self._apply_values(repo, ro, values)
                if ro.terms is None and ro.shop is not None:
                    ro.terms = ro.shop.payment_terms
                today = self.today()
                if new_status is not None:
                    ro.status = new_status.value
                    ro.status_date = values.get("status_date") or today
                    if touch:
                        ro.last_updated = ro.last_updated or today
                        if "next_update" not in values:
                            ro.next_update = self.policy.next_update(new_status, ro.terms, today)
                try:
                    repo.add(ro)
                except IntegrityError:
                    # leaving the unit of work rolls the failed insert back
                    if wanted is not None:
                        raise DuplicateRepairOrder(f"RO {wanted} already exists.") from None
                    continue  # someone took that number a moment ago: allocate again
                self._log(repo, ro, actor, "CREATE", None, None, ro.number)
                if new_status is not None:
                    repo.record(
                        StatusHistory(
                            ro_id=ro.id,
                            status=ro.status,
                            previous_status=None,
                            changed_by=actor.name,
                            note=self._note(note),
                        )
                    )
                uow.emit(
                    "ro.created",
                    ro_id=ro.id,
                    ro_number=ro.number,
                    actor=actor.name,
                    archive=ro.archive,
                )
                uow.commit()
                return RepairOrderView.of(ro, today)
        raise DuplicateRepairOrder("Could not allocate a new RO number; please try again.")

    def update(
        self,
        actor: Actor,
        number: object,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        touch: bool = True,
    ) -> RepairOrderView:
        """Change fields. `touch` (any manual update) moves last/next update dates too."""
        actor.require(Role.EDITOR, "change repair orders")
        values = self.parse_fields(changes)
        if not values:
            raise InvalidInput("Nothing to change: give at least one field.")
        with self._uow() as uow:
            repo = uow.repair_orders
            ro = self._load(repo, number, expected_version)
            today = self.today()
            changed = self._apply_values(repo, ro, values, actor=actor)
            if not changed:
                return RepairOrderView.of(ro, today)
            if touch:
                self._touch(ro, today, explicit_next="next_update" in values)
            return self._commit(uow, ro, actor, "ro.updated", today, fields=sorted(changed))

    def change_status(
        self,
        actor: Actor,
        number: object,
        status: object,
        *,
        note: str | None = None,
        expected_version: int | None = None,
        enforce_transitions: bool = True,
        status_date: object = None,
    ) -> RepairOrderView:
        actor.require(Role.EDITOR, "change an RO's status")
        new = parse_status(status)
        when = parse_date(status_date, field="status date")
        clean_note = self._note(note)
        with self._uow() as uow:
            repo = uow.repair_orders
            ro = self._load(repo, number, expected_version)
            old = try_parse_status(ro.status)
            if enforce_transitions:
                check_transition(old, new)
            elif old == new:
                return RepairOrderView.of(ro, self.today())
            today = self.today()
            ro.status = new.value
            ro.status_date = when or today
            self._touch(ro, today)
            repo.record(
                StatusHistory(
                    ro_id=ro.id,
                    status=new.value,
                    previous_status=old.value if old else ro.status,
                    changed_by=actor.name,
                    note=clean_note,
                )
            )
            self._log(
                repo, ro, actor, "STATUS_CHANGE", "status", old.value if old else None, new.value
            )
            if clean_note:
                self._log(repo, ro, actor, "NOTE_ADDED", "status_note", None, clean_note)
            route = route_archive(new, ro.terms)
            return self._commit(
                uow,
                ro,
                actor,
                "ro.status_changed",
                today,
                old=old.value if old else None,
                new=new.value,
                suggested_archive=route.archive.value if route.archive else None,
            )

    def archive(
        self,
        actor: Actor,
        number: object,
        target: object = None,
        *,
        expected_version: int | None = None,
    ) -> RepairOrderView:
        """Move an RO to another archive; without `target`, where its status and terms send it."""
        actor.require(Role.EDITOR, "archive repair orders")
        with self._uow() as uow:
            repo = uow.repair_orders
            ro = self._load(repo, number, expected_version)
            try:
                destination = archive_destination(try_parse_status(ro.status), ro.terms, target)
            except InvalidInput as exc:
                raise InvalidInput(f"RO {ro.number}: {exc}") from None
            if destination.value == ro.archive:
                raise InvalidInput(f"RO {ro.number} is already in {destination.sheet}.")
            old = ro.archive
            ro.archive = destination.value
            self._log(repo, ro, actor, "ARCHIVE", "archive", old, destination.value)
            return self._commit(
                uow, ro, actor, "ro.archived", self.today(), old=old, new=destination.value
            )

    def record_email_sent(self, actor: Actor, numbers: list[str], subject: str) -> None:
        """An email to the shop about these ROs went out: like any manual update it moves
        last-updated to today and next-update by the status's offset (REFERENCE §1), through
        this one change path so history and the Excel outbox see it."""
        with self._uow() as uow:
            repo = uow.repair_orders
            today = self.today()
            for number in numbers:
                ro = self._load(repo, number)
                old_last, old_next = ro.last_updated, ro.next_update
                self._touch(ro, today)
                self._log(repo, ro, actor, "EMAIL_SENT", "last_updated", _text(old_last), subject)
                if old_next != ro.next_update:
                    self._log(
                        repo,
                        ro,
                        actor,
                        "UPDATE",
                        "next_update",
                        _text(old_next),
                        _text(ro.next_update),
                    )
                uow.emit(
                    "ro.updated",
                    ro_id=ro.id,
                    ro_number=ro.number,
                    actor=actor.name,
                    fields=["last_updated", "next_update"],
                    email=subject,
                )
            try:
                uow.commit()
            except StaleDataError:
                raise StaleVersion("An RO changed while recording the sent email.") from None

    # ---- helpers ---------------------------------------------------------------------------
    def parse_fields(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Validate and normalize field values; unknown fields are an error, not ignored."""
        values: dict[str, Any] = {}
        for name, value in raw.items():
            key = FIELD_ALIASES.get(name, name)
            if key == "status_date":
                values[key] = parse_date(value, field="status date")
                continue
            if key not in EDITABLE_FIELDS:
                known = ", ".join(EDITABLE_FIELDS)
                raise InvalidInput(
                    f'"{str(name)[:40]}" is not a field that can be changed. Fields: {known}.'
                )
            kind, size = EDITABLE_FIELDS[key]
            label = key.replace("_", " ")
            if kind == "date":
                values[key] = parse_date(value, field=label)
            elif kind == "money":
                values[key] = parse_money(value, field=label)
            elif kind == "note":
                values[key] = clean_text(
                    value, field=label, max_chars=self.max_note_chars, multiline=True
                )
            else:
                values[key] = clean_text(value, field=label, max_chars=size)
        return values

    def _note(self, note: str | None) -> str | None:
        return clean_text(note, field="note", max_chars=self.max_note_chars, multiline=True)

    def _apply_values(
        self,
        repo: RepairOrderRepository,
        ro: RepairOrder,
        values: Mapping[str, Any],
        actor: Actor | None = None,
    ) -> list[str]:
        changed = []
        for key, value in values.items():
            if key == "status_date":
                continue
            old = getattr(ro, key)
            if old == value:
                continue
            setattr(ro, key, value)
            if key == "shop_name":
                ro.shop_key = shop_key(value)
                ro.shop = repo.shop(ro.shop_key) if value else None
            changed.append(key)
            if actor is not None:
                self._log(repo, ro, actor, "UPDATE", key, _text(old), _text(value))
        return changed

    def _touch(self, ro: RepairOrder, today: date, explicit_next: bool = False) -> None:
        ro.last_updated = today
        status = try_parse_status(ro.status)
        if not explicit_next and status is not None:
            ro.next_update = self.policy.next_update(status, ro.terms, today)

    def _commit(
        self,
        uow: UnitOfWork,
        ro: RepairOrder,
        actor: Actor,
        event: str,
        today: date,
        **payload: Any,
    ):
        uow.emit(event, ro_id=ro.id, ro_number=ro.number, actor=actor.name, **payload)
        try:
            uow.commit()
        except StaleDataError:
            raise StaleVersion(
                f"RO {ro.number} was changed by someone else a moment ago. Reload it and try again."
            ) from None
        return RepairOrderView.of(ro, today)

    @staticmethod
    def _log(
        repo: RepairOrderRepository,
        ro: RepairOrder,
        actor: Actor,
        action: str,
        field: str | None,
        old: str | None,
        new: str | None,
    ) -> None:
        repo.record(
            ActivityLog(
                ro_id=ro.id,
                action=action,
                field=field,
                old_value=old,
                new_value=new,
                actor=actor.name,
                source=actor.source,
            )
        )

    @staticmethod
    def _load(
        repo: RepairOrderRepository, number: object, expected_version: int | None = None
    ) -> RepairOrder:
        canonical = normalize_ro_number(number)
        ro = repo.get(canonical)
        if ro is None:
            raise NotFound(f"There is no RO {canonical} in any archive.")
        if expected_version is not None and ro.version != expected_version:
            raise StaleVersion(
                f"RO {ro.number} changed since you read it (version {expected_version}, now "
                f"{ro.version}, last update {ro.updated_at:%Y-%m-%d %H:%M} UTC). "
                "Reload it and try again."
            )
        return ro


def _escape_like(text: str | None) -> str:
    return (text or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
