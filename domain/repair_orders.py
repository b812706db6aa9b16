"""Repair-order services: the one path every change takes, from chat, CLI, import or a job.

Each write checks the actor's role, validates and normalizes its input, compares the version
the caller saw, records status history and a field-by-field activity log, and emits a domain
event into the outbox — all in one transaction. The write path reaches the database only
through `uow.repair_orders` (see `domain.repositories`), so it runs on an in-memory fake too;
listing and activity are read-model queries and stay SQL.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Select, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from domain import previews
from domain.archive import Archive, parse_archive, route_archive
from domain.archive import destination as archive_destination
from domain.documents.certificates import CertificateFields, match_certificate
from domain.documents.gate import GateCheck, GateMode, check_gate, require_gate
from domain.documents.service import flag_missing_certificates
from domain.errors import (
    AmbiguousShop,
    DuplicateRepairOrder,
    InvalidInput,
    NotFound,
    StaleVersion,
    UnknownShop,
)
from domain.followup import FollowUpPolicy
from domain.models import ActivityLog, RepairOrder, Shop, StatusHistory, utcnow
from domain.models.deleted_ros import live_ro
from domain.overdue import (
    Priority,
    days_at_shop,
    days_eta_passed,
    days_overdue,
    eta_passed,
    is_overdue,
    priority,
)
from domain.repositories import RepairOrderRepository
from domain.roles import Actor, Role, shown_actor
from domain.shop_match import match_shop
from domain.source_records import ErpSyncStatus, Incoming, UpsertOutcome, split_conflicts
from domain.statuses import Status, check_transition, parse_status, try_parse_status
from domain.unit_of_work import UnitOfWork, UnitOfWorkFactory
from domain.values import (
    activity_text as _text,
)
from domain.values import (
    clean_text,
    escape_like,
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
NO_SHOP = "(no shop)"  # how a group of ROs with no shop is labelled (reports, counts)
# A new RO takes the number after the highest; two creates at once can pick the same one, and the
# one whose insert loses allocates again. Each round one of them wins, so this many attempts see
# that many people creating at the same moment through.
NUMBER_ATTEMPTS = 20


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
    is_overdue: bool  # we owe the shop a follow-up (next update passed)
    days_overdue: int
    eta_passed: bool = False  # the shop is late: open, ETA passed, unit not back
    days_eta_passed: int = 0
    days_at_shop: int | None = None  # since drop-off, while the unit is at the shop
    priority: int
    version: int
    updated_at: datetime | None
    # From an outside source (#17): its record id (ERP.aero's po_id) and how it stands with it
    # (SYNCED, PENDING_SYNC: a conflict waits for a person, SYNC_FAILED); None for the desk's own.
    erp_po_id: str | None = None
    erp_sync_status: str | None = None
    # #15: received (or later) without a release certificate matching its part and serial;
    # set by the lists and the search, which check their page in one query.
    certificate_missing: bool = False

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
        open_ro = ro.archive == Archive.ACTIVE
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
            eta_passed=open_ro and eta_passed(status, ro.estimated_delivery, today),
            days_eta_passed=days_eta_passed(status, ro.estimated_delivery, today) if open_ro else 0,
            days_at_shop=days_at_shop(status, ro.date_dropped_off, today) if open_ro else None,
            priority=int(
                priority(status, ro.status_date, ro.next_update, ro.estimated_delivery, today)
                if ro.archive == Archive.ACTIVE
                else Priority.P4_ON_TRACK
            ),
            version=ro.version,
            updated_at=ro.updated_at,
            erp_po_id=ro.erp_po_id,
            # the desk's own ROs are LOCAL_ONLY, as the old schema defaulted them
            erp_sync_status=ro.erp_sync_status
            or (ErpSyncStatus.LOCAL_ONLY.value if ro.erp_po_id is None else None),
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
    offset: int = 0


FieldChange = tuple[str, str | None, str | None]  # field, old, new — as the activity log has them


@dataclass(frozen=True)
class Applied:
    """A change as it was committed: the RO afterwards and each field's old -> new, so what a
    person is told comes from the write itself, not from the preview it was asked with."""

    repair_order: RepairOrderView
    changes: list[FieldChange]

    def as_result(self) -> dict[str, Any]:
        return {
            "repair_order": self.repair_order.model_dump(mode="json"),
            "changes": [{"field": f, "old": old, "new": new} for f, old, new in self.changes],
        }


@dataclass(frozen=True)
class ListResult:
    items: list[RepairOrderView]
    total: int


def view_rows() -> Select:
    """SELECT what `RepairOrderView.of_row` reads: the RO's columns and its shop's email."""
    return select(RepairOrder.__table__, Shop.email.label("shop_email")).outerjoin(
        Shop, Shop.id == RepairOrder.shop_id
    )


@functools.lru_cache(maxsize=256)
def _versions_queries(flt: ListFilter, today: date) -> tuple[Any, Any]:
    """`list_versions`' page and count statements, built once per filter and day: building a
    statement (and its cache key) cost as much as running it, on every API list request."""
    conditions = RepairOrderService._list_conditions(flt, today)
    page = (
        select(RepairOrder.number, RepairOrder.version)
        .where(*conditions)
        .order_by(*RepairOrderService._list_order(flt))
        .limit(flt.limit)
        .offset(flt.offset)
    )
    return page, select(func.count()).select_from(RepairOrder).where(*conditions)


class RepairOrderService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        policy: FollowUpPolicy,
        today: Callable[[], date],
        max_note_chars: int = 5000,
        gate_mode: GateMode = GateMode.WARN,
    ):
        self._uow = uow
        self.policy = policy
        self.today = today
        self.max_note_chars = max_note_chars
        self.gate_mode = gate_mode

    def using(self, uow: UnitOfWorkFactory) -> RepairOrderService:
        """The same service on another unit-of-work factory (jobs pass one that records an
        idempotency key in the same transaction as the change)."""
        return RepairOrderService(uow, self.policy, self.today, self.max_note_chars, self.gate_mode)

    def certificate_gate(
        self, repo: RepairOrderRepository, ro: RepairOrder, new: Status | None
    ) -> GateCheck:
        """The release-certificate check for moving `ro` to `new` (domain/documents/gate.py)."""
        matches = []
        if new is None:
            return check_gate(GateMode.OFF, Status.RECEIVED, [])
        if self.gate_mode is not GateMode.OFF:
            matches = [
                match_certificate(CertificateFields.from_json(f), ro.part_number, ro.serial_number)
                for f in repo.release_certificates(ro.id)
            ]
        return check_gate(self.gate_mode, new, matches)

    # ---- reading -------------------------------------------------------------------------
    def get(self, number: object) -> RepairOrderView:
        with self._uow() as uow:
            return RepairOrderView.of(self._load(uow.repair_orders, number), self.today())

    def find(self, number: object) -> RepairOrderView | None:
        try:
            return self.get(number)
        except NotFound:
            return None

    @staticmethod
    def _check_page(flt: ListFilter) -> None:
        if not 1 <= flt.limit <= MAX_LIST_LIMIT:
            raise InvalidInput(f"limit must be between 1 and {MAX_LIST_LIMIT}.")
        if flt.offset < 0:
            raise InvalidInput("offset must be 0 or more.")

    def list(self, flt: ListFilter) -> ListResult:
        self._check_page(flt)
        today = self.today()
        conditions = self._list_conditions(flt, today)
        with self._uow() as uow:
            total = (
                uow.session.scalar(select(func.count()).select_from(RepairOrder).where(*conditions))
                or 0
            )
            rows = uow.session.execute(
                self._list_rows(flt, conditions).limit(flt.limit).offset(flt.offset)
            ).all()
            views = [RepairOrderView.of_row(r, today) for r in rows]
            return ListResult(flag_missing_certificates(uow.session, views), total)

    def list_versions(self, flt: ListFilter) -> tuple[int, list[tuple[str, int]]]:
        """What `list` would answer, as (number, version) pairs in list order, and the total:
        one or two cheap queries, for a caller that keeps rendered ROs (the HTTP API) and needs
        to know which of the page it has at that version. Any change to an RO bumps its
        version."""
        self._check_page(flt)
        page_query, count_query = _versions_queries(flt, self.today())
        with self._uow() as uow:
            # Core rows on the session's connection: no ORM result processing for a few
            # hundred pairs read on every request.
            read = uow.session.connection()
            page = read.execute(page_query).all()
            if 0 < len(page) < flt.limit or (not page and flt.offset == 0):
                total = flt.offset + len(page)  # the page holds the last row: no count needed
            else:
                total = read.scalar(count_query) or 0
            return total, [(number, version) for number, version in page]

    def views(self, numbers: list[str]) -> dict[str, RepairOrderView]:
        """The (not deleted) ROs with these canonical numbers, as `list` shows them."""
        today = self.today()
        with self._uow() as uow:
            rows = uow.session.execute(
                self._list_rows(ListFilter(), [live_ro(), RepairOrder.number.in_(numbers)])
            ).all()
            return {row.number: RepairOrderView.of_row(row, today) for row in rows}

    def each(self, flt: ListFilter) -> Iterator[RepairOrderView]:
        """Every RO the filter matches (its limit and offset ignored), in the order of `list`,
        read page by page inside one transaction: one consistent snapshot however long the
        caller takes, and never more than a page of rows in memory."""
        today = self.today()
        query = self._list_rows(flt, self._list_conditions(flt, today))
        with self._uow() as uow:
            offset = 0
            while True:
                rows = uow.session.execute(query.offset(offset).limit(MAX_LIST_LIMIT)).all()
                for row in rows:
                    yield RepairOrderView.of_row(row, today)
                if len(rows) < MAX_LIST_LIMIT:
                    return
                offset += MAX_LIST_LIMIT

    @staticmethod
    def _list_conditions(flt: ListFilter, today: date) -> list[Any]:
        # The list reads table rows (Core), which the session hook does not filter.
        conditions: list[Any] = [live_ro()]
        if flt.archive is not None:
            conditions.append(RepairOrder.archive == flt.archive.value)
        if flt.overdue:
            conditions += [
                RepairOrder.archive == Archive.ACTIVE.value,
                RepairOrder.next_update < today,
            ]
        if flt.shop:
            key = shop_key(clean_text(flt.shop, field="shop", max_chars=200))
            conditions.append(RepairOrder.shop_key.like(f"%{escape_like(key or '')}%", escape="\\"))
        if flt.status is not None:
            conditions.append(RepairOrder.status == flt.status.value)
        return conditions

    @staticmethod
    def _list_order(flt: ListFilter) -> tuple[Any, ...]:
        # The id breaks every tie, so pages (offset) never repeat or skip a row.
        return (
            (RepairOrder.next_update.is_(None), RepairOrder.next_update, RepairOrder.id)
            if flt.overdue or flt.archive == Archive.ACTIVE
            else (RepairOrder.id.desc(),)
        )

    @classmethod
    def _list_rows(cls, flt: ListFilter, conditions: list[Any]):
        order = cls._list_order(flt)
        # Plain rows (the table's columns and the shop's email), not ORM objects: lists of
        # hundreds are built per request by the HTTP API.
        return view_rows().where(*conditions).order_by(*order)

    def activity(self, number: object, limit: int = 100) -> list[ActivityView]:
        """The RO's change log, newest first; a deleted RO's too (its deletion on top)."""
        with self._uow() as uow:
            ro = self._load(uow.repair_orders, number, include_deleted=True)
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
            preview = previews.status_change(
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
            gate = self.certificate_gate(uow.repair_orders, ro, new)
            if not gate.applies:
                return preview
            warning = gate.warning
            if warning and gate.mode is GateMode.ENFORCE:
                warning += (
                    " Enforced here: only an approver's override with a reason lets it through."
                )
            return dataclasses.replace(preview, warning=warning, gate=gate.as_json())

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
        """A new RO as it would be made: the shop matched in the directory (never a new shop
        made from a typo or a short name), made today unless said otherwise, the shop's terms
        unless given, the next follow-up its status sets."""
        values = self.parse_fields({k: v for k, v in fields.items() if v not in (None, "")})
        new_status = parse_status(status)
        today = self.today()
        with self._uow() as uow:
            shop, how, typed = None, None, values.get("shop_name")
            if typed:
                shop, how = match_directory_shop(uow.session, typed)
                values["shop_name"] = shop.name
            values.setdefault("date_made", today)
            if values.get("terms") is None and shop is not None and shop.payment_terms:
                values["terms"] = shop.payment_terms
            return previews.new_repair_order(
                values,
                new_status,
                next_update=values.get("next_update")
                or self.policy.next_update(new_status, values.get("terms"), today),
                shop_note=_shop_note(shop, how, typed, values),
            )

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
        for attempt in range(NUMBER_ATTEMPTS):
            if attempt:  # lost the number to another create: a moment apart, then allocate again
                time.sleep(random.uniform(0, 0.005 * attempt))
            with self._uow() as uow:
                repo = uow.repair_orders
                if wanted is not None:
                    taken = repo.get(wanted, include_deleted=True)
                    if taken is not None and taken.deleted_at is not None:
                        raise DuplicateRepairOrder(_deleted_message(taken))
                    if taken is not None:
                        raise DuplicateRepairOrder(f"RO {wanted} already exists.")
                ro_number = wanted or repo.next_number()
                ro = RepairOrder(number=ro_number, seq=ro_sequence(ro_number), archive=target.value)
                self._apply_values(repo, ro, values)
                if ro.terms is None and ro.shop is not None:
                    ro.terms = ro.shop.payment_terms
                today = self.today()
                if touch and ro.date_made is None:  # made now (imports keep what they read)
                    ro.date_made = today
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
                    continue  # someone took that number a moment ago
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
        return self.apply_update(
            actor, number, changes, expected_version=expected_version, touch=touch
        ).repair_order

    def apply_update(
        self,
        actor: Actor,
        number: object,
        changes: Mapping[str, Any],
        *,
        expected_version: int | None = None,
        touch: bool = True,
    ) -> Applied:
        """`update`, answering what changed (field, old, new; the next update when it moved)."""
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
                return Applied(RepairOrderView.of(ro, today), [])
            old_next = ro.next_update
            if touch:
                self._touch(ro, today, explicit_next="next_update" in values)
            done = [(key, _text(old), _text(new)) for key, old, new in changed]
            if ro.next_update != old_next:
                done.append(("next_update", _text(old_next), _text(ro.next_update)))
            view = self._commit(
                uow, ro, actor, "ro.updated", today, fields=sorted(k for k, _, _ in changed)
            )
            return Applied(view, done)

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
        certificate_override: str | None = None,
    ) -> RepairOrderView:
        return self.apply_status(
            actor,
            number,
            status,
            note=note,
            expected_version=expected_version,
            enforce_transitions=enforce_transitions,
            status_date=status_date,
            certificate_override=certificate_override,
        ).repair_order

    def apply_status(
        self,
        actor: Actor,
        number: object,
        status: object,
        *,
        note: str | None = None,
        expected_version: int | None = None,
        enforce_transitions: bool = True,
        status_date: object = None,
        certificate_override: str | None = None,
    ) -> Applied:
        """`change_status`, answering what changed: the status and the next update.

        Moving to RECEIVED or later passes the release-certificate gate first: in enforce mode
        without a matching certificate it is refused unless an approver overrides with a reason;
        a warning or an override is written to the RO's history with the change."""
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
                return Applied(RepairOrderView.of(ro, self.today()), [])
            # An import (enforce_transitions=False) records what already happened; the gate is
            # for a person accepting a part now.
            gate = self.certificate_gate(repo, ro, new if enforce_transitions else None)
            override = require_gate(gate, actor, certificate_override)
            today = self.today()
            before = (ro.status, ro.next_update)
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
            if override:
                self._log(repo, ro, actor, "CERTIFICATE_OVERRIDE", "certificate", None, override)
            elif gate.warning:
                self._log(repo, ro, actor, "CERTIFICATE_WARNING", "certificate", None, gate.warning)
            route = route_archive(new, ro.terms)
            done = [("status", before[0], ro.status)]
            if ro.next_update != before[1]:
                done.append(("next_update", _text(before[1]), _text(ro.next_update)))
            view = self._commit(
                uow,
                ro,
                actor,
                "ro.status_changed",
                today,
                old=old.value if old else None,
                new=new.value,
                suggested_archive=route.archive.value if route.archive else None,
            )
            return Applied(view, done)

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

    def delete(
        self,
        actor: Actor,
        number: object,
        *,
        expected_version: int | None = None,
        reason: str | None = None,
    ) -> RepairOrderView:
        """Soft-delete an RO (admin only): it leaves every list, count, search, export, sync
        and lookup, but the row and its history stay, the deletion is in the history (who,
        when, from which archive, why), and its number stays taken. Answers the RO as it was."""
        actor.require(Role.ADMIN, "delete repair orders")
        why = self._note(reason)
        with self._uow() as uow:
            repo = uow.repair_orders
            ro = self._load(repo, number, expected_version)
            ro.deleted_at = utcnow()
            ro.deleted_by = actor.name
            self._log(repo, ro, actor, "DELETE", "archive", ro.archive, why)
            return self._commit(uow, ro, actor, "ro.deleted", self.today(), archive=ro.archive)

    def record_email_sent(self, actor: Actor, numbers: list[str], subject: str) -> None:
        """An email to the shop about these ROs went out: like any manual update it moves
        last-updated to today and next-update by the status's offset (REFERENCE §1), through
        this one change path so history and the Excel outbox see it."""
        with self._uow() as uow:
            repo = uow.repair_orders
            today = self.today()
            for number in numbers:
                ro = self._load(repo, number)
                old_dates = {"last_updated": ro.last_updated, "next_update": ro.next_update}
                self._touch(ro, today)
                # what was sent, then each date it moved: every entry pairs like with like
                self._log(repo, ro, actor, "EMAIL_SENT", "email", None, subject)
                for field, old in old_dates.items():
                    if old != getattr(ro, field):
                        self._log(
                            repo, ro, actor, "UPDATE", field, _text(old), _text(getattr(ro, field))
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

    def record_reply(self, actor: Actor, numbers: list[str], subject: str) -> list[str]:
        """The shop answered about these ROs (#16): don't chase tomorrow. Each RO's next
        follow-up moves to today + its status's wait (never earlier than it already was), with
        the reply and the move in its history. Answers the numbers whose date moved."""
        moved = []
        with self._uow() as uow:
            repo = uow.repair_orders
            today = self.today()
            for number in numbers:
                ro = self._load(repo, number)
                status = try_parse_status(ro.status)
                wanted = self.policy.next_update(status, ro.terms, today) if status else None
                self._log(repo, ro, actor, "REPLY_RECEIVED", "email", None, subject[:500])
                if wanted is None or (ro.next_update is not None and ro.next_update >= wanted):
                    continue
                old = ro.next_update
                ro.next_update = wanted
                self._log(repo, ro, actor, "UPDATE", "next_update", _text(old), _text(wanted))
                uow.emit(
                    "ro.updated",
                    ro_id=ro.id,
                    ro_number=ro.number,
                    actor=actor.name,
                    fields=["next_update"],
                    email=subject[:200],
                )
                moved.append(ro.number)
            try:
                uow.commit()
            except StaleDataError:
                raise StaleVersion("An RO changed while recording the shop's reply.") from None
        return moved

    def apply_source_record(
        self, actor: Actor, record: Incoming, *, dry_run: bool = False
    ) -> UpsertOutcome:
        """Create or update the RO an outside source sent (`actor.source` names the source).

        Never deletes. A field a person changed here after the record's modified time is kept:
        the difference is logged on the RO as SOURCE_CONFLICT and the RO marked PENDING_SYNC for
        a person. A record not newer than the one last applied changes nothing. A source's
        status we do not know is kept as a line in the notes. `dry_run` says what would change.
        Bad values raise `InvalidInput` (the caller counts the record as skipped, with reason).
        """
        actor.require(Role.EDITOR, "apply an outside source's repair orders")
        values = self.parse_fields(record.fields)
        status = parse_status(record.status) if record.status else None
        number = normalize_ro_number(record.number)
        with self._uow() as uow:
            repo = uow.repair_orders
            ro = repo.by_source_id(record.po_id) or repo.get(number, include_deleted=True)
            if ro is not None and ro.deleted_at is not None:
                # Deleted here on purpose: the source neither revives nor recreates it.
                raise DuplicateRepairOrder(
                    f"{_deleted_message(ro)} {actor.source} record {record.po_id} skipped."
                )
            if ro is not None and ro.erp_po_id != record.po_id:
                raise DuplicateRepairOrder(
                    f"RO {number} is already the desk's own RO (or another record's); "
                    f"{actor.source} record {record.po_id} skipped."
                )
            if ro is None:
                fields = sorted(values) + (["status"] if status else [])
                if dry_run:
                    return UpsertOutcome("created", number, fields)
                self._create_from_source(uow, actor, record, number, values, status)
                return UpsertOutcome("created", number, fields)
            if ro.erp_modified_at is not None and record.modified_at <= ro.erp_modified_at:
                return UpsertOutcome("unchanged", ro.number)
            note = _status_note(record, ro.notes)
            if note is not None:
                values["notes"] = note
            diff = {k: v for k, v in values.items() if k != "status_date" and getattr(ro, k) != v}
            status_changes = status is not None and ro.status != status.value
            candidates = sorted(diff) + (["status"] if status_changes else [])
            apply, kept = split_conflicts(
                candidates,
                repo.changed_by_people(ro.id, candidates, actor.source),
                record.modified_at,
            )
            conflicts = [
                {
                    "field": name,
                    "ours": _text(ro.status if name == "status" else getattr(ro, name)),
                    "theirs": _text(status.value if name == "status" else diff[name]),
                }
                for name in kept
            ]
            if dry_run or not (apply or kept):
                if not dry_run and ro.erp_modified_at != record.modified_at:
                    # nothing to change: remember the time, quietly (no history, no outbox)
                    ro.erp_modified_at = record.modified_at
                    ro.erp_sync_status = ro.erp_sync_status or ErpSyncStatus.SYNCED.value
                    uow.commit()
                kind = "updated" if (apply or kept) else "unchanged"
                return UpsertOutcome(kind, ro.number, apply, conflicts)
            today = self.today()
            self._apply_values(repo, ro, {k: diff[k] for k in apply if k != "status"}, actor=actor)
            if "status" in apply and status is not None:
                old = ro.status
                ro.status = status.value
                ro.status_date = today
                repo.record(
                    StatusHistory(
                        ro_id=ro.id,
                        status=status.value,
                        previous_status=old,
                        changed_by=actor.name,
                        note=f"from {actor.source}",
                    )
                )
                self._log(repo, ro, actor, "STATUS_CHANGE", "status", old, status.value)
                ro.next_update = self.policy.next_update(status, ro.terms, today)
            for conflict in conflicts:
                self._log(
                    repo,
                    ro,
                    actor,
                    "SOURCE_CONFLICT",
                    conflict["field"],
                    conflict["ours"],
                    conflict["theirs"],
                )
            ro.erp_modified_at = record.modified_at
            ro.erp_sync_status = (
                ErpSyncStatus.PENDING_SYNC if kept else ErpSyncStatus.SYNCED
            ).value
            if apply:
                self._commit(uow, ro, actor, "ro.updated", today, fields=apply)
            else:
                try:
                    uow.commit()
                except StaleDataError:
                    raise StaleVersion(f"RO {ro.number} changed during the sync.") from None
            return UpsertOutcome("updated", ro.number, apply, conflicts)

    def mark_source_failed(self, actor: Actor, source_id: str, reason: str) -> str | None:
        """The source's newer record for an RO we have could not be applied: the RO is marked
        SYNC_FAILED with the reason in its activity, so whoever opens it sees why it is behind.
        Returns its number, or None when no RO has that source id."""
        actor.require(Role.EDITOR, "record an outside source's failure")
        with self._uow() as uow:
            repo = uow.repair_orders
            ro = repo.by_source_id(source_id)
            if ro is None or ro.deleted_at is not None:
                return None
            ro.erp_sync_status = ErpSyncStatus.SYNC_FAILED.value
            self._log(repo, ro, actor, "SOURCE_FAILED", None, None, reason[:500])
            try:
                uow.commit()
            except StaleDataError:
                return None  # changed meanwhile; the next run will try the record again
            return ro.number

    def _create_from_source(
        self,
        uow: UnitOfWork,
        actor: Actor,
        record: Incoming,
        number: str,
        values: dict[str, Any],
        status: Status | None,
    ) -> None:
        repo = uow.repair_orders
        ro = RepairOrder(number=number, seq=None, archive=Archive.ACTIVE.value)
        self._apply_values(repo, ro, values)
        if ro.terms is None and ro.shop is not None:
            ro.terms = ro.shop.payment_terms
        note = _status_note(record, ro.notes)
        if note is not None:
            ro.notes = note
        today = self.today()
        ro.status = status.value if status else None
        ro.status_date = today if status else None
        ro.last_updated = today
        if status is not None:
            ro.next_update = self.policy.next_update(status, ro.terms, today)
        ro.erp_po_id = record.po_id
        ro.erp_modified_at = record.modified_at
        ro.erp_sync_status = ErpSyncStatus.SYNCED.value
        try:
            repo.add(ro)
        except IntegrityError:
            raise DuplicateRepairOrder(f"RO {number} was created meanwhile; try again.") from None
        self._log(repo, ro, actor, "CREATE", None, None, ro.number)
        if status is not None:
            repo.record(
                StatusHistory(
                    ro_id=ro.id,
                    status=ro.status,
                    previous_status=None,
                    changed_by=actor.name,
                    note=f"from {actor.source}",
                )
            )
        uow.emit(
            "ro.created", ro_id=ro.id, ro_number=ro.number, actor=actor.name, archive=ro.archive
        )
        uow.commit()

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
    ) -> list[tuple[str, Any, Any]]:
        """Set the values that differ; answers (field, old, new) for each."""
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
            changed.append((key, old, value))
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
        repo: RepairOrderRepository,
        number: object,
        expected_version: int | None = None,
        *,
        include_deleted: bool = False,
    ) -> RepairOrder:
        canonical = normalize_ro_number(number)
        ro = repo.get(canonical, include_deleted=include_deleted)
        if ro is None:
            deleted = repo.get(canonical, include_deleted=True)
            if deleted is not None:  # say so rather than "no such RO"
                raise NotFound(f"{_deleted_message(deleted, taken=False)} Its history is kept.")
            raise NotFound(f"There is no RO {canonical} in any archive.")
        if expected_version is not None and ro.version != expected_version:
            raise StaleVersion(
                f"RO {ro.number} changed since you read it (version {expected_version}, now "
                f"{ro.version}, last update {ro.updated_at:%Y-%m-%d %H:%M} UTC). "
                "Reload it and try again."
            )
        return ro


def _deleted_message(ro: RepairOrder, *, taken: bool = True) -> str:
    when = f" on {ro.deleted_at:%Y-%m-%d %H:%M} UTC" if ro.deleted_at else ""
    who = f" by {shown_actor(ro.deleted_by)}" if ro.deleted_by else ""
    end = "; its number stays taken." if taken else "."
    return f"RO {ro.number} was deleted{when}{who}{end}"


def match_directory_shop(session: Session, typed: str) -> tuple[Shop, str]:
    """The directory's shop for what a person typed, and how it matched (domain.shop_match);
    several candidates or none are refused with what to do next."""
    names = list(session.scalars(select(Shop.name)))
    found = match_shop(typed, names)
    if found.how == "ambiguous":
        raise AmbiguousShop(
            f"{typed!r} could be several shops: {', '.join(found.candidates)}. "
            "Which one? Nothing was changed."
        )
    if found.name is None:
        close = f" Close names: {', '.join(found.candidates)}." if found.candidates else ""
        raise UnknownShop(
            f"There is no shop called {typed!r} in the directory.{close} To add it, give its "
            f"email (e.g. new shop {typed} email repairs@example.com) and confirm; then ask "
            "for the RO again. Nothing was changed."
        )
    shop = session.scalar(select(Shop).where(Shop.name == found.name))
    return shop, found.how


def _shop_note(
    shop: Shop | None, how: str | None, typed: str | None, values: Mapping[str, Any]
) -> str | None:
    if shop is None:
        return None
    matched = "" if how == "exact" else f' ("{typed}" matched by {how} name)'
    terms = values.get("terms") or "none"
    return f"Shop: {shop.name}{matched} · email {shop.email or 'none on file'} · terms {terms}."


def _status_note(record: Incoming, notes: str | None) -> str | None:
    """The notes with the source's unknown status as a line (once), or None if nothing to add."""
    if record.status or not record.source_status:
        return None
    line = f"ERP status: {record.source_status}"
    if notes and line in notes:
        return None
    return f"{notes}\n{line}" if notes else line
