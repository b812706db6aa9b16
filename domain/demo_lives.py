"""Each demo RO's life, simulated through the real rules: no database, deterministic for a seed.

An RO is made, moves along its statuses (each move checked by `statuses.check_transition`), is
chased when its follow-up falls due (a sent email or a phone call, each moving last/next update
by `FollowUpPolicy`), gets its quote, ETA, tracking and invoice on the days they would come, and
is archived where `archive.route_archive` sends it. What it looks like today is simply where that
life got to, so every figure agrees with its history: an RO is overdue only because nobody
touched it after its follow-up fell due, and an open RO's ETA has passed only because the shop
is late. `domain/demo.py` writes the lives with bulk inserts.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from domain.archive import Archive, route_archive
from domain.email_templates import RoFacts, follow_up
from domain.followup import FollowUpPolicy
from domain.statuses import EARLY_EXITS, Status, check_transition
from domain.values import activity_text as _text

# The desk: who changes ROs, who approves the emails (actors as the real services record them).
DESK = (
    "terry.ortiz@genthrust.local",
    "jordan.lee@genthrust.local",
    "priya.nair@genthrust.local",
)
APPROVERS = ("dana.whitfield@genthrust.local", "alex.morgan@genthrust.local")
WORK_SOURCE = "chat"
EMAIL_SOURCE = "email"  # the sender records a sent email as its approver, source "email"

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
DASH_NUMBERS = 3  # ROs carry a stem or a dash number of it: 066-50008, 066-50008-1 .. -3


def part_numbers(stem: str) -> list[str]:
    """The part numbers demo ROs use for one stem (the demo inventory stocks them)."""
    return [stem, *(f"{stem}-{n}" for n in range(1, DASH_NUMBERS + 1))]


# Where an RO ends up today: (archive, status, weight).
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
# Days an RO typically stays in a status before the next one (low, high).
STAY = {
    Status.TO_SEND: (0, 4),
    Status.WAITING_QUOTE: (3, 24),
    Status.APPROVED: (1, 12),
    Status.IN_WORK: (8, 50),
    Status.ON_HOLD: (5, 40),
    Status.SHIPPED: (2, 8),
    Status.RECEIVED: (1, 12),
    Status.COMPLETE: (5, 40),
    Status.PAID: (15, 45),
}
# Where an RO's life ends with nothing left to chase (the follow-up rule says none).
_NOT_CHASED = frozenset(
    {Status.PAYMENT_SENT, Status.BER, Status.RAI, Status.CANCELLED, Status.SCRAP}
)
NEGLECT = 0.12  # chance the desk lets a due follow-up slip (from then on the RO is overdue)
NEW_ETA = 0.75  # chance a late shop gives a new ETA when chased
EMAIL = 0.35  # chance a chase is an email (else a phone call noted as the shop's status)
SERIAL_LETTERS = "ABCDEFGHKLMPRSTUVW"
NOTES = (
    None,
    None,
    None,
    "Customer AOG — expedite",
    "Quote requested by phone",
    "Core charge applies",
    "Shop requested teardown approval",
)
SHOP_SAYS = {
    Status.TO_SEND: ("Awaiting unit",),
    Status.WAITING_QUOTE: ("Received, in teardown", "Quote in preparation", "Quote expected soon"),
    Status.APPROVED: ("Work order opened", "Awaiting parts", "Scheduled for the bench"),
    Status.IN_WORK: ("In repair", "Awaiting parts", "In repair", "In test", "Final inspection"),
    Status.ON_HOLD: ("On hold pending customer", "Awaiting core"),
    Status.SHIPPED: ("Shipped, in transit", "Delivered to carrier"),
    Status.RECEIVED: ("Invoice sent",),
}
# Status notes the desk writes for the moves worth explaining.
STATUS_NOTES = {
    Status.BER: "Shop teardown: beyond economical repair",
    Status.RAI: "Quote declined; returned as is",
    Status.SCRAP: "Unit scrapped per shop findings",
    Status.CANCELLED: "Customer cancelled the repair",
    Status.ON_HOLD: "Waiting on customer approval",
}


@dataclass(frozen=True)
class ShopFacts:
    id: int
    name: str
    name_key: str
    email: str | None
    contact: str | None
    payment_terms: str | None


@dataclass(frozen=True)
class StatusStep:
    at: datetime  # the desk's local time
    status: Status
    previous: Status | None
    actor: str
    note: str | None = None


@dataclass(frozen=True)
class Change:
    """One activity-log row (the real services' actions and field names)."""

    at: datetime  # the desk's local time
    action: str
    field: str | None
    old: str | None
    new: str | None
    actor: str
    source: str = WORK_SOURCE


@dataclass(frozen=True)
class SentEmail:
    drafted_at: datetime  # the desk's local time; approved and sent minutes later
    sent_at: datetime
    drafted_by: str
    approved_by: str
    reason: str  # follow_up (chased the day it fell due) or overdue
    subject: str
    body_html: str
    ro_status: str


@dataclass
class RoLife:
    row: dict  # the repair_orders columns (no id)
    statuses: list[StatusStep] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    emails: list[SentEmail] = field(default_factory=list)


def _path(target: Status, rng: random.Random) -> list[Status]:
    """The statuses an RO passed through to reach `target`, as a desk would move it."""
    if target is Status.ON_HOLD:
        paused = rng.choice([Status.WAITING_QUOTE, Status.APPROVED, Status.IN_WORK])
        return [*_path(paused, rng), Status.ON_HOLD]
    if target in (Status.BER, Status.RAI, Status.SCRAP, Status.CANCELLED):
        if target is Status.CANCELLED:
            before = rng.choice([Status.TO_SEND, Status.WAITING_QUOTE])
        elif target is Status.BER:
            before = Status.WAITING_QUOTE
        else:  # RAI and SCRAP: declined at the quote, or found at receiving inspection
            before = rng.choice([Status.WAITING_QUOTE, Status.WAITING_QUOTE, Status.RECEIVED])
        return [*_path(before, rng), target]
    line = [Status.TO_SEND, Status.WAITING_QUOTE, Status.APPROVED, Status.IN_WORK,
            Status.SHIPPED, Status.RECEIVED, Status.COMPLETE, Status.PAID,
            Status.PAYMENT_SENT]  # fmt: skip
    steps = line[: line.index(target) + 1]
    optional = {Status.TO_SEND: 0.6, Status.APPROVED: 0.15, Status.COMPLETE: 0.3}
    return [s for s in steps if s is target or rng.random() >= optional.get(s, 0.0)]


class _Life:
    """Plays one RO's life forward, day by day, recording what the services would record."""

    def __init__(self, number, rng, policy, shop, terms, today, now):
        self.number = number
        self.rng, self.policy, self.shop, self.terms = rng, policy, shop, terms
        self.today, self.now = today, now
        self.life = RoLife(row={})
        self.status: Status | None = None
        self.status_date: date | None = None
        self.calls = 0  # phone calls to the shop in the current status
        self.last: date | None = None
        self.next: date | None = None
        self.archive = Archive.ACTIVE
        self.fields: dict = {}
        self.clock: dict[date, datetime] = {}

    def at(self, day: date) -> datetime:
        """A working-hours time on `day`, later than anything already recorded that day, and
        not after now."""
        start = self.clock.get(day) or datetime.combine(day, time(8, self.rng.randint(0, 50)))
        moment = start + timedelta(minutes=self.rng.randint(3, 95))
        self.clock[day] = moment
        return min(moment, self.now)

    def touch(self, day: date) -> None:
        """Any manual update or sent email (REFERENCE §1): last = that day, next by the rule."""
        self.last = day
        self.next = self.policy.next_update(self.status, self.terms, day)

    def set(self, when: datetime, actor: str, name: str, value, source=WORK_SOURCE) -> None:
        old = self.fields.get(name)
        if old == value:
            return
        self.fields[name] = value
        self.life.changes.append(
            Change(when, "UPDATE", name, _text(old), _text(value), actor, source)
        )

    def move(self, day: date, new: Status, note: str | None = None) -> datetime:
        check_transition(self.status, new)
        who = self.rng.choice(DESK)
        when = self.at(day)
        old = self.status
        self.life.statuses.append(StatusStep(when, new, old, who, note))
        if old is None:
            self.life.changes.append(Change(when, "CREATE", None, None, self.number, who))
        else:
            self.life.changes.append(
                Change(when, "STATUS_CHANGE", "status", old.value, new.value, who)
            )
            if note:
                self.life.changes.append(Change(when, "NOTE_ADDED", "status_note", None, note, who))
        self.status, self.status_date = new, day
        self.calls = 0
        self.touch(day)
        return when

    def file(self, when: datetime) -> None:
        """Archive the RO where its status and terms send it, if that is not where it is."""
        where = route_archive(self.status, self.terms).archive
        if where is None or where is self.archive or where is Archive.ACTIVE:
            return
        who = self.rng.choice(DESK)
        self.life.changes.append(
            Change(
                when + timedelta(minutes=2),
                "ARCHIVE",
                "archive",
                self.archive.value,
                where.value,
                who,
            )
        )
        self.archive = where

    def chase(self, until: date, *, may_slip: bool) -> None:
        """Follow up each time the next update falls due, before `until` (exclusive)."""
        while self.next is not None and self.next < until and self.archive is Archive.ACTIVE:
            if may_slip and self.rng.random() < NEGLECT:
                return
            day = self.next + timedelta(days=self.rng.choice([0, 0, 0, 1, 2]))
            if day >= until:
                return
            late = self.next < day
            if self.shop.email and self.rng.random() < EMAIL:
                self._email(day, late)
            else:
                who = self.rng.choice(DESK)
                says = SHOP_SAYS.get(self.status, ("Status confirmed",))
                said = says[min(self.calls, len(says) - 1)]  # the work moves on between calls
                self.calls += 1
                when = self.at(day)
                self.set(when, who, "shop_status", f"{said} ({day:%m/%d})")  # a new note
                self._maybe_new_eta(day, when, who)
                self.touch(day)

    def _maybe_new_eta(self, day: date, when: datetime, who: str, source=WORK_SOURCE) -> None:
        eta = self.fields.get("estimated_delivery")
        late = eta is not None and eta < day
        still_at_shop = self.status in (Status.APPROVED, Status.IN_WORK, Status.ON_HOLD)
        if late and still_at_shop and self.rng.random() < NEW_ETA:
            new = day + timedelta(days=self.rng.randint(7, 30))
            self.set(when, who, "estimated_delivery", new, source)

    def _email(self, day: date, late: bool) -> None:
        drafter = self.rng.choice(DESK)
        approver = self.rng.choice(APPROVERS)
        drafted = self.at(day)
        sent = self.at(day)
        f = self.fields
        draft = follow_up(
            RoFacts(
                number=self.number,
                status=self.status,
                status_date=self.status_date,
                part_number=f.get("part_number"),
                part_description=f.get("part_description"),
                serial_number=f.get("serial_number"),
                shop_ref=f.get("shop_ref"),
                tracking_number=f.get("tracking_number"),
                estimated_delivery=f.get("estimated_delivery"),
            ),
            self.shop.contact,
        )
        self.life.emails.append(
            SentEmail(
                drafted,
                sent,
                drafter,
                approver,
                "overdue" if late else "follow_up",
                draft.subject,
                draft.body_html,
                self.status.value,
            )
        )
        self.life.changes.append(
            Change(drafted, "DRAFT_CREATED", "email", None, draft.subject, drafter)
        )
        old_dates = {"last_updated": self.last, "next_update": self.next}
        self.touch(day)
        # as RepairOrderService.record_email_sent: what was sent, then each date it moved
        self.life.changes.append(
            Change(sent, "EMAIL_SENT", "email", None, draft.subject, approver, EMAIL_SOURCE)
        )
        new_dates = {"last_updated": self.last, "next_update": self.next}
        for name, old in old_dates.items():
            if old != new_dates[name]:
                self.life.changes.append(
                    Change(
                        sent,
                        "UPDATE",
                        name,
                        _text(old),
                        _text(new_dates[name]),
                        approver,
                        EMAIL_SOURCE,
                    )
                )
        # the shop's answer to a late repair: a new ETA, typed in by whoever read it
        self._maybe_new_eta(day, self.at(day), drafter)


def _stay(status: Status, rng: random.Random) -> int:
    low, high = STAY.get(status, (1, 10))
    return rng.randint(low, high)


def simulate(
    count: int,
    shops: Sequence[ShopFacts],
    today: date,
    now: datetime,
    policy: FollowUpPolicy,
    rng: random.Random,
    first_number: int,
) -> Iterator[RoLife]:
    """`count` RO lives, numbered from `first_number`, ending today. `now` (the desk's local
    time) caps today's events."""
    weights = [w for *_, w in MIX]
    serials: dict[str, list[str]] = {}
    for i in range(count):
        archive, target, _w = rng.choices(MIX, weights)[0]
        shop = rng.choice(shops)
        terms = shop.payment_terms
        if target in (Status.RECEIVED, Status.COMPLETE) and archive is not Archive.ACTIVE:
            net = archive is Archive.NET
            terms = rng.choice(["NET 30", "NET 45"] if net else ["COD", "PREPAID"])
        if target is Status.PAID and not terms:
            terms = "NET 30"
        path = _path(target, rng)
        stays = [_stay(s, rng) for s in path[:-1]]
        if archive is Archive.ACTIVE:
            low, high = STAY.get(target, (1, 10))
            since_last = rng.randint(0, high + (high - low) // 2)
        else:
            since_last = rng.randint(1, 300)
        made = today - timedelta(days=sum(stays) + since_last)
        life = _Life(str(first_number + i), rng, policy, shop, terms, today, now)
        yield _live(life, archive, made, path, stays, serials)


def _live(life: _Life, archive: Archive, made: date, path, stays, serials) -> RoLife:
    rng, shop, terms, today = life.rng, life.shop, life.terms, life.today
    stem, description, work, (low, high) = rng.choice(PARTS)
    part = rng.choice(part_numbers(stem)) if rng.random() < 0.4 else stem
    known = serials.setdefault(part, [])
    if known and rng.random() < 0.06:  # the same unit back again
        serial = rng.choice(known)
    else:
        serial = f"{rng.choice(SERIAL_LETTERS)}{rng.randint(1000, 99999)}"
        known.append(serial)
    life.fields.update(
        part_number=part,
        serial_number=serial,
        part_description=description,
        required_work=work,
        terms=terms,
        notes=rng.choice(NOTES),
    )
    estimate = Decimal(rng.randint(low, high)).quantize(Decimal("0.01"))
    day = made
    for i, status in enumerate(path):
        last_step = i == len(path) - 1
        when = life.move(day, status, STATUS_NOTES.get(status) if rng.random() < 0.7 else None)
        who = life.life.statuses[-1].actor
        if status is Status.WAITING_QUOTE:  # the unit goes to the shop, which opens a job
            if i:  # created as TO SEND: the drop-off is news; otherwise a field of the new RO
                life.set(when, who, "date_dropped_off", day)
            else:
                life.fields["date_dropped_off"] = day
            life.set(when, who, "shop_ref", f"WO-{rng.randint(10000, 99999)}")
        if status in (Status.APPROVED, Status.IN_WORK) and "estimated_cost" not in life.fields:
            life.set(when, who, "estimated_cost", estimate)
            life.set(when, who, "estimated_delivery", day + timedelta(days=rng.randint(14, 50)))
        if status is Status.SHIPPED:
            life.set(when, who, "tracking_number", f"1Z{rng.randint(10**15, 10**16 - 1)}")
            life.set(when, who, "estimated_delivery", day + timedelta(days=rng.randint(3, 8)))
        if status is Status.RECEIVED:
            final = (estimate * Decimal(rng.uniform(0.85, 1.2))).quantize(Decimal("0.01"))
            life.set(when, who, "final_cost", final)
        if status in (Status.BER, Status.RAI):
            fee = Decimal(rng.choice([150, 250, 350, 450])).quantize(Decimal("0.01"))
            life.set(when, who, "final_cost", fee)
        # filed when done at this stage: not before an inspection that can still reject it,
        # and an open RO that is back waits for the desk to archive it
        if (archive is not Archive.ACTIVE) if last_step else path[i + 1] not in EARLY_EXITS:
            life.file(when)
        end = today + timedelta(days=1) if last_step else day + timedelta(days=stays[i])
        if life.archive is Archive.ACTIVE and not (last_step and status in _NOT_CHASED):
            life.chase(end, may_slip=last_step)
        if not last_step:
            day = end
    f = life.fields
    life.life.row = {
        "archive": life.archive.value,
        "date_made": made,
        "shop_id": shop.id,
        "shop_name": shop.name,
        "shop_key": shop.name_key,
        "part_number": f["part_number"],
        "serial_number": f["serial_number"],
        "part_description": f["part_description"],
        "required_work": f["required_work"],
        "date_dropped_off": f.get("date_dropped_off"),
        "estimated_cost": f.get("estimated_cost"),
        "final_cost": f.get("final_cost"),
        "terms": terms,
        "shop_ref": f.get("shop_ref"),
        "estimated_delivery": f.get("estimated_delivery"),
        "status": life.status.value,
        "status_date": life.status_date,
        "shop_status": f.get("shop_status"),
        "tracking_number": f.get("tracking_number"),
        "notes": f.get("notes"),
        "last_updated": life.last,
        "next_update": life.next,
    }
    return life.life
