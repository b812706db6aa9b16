"""Demo data that looks like a real repair desk: shops, ROs in every archive, history, stock.

Deterministic for a given seed and "today". Each RO's life is simulated through the real rules
(`domain/demo_lives.py`); this module writes the lives — ROs, status history, activity log, sent
emails — with bulk inserts, because benchmarks load 100,000 ROs. It is a loader, so it writes one
`demo.seeded` event instead of one event per change. The demo inventory stocks the part numbers
the ROs carry, so looking up or using an RO's part works on the demo data.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import chain

from sqlalchemy import func, insert, select

from domain.demo_lives import PARTS, ShopFacts, part_numbers, simulate
from domain.demo_replies import write_demo_replies
from domain.followup import FollowUpPolicy
from domain.models import (
    ActivityLog,
    DomainEvent,
    Notification,
    NotificationRepairOrder,
    RepairOrder,
    Shop,
    StatusHistory,
    utcnow,
)
from domain.models.deleted_ros import INCLUDE_DELETED

FIRST_NUMBER = 38_000  # the legacy "G" numbers were around 38,000
SEED_ACTOR = "demo-seed"

SHOP_NAMES = [
    "Aero Accessories Inc",
    "AeroTurbine Services",
    "Avtech Hydraulics",
    "Banner Aerospace Repair",
    "Barfield Component Services",
    "Bearing Inspection Inc",
    "Chromalloy Component Repair",
    "Crane Aerospace Services",
    "Dallas Airmotive",
    "Eaton Aerospace Repair Station",
    "Electro-Mech Aviation",
    "Evans Precision Overhaul",
    "Fokker Landing Gear Services",
    "Goodrich Wheels & Brakes",
    "Hawker Pacific Component",
    "HEICO Repair Group",
    "Honeywell Repair Center Phoenix",
    "Jet Parts Engineering",
    "Kellstrom Component Repair",
    "Liebherr Aerospace Service",
    "Lufthansa Technik Component",
    "Meggitt Airframe Systems",
    "Messier Services Americas",
    "Moog Aircraft Repair",
    "Parker Aerospace Repair",
    "Precision Aerospace Components",
    "Quality Aircraft Accessories",
    "Safran Landing Systems Repair",
    "Sky Accessories Overhaul",
    "Southwest Turbine Inc",
    "Triumph Accessory Services",
    "Unison Ignition Repair",
    "Woodward Fuel Systems Repair",
    "Zodiac Aerospace Repair",
    "Aviation Instrument Repair",
    "Atlantic Hydraulic Overhaul",
    "Precision Propeller Service",
    "Rocky Mountain Avionics",
    "Summit Starter Generator",
    "Tristar Wheel & Brake",
]
TERMS = [
    "NET 30",
    "NET 30",
    "NET 30",
    "NET 45",
    "NET 60",
    "NET 15",
    "COD",
    "PREPAID",
    "CREDIT CARD",
    "WIRE",
]
CONTACTS = [
    "Maria Lopez",
    "James Carter",
    "Linda Nguyen",
    "Robert King",
    "Susan Patel",
    "David Kim",
    "Karen Brooks",
    "Michael Reyes",
    "Angela Shaw",
    "Thomas Wright",
    "Priya Raman",
    "Greg Olsen",
]
STATES = [
    ("Miami", "FL"),
    ("Phoenix", "AZ"),
    ("Dallas", "TX"),
    ("Wichita", "KS"),
    ("Tulsa", "OK"),
    ("Seattle", "WA"),
    ("Atlanta", "GA"),
    ("Hartford", "CT"),
    ("Long Beach", "CA"),
    ("Denver", "CO"),
]
BATCH = 5_000


@dataclass(frozen=True)
class DemoSpec:
    ros: int = 650
    shops: int = 30
    seed: int = 7


@dataclass
class DemoReport:
    created_shops: int = 0
    created_ros: int = 0
    first_number: int | None = None
    last_number: int | None = None
    skipped_reason: str | None = None
    replies: int = 0  # demo replies dropped in the inbox folder (#16)

    def summary(self) -> str:
        if self.skipped_reason:
            return f"Demo data not loaded: {self.skipped_reason}."
        span = f" (RO {self.first_number}–{self.last_number})" if self.created_ros else ""
        mail = f"; {self.replies} shop replies in the inbox" if self.replies else ""
        return (
            f"Demo data: {self.created_shops} shops, {self.created_ros} repair orders{span}{mail}."
        )


def _shop_rows(count: int, rng: random.Random) -> list[dict]:
    rows = []
    for i in range(count):
        base = SHOP_NAMES[i % len(SHOP_NAMES)]
        name = base if i < len(SHOP_NAMES) else f"{base} {i // len(SHOP_NAMES) + 1}"
        city, state = rng.choice(STATES)
        domain_name = "".join(ch for ch in base.lower() if ch.isalnum())[:18]
        rows.append(
            {
                "name": name,
                "name_key": " ".join(name.upper().split()),
                "email": None if rng.random() < 0.06 else f"repairs@{domain_name}.com",
                "contact": rng.choice(CONTACTS),
                "phone": f"({rng.randint(201, 989)}) 555-{rng.randint(1000, 9999)}",
                "payment_terms": rng.choice(TERMS),
                "city": city,
                "state": state,
                "country": "USA",
            }
        )
    return rows


def seed_demo(
    app, spec: DemoSpec, *, if_empty: bool = False, on_progress: Callable[[int], None] | None = None
) -> DemoReport:
    """Insert `spec.shops` shops (skipping names that exist) and `spec.ros` repair orders, each
    with the status history, activity and sent emails of its simulated life (`demo_lives`)."""
    rng = random.Random(spec.seed)
    today: date = app.today()
    policy: FollowUpPolicy = app.repair_orders.policy
    tz = app.settings.tz
    now_utc = utcnow()
    now_local = now_utc.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
    report = DemoReport()
    with app.session() as s:
        if if_empty and s.scalar(
            select(func.count()).select_from(RepairOrder).execution_options(**INCLUDE_DELETED)
        ):
            report.skipped_reason = "the database already has repair orders"
            return report
        existing = set(s.scalars(select(Shop.name_key)))
        new_shops = [row for row in _shop_rows(spec.shops, rng) if row["name_key"] not in existing]
        if new_shops:
            s.execute(insert(Shop), new_shops)
        report.created_shops = len(new_shops)
        shops = [
            ShopFacts(*row)
            for row in s.execute(
                select(
                    Shop.id, Shop.name, Shop.name_key, Shop.email, Shop.contact, Shop.payment_terms
                )
            ).all()[: max(spec.shops, 1)]
        ]
        start = max(
            (
                s.scalar(select(func.max(RepairOrder.seq)).execution_options(**INCLUDE_DELETED))
                or FIRST_NUMBER - 1
            )
            + 1,
            FIRST_NUMBER,
        )
        shop_by_id = {shop.id: shop for shop in shops}
        # deleted ROs keep their ids and numbers
        next_id = (
            s.scalar(select(func.max(RepairOrder.id)).execution_options(**INCLUDE_DELETED)) or 0
        ) + 1

        offsets: dict[date, timedelta] = {}  # the desk's UTC offset, per day (DST moves it)

        def utc(local: datetime) -> datetime:
            day = local.date()
            if (offset := offsets.get(day)) is None:
                noon = datetime.combine(day, datetime.min.time()).replace(hour=12, tzinfo=tz)
                offset = offsets[day] = noon.utcoffset() or timedelta(0)
            return min(local - offset, now_utc)

        batch = _Batch()
        lives = simulate(spec.ros, shops, today, now_local, policy, rng, start)
        for i, life in enumerate(lives):
            ro_id, number = next_id + i, start + i
            created = utc(life.statuses[0].at)
            batch.ros.append(
                {
                    **life.row,
                    "id": ro_id,
                    "number": str(number),
                    "seq": number,
                    "version": 1 + len(life.changes),
                    "created_at": created,
                    "updated_at": utc(life.changes[-1].at),
                }
            )
            batch.statuses.extend(
                (
                    ro_id,
                    step.status.value,
                    step.previous.value if step.previous else None,
                    step.actor,
                    _sql_time(utc(step.at)),
                    step.note,
                )
                for step in life.statuses
            )
            batch.activity.extend(
                (ro_id, c.action, c.field, c.old, c.new, c.actor, c.source, _sql_time(utc(c.at)))
                for c in life.changes
            )
            shop = shop_by_id[life.row["shop_id"]]
            for email in life.emails:
                email_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                sent = utc(email.sent_at)
                batch.emails.append(
                    {
                        "id": email_id,
                        "kind": "EMAIL_DRAFT",
                        "state": "SENT",
                        "reason": email.reason,
                        "shop_id": shop.id,
                        "shop_name": shop.name,
                        "to_address": shop.email,
                        "cc": [],
                        "subject": email.subject,
                        "body_html": email.body_html,
                        "missing_email": False,
                        "ro_status": email.ro_status,
                        "created_by": email.drafted_by,
                        "created_at": utc(email.drafted_at),
                        "created_on": email.drafted_at.date(),
                        "approved_by": email.approved_by,
                        "approved_at": sent,
                        "attempts": 1,
                        "sender": "outbox",
                        "provider_ref": f"{email_id}.eml",
                        "message_id": f"<{email_id}@genthrust.local>",
                        "sent_at": sent,
                    }
                )
                batch.links.append(
                    {"notification_id": email_id, "ro_id": ro_id, "ro_number": str(number)}
                )
            if len(batch.ros) >= BATCH:
                batch.write(s, on_progress)
        batch.write(s, on_progress)
        if spec.ros:
            s.add(
                DomainEvent(
                    name="demo.seeded",
                    actor=SEED_ACTOR,
                    payload={"first": start, "last": start + spec.ros - 1},
                )
            )
            report.created_ros = spec.ros
            report.first_number, report.last_number = start, start + spec.ros - 1
        s.commit()
    if spec.ros and app.settings.inbox_source == "folder":
        # #16: a few shops' replies about these ROs for the embedded inbox's first poll
        report.replies = len(write_demo_replies(app, spec.seed))
    return report


@dataclass
class _Batch:
    """Rows waiting for one bulk insert per table (ROs first: the others point at them)."""

    ros: list[dict] = field(default_factory=list)
    statuses: list[tuple] = field(default_factory=list)  # STATUS_COLUMNS
    activity: list[tuple] = field(default_factory=list)  # ACTIVITY_COLUMNS
    emails: list[dict] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)

    def write(self, s, on_progress: Callable[[int], None] | None) -> None:
        done = len(self.ros)
        for table, rows in (
            (RepairOrder.__table__, self.ros),
            (Notification.__table__, self.emails),
            (NotificationRepairOrder.__table__, self.links),
        ):
            if rows:
                s.execute(insert(table), rows)
                rows.clear()
        for table, columns, rows in (
            (StatusHistory.__tablename__, STATUS_COLUMNS, self.statuses),
            (ActivityLog.__tablename__, ACTIVITY_COLUMNS, self.activity),
        ):
            _driver_insert(s, table, columns, rows)
            rows.clear()
        if on_progress and done:
            on_progress(done)


STATUS_COLUMNS = ("ro_id", "status", "previous_status", "changed_by", "changed_at", "note")
ACTIVITY_COLUMNS = ("ro_id", "action", "field", "old_value", "new_value", "actor", "source", "at")


def _driver_insert(s, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain rows (ints, text, times as text) straight to the driver's executemany: the history
    and activity tables get about twenty rows per RO, and SQLAlchemy's per-row parameter
    processing was most of the seeding time."""
    if not rows:
        return
    conn = s.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(mark for _ in columns)})"
    conn.exec_driver_sql(sql, rows)


def _sql_time(value: datetime) -> str:
    """A datetime in SQLAlchemy's own text form, which SQLite stores and MySQL/MariaDB parse."""
    return value.isoformat(" ", "microseconds")


# ---- inventory demo data ------------------------------------------------------------------------
# Part numbers in the shapes real stock lists have: OEM numbers with dash numbers, MS/AN/NAS
# standard hardware, Boeing BAC numbers, vendor numbers with letters in the middle.
_PN_SHAPES = (
    lambda r: f"{r.randint(10, 999):03d}-{r.randint(10000, 99999)}-{r.randint(1, 30)}",
    lambda r: f"{r.randint(1000000, 9999999)}-{r.randint(1, 12)}",
    lambda r: f"{r.randint(100, 999)}A{r.randint(1000, 9999)}-{r.randint(1, 40)}",
    lambda r: f"MS{r.randint(20000, 29999)}-{r.randint(1, 400)}",
    lambda r: f"AN{r.randint(3, 960)}-{r.randint(3, 16)}{r.choice(['', 'A', 'L', 'C'])}",
    lambda r: (
        f"NAS{r.randint(1000, 1999)}{r.choice('CFH')}{r.randint(1, 40):02d}"
        f"{r.randint(10, 99)}{r.choice(['', 'P', 'L'])}"
    ),
    lambda r: f"BACB30{r.choice(['LH', 'NN', 'VF', 'FM'])}{r.randint(3, 8)}-{r.randint(2, 40)}",
    lambda r: f"{r.choice('CDGSZ')}{r.randint(1000, 99999)}-{r.randint(1, 9)}",
    lambda r: f"{r.randint(60, 69)}-{r.randint(10000, 99999)}-{r.randint(1, 15)}",
    lambda r: f"{r.randint(800, 899)}-{r.randint(1000, 9999)}-{r.randint(1, 40):03d}",
)
_NOUNS = (
    ("O-RING", ("PACKING", "PREFORMED")),
    ("WASHER", ("FLAT", "LOCK", "COUNTERSUNK")),
    ("BOLT", ("HEX HEAD", "CLOSE TOLERANCE", "MACHINE")),
    ("NUT", ("SELF-LOCKING", "CASTLE", "PLATE")),
    ("SCREW", ("MACHINE", "PAN HEAD", "FLUSH")),
    ("SEAL", ("LIP", "SHAFT", "HYDRAULIC")),
    ("GASKET", ("EXHAUST", "OIL FILTER", "FLANGE")),
    ("BEARING", ("BALL", "ROLLER", "SPHERICAL")),
    ("FILTER ELEMENT", ("HYDRAULIC", "FUEL", "OIL")),
    ("VALVE", ("CHECK", "BLEED AIR", "SHUTOFF", "RELIEF")),
    ("PUMP", ("HYDRAULIC, ENGINE DRIVEN", "FUEL BOOST", "AC MOTOR")),
    ("ACTUATOR", ("FLAP", "MAIN LANDING GEAR", "TRIM")),
    ("SENSOR", ("TEMPERATURE", "PRESSURE", "PROXIMITY")),
    ("SWITCH", ("PRESSURE", "TOGGLE", "MICRO")),
    ("RELAY", ("POWER", "TIME DELAY")),
    ("CLAMP", ("LOOP", "HOSE", "V-BAND")),
    ("HOSE ASSEMBLY", ("HYDRAULIC", "FUEL", "OXYGEN")),
    ("STARTER GENERATOR", ("28V DC",)),
    ("BRAKE ASSEMBLY", ("MAIN GEAR",)),
    ("WHEEL ASSEMBLY", ("MAIN", "NOSE")),
    ("TRANSDUCER", ("FUEL FLOW", "OIL PRESSURE")),
    ("IGNITION EXCITER", ("",)),
    ("INDICATOR", ("ATTITUDE", "FUEL QUANTITY", "EGT")),
    ("LIGHT ASSEMBLY", ("ANTI-COLLISION", "LANDING", "NAVIGATION")),
)
# (legacy table, location pattern, weight)
_STOCK_TABLES = (
    ("stock_room", lambda r: f"SHELF {r.choice('ABCDEFGH')}-{r.randint(1, 40):02d}", 40),
    ("bins_inventory", lambda r: f"BIN {r.choice('ABCDEF')}{r.randint(1, 99):02d}", 35),
    ("md82_parts", lambda r: f"MD82 CAGE {r.randint(1, 12)}", 8),
    ("727_parts", lambda r: f"727 RACK {r.randint(1, 9)}", 5),
    ("terra", lambda r: f"TERRA {r.choice('NS')}{r.randint(1, 20)}", 5),
    ("asia_ar_parts", lambda r: f"AR QUARANTINE {r.randint(1, 6)}", 4),
    ("delta_apa", lambda r: f"APA {r.randint(1, 30)}", 3),
)
_CONDITION_MIX = (("NE", 34), ("OH", 22), ("SV", 30), ("AR", 2), (None, 12))


def demo_inventory_rows(count: int, rng: random.Random, first_row: int = 1) -> Iterator[dict]:
    """`count` realistic stock lines; about one part number in five is stocked in two places.
    Source row numbers per legacy table start at `first_row`."""
    tables, table_weights = list(_STOCK_TABLES), [w for *_, w in _STOCK_TABLES]
    conditions, condition_weights = zip(*_CONDITION_MIX, strict=True)
    row_ids: dict[str, int] = {table: first_row - 1 for table, *_ in _STOCK_TABLES}
    previous: tuple[str, str] | None = None
    for _ in range(count):
        if previous and rng.random() < 0.2:
            part, description = previous
        else:
            noun, qualifiers = rng.choice(_NOUNS)
            qualifier = rng.choice(qualifiers)
            part = rng.choice(_PN_SHAPES)(rng)
            description = f"{noun}, {qualifier}" if qualifier else noun
        previous = (part, description)
        table, location, _ = rng.choices(tables, table_weights)[0]
        row_ids[table] += 1
        condition = rng.choices(conditions, condition_weights)[0]
        qty = rng.choices([0, 1, 2, 3, 4, 6, 10, 25, 100], [6, 10, 9, 8, 8, 15, 20, 15, 9])[0]
        yield {
            "part_number": part,
            "description": description,
            "qty": qty,
            "serial_number": f"SN{rng.randint(10000, 999999)}"
            if condition in ("OH", "SV", "AR") and qty <= 2
            else None,
            "condition": condition,
            "location": location(rng),
            "source_table": table,
            "source_row": row_ids[table],
        }


def ro_part_rows(rng: random.Random, first_row: int = 1) -> Iterator[dict]:
    """Stock of the repairable units demo ROs are about (`demo_lives.PARTS`): every stem on a
    rotables shelf with at least one unit, most of its dash numbers too, so an RO's part can be
    looked up and used from stock."""
    row = first_row - 1
    for stem, description, _work, _cost in PARTS:
        for i, part in enumerate(part_numbers(stem)):
            places = 1 if i else rng.choice([1, 2, 2, 3])
            if i and rng.random() < 0.35:
                continue
            for place in range(places):
                row += 1
                condition = rng.choice(["OH", "OH", "SV", "NE", "AR"])
                yield {
                    "part_number": part,
                    "description": description,
                    "qty": rng.choice([1, 1, 2, 3]) if place == 0 else rng.choice([0, 1, 2]),
                    "serial_number": f"SN{rng.randint(10000, 999999)}",
                    "condition": condition,
                    "location": f"ROTABLES R-{rng.randint(1, 24):02d}",
                    "source_table": "rotables",
                    "source_row": row,
                }


@dataclass
class InventoryDemoReport:
    created_items: int = 0
    created_transactions: int = 0
    skipped_reason: str | None = None

    def summary(self) -> str:
        if self.skipped_reason:
            return f"Demo inventory not loaded: {self.skipped_reason}."
        return (
            f"Demo inventory: {self.created_items} stock lines, "
            f"{self.created_transactions} usage transactions."
        )


def seed_inventory(
    app,
    parts: int = 3000,
    seed: int = 7,
    on_progress: Callable[[int], None] | None = None,
    *,
    if_empty: bool = False,
) -> InventoryDemoReport:
    """Stock lines (the ROs' parts among them) plus 120 days of DECREMENT history, so low
    stock has usage to work from."""
    from domain.importers.inventory_bulk import bulk_insert_items
    from domain.inventory.rules import search_key
    from domain.models import InventoryItem, InventoryTransaction

    rng = random.Random(seed * 1_000_003 + 11)
    report = InventoryDemoReport()
    with app.session() as s:
        if if_empty and s.scalar(select(func.count()).select_from(InventoryItem)):
            report.skipped_reason = "the database already has stock items"
            return report
        first_id = (s.scalar(select(func.max(InventoryItem.id))) or 0) + 1
        first_row = (s.scalar(select(func.max(InventoryItem.source_row))) or 0) + 1
        rotables = list(ro_part_rows(rng, first_row))[:parts]
        rows = chain(rotables, demo_inventory_rows(parts - len(rotables), rng, first_row))
        report.created_items = bulk_insert_items(s, rows, on_progress=on_progress)
        items = s.execute(
            select(InventoryItem.id, InventoryItem.part_number, InventoryItem.qty).where(
                InventoryItem.id >= first_id
            )
        ).all()
        # parts were taken for ROs that went to a shop (not ones still to send or cancelled)
        ros = list(
            s.scalars(
                select(RepairOrder.number)
                .where(RepairOrder.date_dropped_off.is_not(None))
                .order_by(RepairOrder.id)
                .limit(90)
            )
        ) or [str(FIRST_NUMBER + i) for i in range(0, 600, 7)]
        today = app.today()
        txns = []
        for item in rng.sample(items, k=min(len(items), max(1, len(items) // 6))):
            uses = sorted(rng.randint(0, 120) for _ in range(rng.choice([1, 1, 2, 3, 5, 8, 12])))
            # Newest first: the latest use left today's qty, each earlier one left one more.
            for units_after, days_ago in enumerate(uses, start=item.qty):
                at = datetime.combine(today - timedelta(days=days_ago), datetime.min.time())
                txns.append(
                    {
                        "at": at + timedelta(hours=rng.randint(7, 17), minutes=rng.randint(0, 59)),
                        "action": "DECREMENT",
                        "item_id": item.id,
                        "part_number": item.part_number,
                        "part_key": search_key(item.part_number),
                        "delta": -1,
                        "new_qty": units_after,
                        "ro_number": rng.choice(ros),
                        "note": "Demo usage",
                        "actor": SEED_ACTOR,
                    }
                )
        txns.sort(key=lambda t: t["at"])
        for start in range(0, len(txns), BATCH):
            s.execute(insert(InventoryTransaction.__table__), txns[start : start + BATCH])
        report.created_transactions = len(txns)
        s.commit()
    return report
