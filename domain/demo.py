"""Demo data that looks like a real repair desk: shops, ROs in every archive, history.

Deterministic for a given seed and "today". Written with bulk inserts (100,000 ROs in seconds)
because benchmarks use it; it is a loader, so it records one CREATE per RO in history and the
activity log and one `demo.seeded` event instead of one event per row.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, literal, select

from domain.archive import Archive, route_archive
from domain.followup import FollowUpPolicy
from domain.models import ActivityLog, DomainEvent, RepairOrder, Shop, StatusHistory, utcnow
from domain.statuses import Status

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
# (part-number stem, description, typical work, cost range USD)
PARTS = [
    ("066-50008", "HYDRAULIC PUMP, ENGINE DRIVEN", "OVERHAUL", (6_500, 28_000)),
    ("2206734", "STARTER GENERATOR", "OVERHAUL", (4_200, 16_000)),
    ("3214552", "FUEL CONTROL UNIT", "REPAIR/OVERHAUL", (9_000, 45_000)),
    ("2-1576-2", "MAIN WHEEL ASSEMBLY", "INSPECT/REPAIR", (1_200, 6_500)),
    ("2-1577-3", "BRAKE ASSEMBLY", "OVERHAUL", (2_800, 14_000)),
    ("D23189000", "MAIN LANDING GEAR ACTUATOR", "OVERHAUL", (7_500, 38_000)),
    ("114A1630", "FLAP ACTUATOR", "REPAIR", (3_100, 19_000)),
    ("3505582", "APU STARTER", "OVERHAUL", (3_900, 15_500)),
    ("1152682-2", "FUEL BOOST PUMP", "REPAIR", (2_100, 9_800)),
    ("G6993", "IGNITION EXCITER", "TEST/REPAIR", (900, 4_200)),
    ("822-1468", "VHF COMM TRANSCEIVER", "BENCH CHECK", (700, 5_500)),
    ("C20227", "OIL COOLER", "OVERHAUL", (1_800, 8_700)),
    ("3291238", "BLEED AIR VALVE", "REPAIR", (2_500, 12_000)),
    ("S6104-10111", "NOSE WHEEL STEERING ACTUATOR", "OVERHAUL", (4_800, 21_000)),
    ("7011460", "PROPELLER GOVERNOR", "OVERHAUL", (2_200, 9_400)),
    ("1706B", "ATTITUDE INDICATOR", "REPAIR", (650, 3_600)),
    ("65-49960", "CABIN PRESSURE CONTROLLER", "TEST/REPAIR", (1_400, 7_900)),
    ("9550-C", "AIR CYCLE MACHINE", "OVERHAUL", (11_000, 52_000)),
    ("CH34021", "CONSTANT SPEED DRIVE", "OVERHAUL", (14_000, 61_000)),
    ("ZS-5322", "WINDSHIELD WIPER MOTOR", "REPAIR", (450, 2_900)),
]
# (archive, status, weight)
MIX = [
    (Archive.ACTIVE, Status.TO_SEND, 3),
    (Archive.ACTIVE, Status.WAITING_QUOTE, 11),
    (Archive.ACTIVE, Status.APPROVED, 8),
    (Archive.ACTIVE, Status.IN_WORK, 12),
    (Archive.ACTIVE, Status.ON_HOLD, 1),
    (Archive.ACTIVE, Status.SHIPPED, 6),
    (Archive.ACTIVE, Status.RECEIVED, 3),
    (Archive.NET, Status.RECEIVED, 6),
    (Archive.NET, Status.COMPLETE, 6),
    (Archive.PAID, Status.PAID, 10),
    (Archive.PAID, Status.PAYMENT_SENT, 8),
    (Archive.PAID, Status.COMPLETE, 4),
    (Archive.RETURNS, Status.BER, 5),
    (Archive.RETURNS, Status.RAI, 6),
    (Archive.RETURNS, Status.SCRAP, 3),
    (Archive.RETURNS, Status.CANCELLED, 3),
]
BATCH = 5_000
SERIAL_LETTERS = "ABCDEFGHKLMPRSTUVW"


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

    def summary(self) -> str:
        if self.skipped_reason:
            return f"Demo data not loaded: {self.skipped_reason}."
        span = f" (RO {self.first_number}–{self.last_number})" if self.created_ros else ""
        return f"Demo data: {self.created_shops} shops, {self.created_ros} repair orders{span}."


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
    """Insert `spec.shops` shops (skipping names that exist) and `spec.ros` repair orders."""
    rng = random.Random(spec.seed)
    today: date = app.today()
    policy: FollowUpPolicy = app.repair_orders.policy
    report = DemoReport()
    with app.session() as s:
        if if_empty and s.scalar(select(func.count()).select_from(RepairOrder)):
            report.skipped_reason = "the database already has repair orders"
            return report
        existing = set(s.scalars(select(Shop.name_key)))
        new_shops = [row for row in _shop_rows(spec.shops, rng) if row["name_key"] not in existing]
        if new_shops:
            s.execute(insert(Shop), new_shops)
        report.created_shops = len(new_shops)
        shops = s.execute(select(Shop.id, Shop.name, Shop.name_key, Shop.payment_terms)).all()[
            : max(spec.shops, 1)
        ]
        start = max(
            (s.scalar(select(func.max(RepairOrder.seq))) or FIRST_NUMBER - 1) + 1, FIRST_NUMBER
        )
        weights = [w for *_, w in MIX]
        batch: list[dict] = []
        now = utcnow()
        for i in range(spec.ros):
            archive, status, _ = rng.choices(MIX, weights)[0]
            shop = rng.choice(shops)
            terms = shop.payment_terms
            if status in (Status.RECEIVED, Status.COMPLETE) and archive is not Archive.ACTIVE:
                terms = rng.choice(
                    ["NET 30", "NET 45"] if archive is Archive.NET else ["COD", "PREPAID"]
                )
                archive = route_archive(status, terms).archive or archive
            stem, description, work, (low, high) = rng.choice(PARTS)
            age = rng.randint(8, 420) if archive is not Archive.ACTIVE else rng.randint(2, 150)
            made = today - timedelta(days=age)
            status_date = made + timedelta(days=rng.randint(0, max(age - 1, 0)))
            wait = policy.wait_days(status, terms) or 7
            if archive is Archive.ACTIVE:  # chased recently, as a working desk would
                last = max(today - timedelta(days=rng.randint(0, wait)), status_date)
            else:
                last = status_date + timedelta(days=rng.randint(0, 5))
            next_update = policy.next_update(status, terms, last)
            if archive is Archive.ACTIVE and rng.random() < 0.22 and next_update is not None:
                next_update = today - timedelta(days=rng.choice([1, 2, 3, 5, 8, 13, 21, 34, 45]))
            estimate = Decimal(rng.randint(low, high)).quantize(Decimal("0.01"))
            final = None
            if archive in (Archive.NET, Archive.PAID) or status in (Status.BER, Status.RAI):
                final = (estimate * Decimal(rng.uniform(0.85, 1.2))).quantize(Decimal("0.01"))
                if status in (Status.BER, Status.RAI):
                    final = Decimal(rng.choice([150, 250, 350, 450])).quantize(Decimal("0.01"))
            number = start + i
            batch.append(
                {
                    "number": str(number),
                    "seq": number,
                    "archive": archive.value,
                    "date_made": made,
                    "shop_id": shop.id,
                    "shop_name": shop.name,
                    "shop_key": shop.name_key,
                    "part_number": f"{stem}-{rng.randint(1, 9)}" if rng.random() < 0.4 else stem,
                    "serial_number": f"{rng.choice(SERIAL_LETTERS)}{rng.randint(1000, 99999)}",
                    "part_description": description,
                    "required_work": work,
                    "date_dropped_off": made + timedelta(days=rng.randint(0, 3)),
                    "estimated_cost": estimate,
                    "final_cost": final,
                    "terms": terms,
                    "shop_ref": f"WO-{rng.randint(10000, 99999)}"
                    if status is not Status.TO_SEND
                    else None,
                    "estimated_delivery": made + timedelta(days=rng.randint(20, 90)),
                    "status": status.value,
                    "status_date": status_date,
                    "tracking_number": f"1Z{rng.randint(10**15, 10**16 - 1)}"
                    if status is Status.SHIPPED
                    else None,
                    "notes": rng.choice(
                        [
                            None,
                            None,
                            "Customer AOG — expedite",
                            "Quote requested by phone",
                            "Core charge applies",
                            "Shop requested teardown approval",
                        ]
                    ),
                    "last_updated": last,
                    "next_update": next_update if archive is Archive.ACTIVE else None,
                    "version": 1,
                    "created_at": now,
                    "updated_at": now,
                }
            )
            if len(batch) >= BATCH:
                s.execute(insert(RepairOrder.__table__), batch)
                if on_progress:
                    on_progress(len(batch))
                batch = []
        if batch:
            s.execute(insert(RepairOrder.__table__), batch)
            if on_progress:
                on_progress(len(batch))
        if spec.ros:
            ro = RepairOrder
            first = ro.seq >= start
            s.execute(
                insert(StatusHistory).from_select(
                    ["ro_id", "status", "changed_by", "changed_at", "note"],
                    select(
                        ro.id, ro.status, literal(SEED_ACTOR), ro.created_at, literal("Demo data")
                    ).where(first),
                )
            )
            s.execute(
                insert(ActivityLog).from_select(
                    ["ro_id", "action", "new_value", "actor", "source", "at"],
                    select(
                        ro.id,
                        literal("CREATE"),
                        ro.number,
                        literal(SEED_ACTOR),
                        literal("demo"),
                        ro.created_at,
                    ).where(first),
                )
            )
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
    return report


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
    """Stock lines plus 120 days of DECREMENT history, so low stock has usage to work from."""
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
        report.created_items = bulk_insert_items(
            s, demo_inventory_rows(parts, rng, first_row), on_progress=on_progress
        )
        items = s.execute(
            select(InventoryItem.id, InventoryItem.part_number, InventoryItem.qty).where(
                InventoryItem.id >= first_id
            )
        ).all()
        ros = [str(FIRST_NUMBER + i) for i in range(0, 600, 7)]
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
