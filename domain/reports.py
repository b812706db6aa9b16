"""The vendor scorecard: spend, turnaround, quote latency, on-time rate and outcomes per shop.

Every figure is computed by the database (GROUP BY; medians and p90s with window functions, so
only a few rows per shop come back), on SQLite and MariaDB alike. The dates:

- RO date: `date_made`, else `date_dropped_off` (spend and outcomes are dated by it);
- dropped off: `date_dropped_off`, else `date_made` (counted in `from_date_made`, and said);
- received: the first status change into RECEIVED or a later stage (COMPLETE, PAID, ...);
- quote approved: the first status change into APPROVED.

Durations are dated by their end (a turnaround "in Q3" is an RO received in Q3). A duration
below zero is a data-entry slip (received before it was dropped off) and is left out.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import DateTime, Integer, and_, case, extract, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from domain.costs import cost_columns, cost_totals, counted
from domain.documents.certificates import CertificateFields, match_certificate
from domain.documents.gate import GATED
from domain.documents.kinds import DocumentKind
from domain.errors import InvalidInput, NotFound
from domain.local_time import day_starts_at, utc_offsets
from domain.models import ActivityLog, Document, RepairOrder, Shop, StatusHistory
from domain.periods import Period
from domain.repair_orders import NO_SHOP, shop_key
from domain.statuses import RECEIVED_ONWARD, Status
from domain.values import clean_text, escape_like

MIN_SAMPLE = 3  # "slowest shop" among shops with at least this many ROs, when there are any
RECEIVED_STAGES = tuple(s.value for s in RECEIVED_ONWARD)
APPROVED_STAGES = (Status.APPROVED.value,)
OUTCOMES = (Status.BER.value, Status.RAI.value, Status.SCRAP.value)


class days_between(FunctionElement):  # a SQL function, named like one
    """Whole days from `start` to `end` (dates or datetimes; time of day ignored)."""

    type = Integer()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(julianday(date({end})) - julianday(date({start})) AS INTEGER)"


@compiles(days_between, "mysql")
@compiles(days_between, "mariadb")
def _days_mysql(element, compiler, **kw) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"DATEDIFF({end}, {start})"


@compiles(days_between)
def _days_default(element, compiler, **kw) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CAST({end} AS DATE) - CAST({start} AS DATE))"


class plus_minutes(FunctionElement):  # a SQL function, named like one
    """The datetime `at` moved by `minutes` (an integer expression)."""

    type = DateTime()
    inherit_cache = True
    name = "plus_minutes"


@compiles(plus_minutes, "sqlite")
def _plus_sqlite(element, compiler, **kw) -> str:
    at, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"datetime({at}, ({minutes}) || ' minutes')"


@compiles(plus_minutes, "mysql")
@compiles(plus_minutes, "mariadb")
def _plus_mysql(element, compiler, **kw) -> str:
    at, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"DATE_ADD({at}, INTERVAL ({minutes}) MINUTE)"


@compiles(plus_minutes)
def _plus_default(element, compiler, **kw) -> str:
    at, minutes = (compiler.process(c, **kw) for c in element.clauses)
    return f"({at} + ({minutes}) * INTERVAL '1 minute')"


# ---- typed rows -----------------------------------------------------------------------------
@dataclass(frozen=True)
class SpendRow:
    """Spend = final cost where there is one, else the estimate (counted apart, so it shows)."""

    group: str  # shop name, or "YYYY-MM"
    ros: int
    spend: Decimal
    final: Decimal  # sum of final costs
    estimated: Decimal  # sum of estimates of ROs without a final cost
    with_final: int
    estimate_only: int
    no_cost: int


@dataclass(frozen=True)
class DurationRow:
    shop: str
    ros: int
    mean_days: float
    median_days: float
    p90_days: int
    from_date_made: int  # ROs without a drop-off date, measured from their RO date


@dataclass(frozen=True)
class OnTimeRow:
    shop: str
    received: int
    with_eta: int
    on_time: int
    late: int
    on_time_rate: float | None  # on_time / with_eta
    mean_days_late: float | None


@dataclass(frozen=True)
class OutcomeRow:
    shop: str
    ros: int
    ber: int
    rai: int
    scrap: int
    rate: float  # (ber + rai + scrap) / ros


@dataclass(frozen=True)
class CertificateRow:
    """ROs at RECEIVED or later and their release certificates; each RO is matched, has no
    certificate, or has only certificates that do not match. Overrides are counted besides."""

    shop: str
    received: int
    matched: int
    no_certificate: int
    mismatched: int
    overridden: int
    no_certificate_ros: tuple[str, ...]
    mismatched_ros: tuple[str, ...]
    overridden_ros: tuple[str, ...]

    @property
    def problems(self) -> int:
        return self.no_certificate + self.mismatched


Row = SpendRow | DurationRow | OnTimeRow | OutcomeRow | CertificateRow


def row_dict(row: Row) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, Decimal):
            return f"{v:.2f}"
        return list(v) if isinstance(v, tuple) else v

    return {k: plain(v) for k, v in asdict(row).items()}


@dataclass(frozen=True)
class Report:
    kind: str
    title: str
    period: Period
    shop: str | None
    part: str | None
    columns: tuple[str, ...]
    rows: list[Row]
    summary: dict[str, Any]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "period": self.period.as_dict(),
            "shop": self.shop,
            "part": self.part,
            "columns": list(self.columns),
            "rows": [row_dict(r) for r in self.rows],
            "summary": {
                k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in self.summary.items()
            },
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class ReportFilter:
    period: Period
    shop: str | None = None  # contained in the shop's name (as the RO list matches it)
    part: str | None = None  # every word found in the part number or description
    tz: tzinfo = UTC  # the desk's: the period's days, and the day a status changed, are its


# ---- filters --------------------------------------------------------------------------------
def _words(text: str) -> list[str]:
    # "hydraulic pumps" finds "HYDRAULIC PUMP": a plural's s is dropped.
    words = []
    for w in text.split():
        words.append(w[:-1] if len(w) > 3 and w.lower().endswith("s") else w)
    return words


def clean_filter(session: Session, shop: str | None, part: str | None) -> tuple[str | None, ...]:
    """The shop and part texts, checked: a shop that matches nothing is refused with the
    closest names; a part that no RO mentions is refused too."""
    shop_text = clean_text(shop, field="shop", max_chars=200)
    part_text = clean_text(part, field="part", max_chars=200)
    if shop_text:
        key = shop_key(shop_text) or ""
        pattern = f"%{escape_like(key)}%"
        hit = session.scalar(
            select(RepairOrder.id).where(RepairOrder.shop_key.like(pattern, escape="\\")).limit(1)
        )
        if hit is None:
            names = [n for n in session.scalars(select(RepairOrder.shop_key).distinct()) if n]
            names += [n for n in session.scalars(select(Shop.name_key)) if n]
            close = difflib.get_close_matches(key, sorted(set(names)), n=3, cutoff=0.5)
            hint = f"; did you mean {', '.join(close)}?" if close else "."
            raise NotFound(f'No shop matches "{shop_text}"{hint}')
    if part_text:
        hit = session.scalar(select(RepairOrder.id).where(_part_match(part_text)).limit(1))
        if hit is None:
            raise NotFound(f'No RO\'s part number or description matches "{part_text}".')
    return shop_text, part_text


def _part_match(part: str):
    ro = RepairOrder
    return and_(
        *(
            or_(
                ro.part_number.ilike(f"%{escape_like(w)}%", escape="\\"),
                ro.part_description.ilike(f"%{escape_like(w)}%", escape="\\"),
            )
            for w in _words(part)
        )
    )


def _where(flt: ReportFilter) -> list:
    ro = RepairOrder
    conditions = []
    if flt.shop:
        key = escape_like(shop_key(flt.shop) or "")
        conditions.append(ro.shop_key.like(f"%{key}%", escape="\\"))
    if flt.part:
        conditions.append(_part_match(flt.part))
    return conditions


def _bounds(flt: ReportFilter) -> tuple[datetime, datetime]:
    """The period's first and last instants (stored UTC): from the desk's midnight that starts
    it to the one that ends it."""
    return day_starts_at(flt.period.start, flt.tz), day_starts_at(
        flt.period.end + timedelta(days=1), flt.tz
    )


def _desk_clock(at: Any, tz: tzinfo, lo: datetime, hi: datetime) -> Any:
    """The stored UTC time `at`, within the period's bounds `lo`-`hi`, read on the desk's
    clock — so the days between it and a date are the desk's (a unit received at 21:00 in New
    York is received that day, not the next)."""
    offsets = utc_offsets(tz, lo, hi)
    if len(offsets) == 1:
        minutes = offsets[0][1]
        return at if minutes == 0 else plus_minutes(at, literal(minutes))
    then = [(at < changes, minutes) for (_, minutes), (changes, _) in pairwise(offsets)]
    return plus_minutes(at, case(*then, else_=offsets[-1][1]))


def _first_change(statuses: tuple[str, ...]):
    """Per RO, when its status first changed into one of `statuses`."""
    h = StatusHistory
    return (
        select(h.ro_id, func.min(h.changed_at).label("at"))
        .where(h.status.in_(statuses))
        .group_by(h.ro_id)
        .subquery()
    )


def _shop_label(key: str | None, name: str | None) -> str:
    return name or key or NO_SHOP


RO_DATE = func.coalesce(RepairOrder.date_made, RepairOrder.date_dropped_off)
# Grouping by an expression, not the bare column: on the bare indexed column SQLite walks the
# shop index and looks every RO up one by one (10-20x slower than one scan of the table).
SHOP = func.coalesce(RepairOrder.shop_key, "")
DROPPED_OFF = func.coalesce(RepairOrder.date_dropped_off, RepairOrder.date_made)


# ---- spend ----------------------------------------------------------------------------------
def _spend(session: Session, flt: ReportFilter, by: str) -> list[SpendRow]:
    ro = RepairOrder
    if by == "shop":
        keys: list = [SHOP]
        label = func.max(ro.shop_name)
    else:
        keys = [extract("year", RO_DATE), extract("month", RO_DATE)]
        label = literal("")
    query = (
        select(*keys, label, *cost_columns())
        .where(RO_DATE.between(flt.period.start, flt.period.end), *_where(flt))
        .group_by(*keys)
    )
    rows = []
    for r in session.execute(query):
        if by == "shop":
            group = _shop_label(r[0], r[1])
            rest = r[2:]
        else:
            group = f"{int(r[0]):04d}-{int(r[1]):02d}"
            rest = r[3:]
        t = cost_totals(rest)
        rows.append(
            SpendRow(
                group, t.ros, t.value, t.final, t.estimated, t.with_final, t.estimate_only,
                t.no_cost,
            )
        )  # fmt: skip
    if by == "shop":
        rows.sort(key=lambda r: (-r.spend, r.group))
    else:
        rows.sort(key=lambda r: r.group)
    return rows


def _spend_summary(rows: list[SpendRow]) -> dict[str, Any]:
    total = sum((r.spend for r in rows), Decimal("0.00"))
    estimated = sum((r.estimated for r in rows), Decimal("0.00"))
    return {
        "ros": sum(r.ros for r in rows),
        "spend": total,
        "final": total - estimated,
        "estimated": estimated,
        "estimate_only_ros": sum(r.estimate_only for r in rows),
        "no_cost_ros": sum(r.no_cost for r in rows),
        "top": rows[0].group if rows and max(r.spend for r in rows) > 0 else None,
        "top_spend": max((r.spend for r in rows), default=Decimal("0.00")),
    }


# ---- durations: turnaround and quote latency --------------------------------------------------
def _durations(
    session: Session, flt: ReportFilter, statuses: tuple[str, ...], per_shop: bool
) -> list[tuple[Any, ...]]:
    """(shop key, shop name, ros, mean, median, p90, from_date_made) per shop, or overall."""
    ro = RepairOrder
    first = _first_change(statuses)
    lo, hi = _bounds(flt)
    days = days_between(_desk_clock(first.c.at, flt.tz, lo, hi), DROPPED_OFF)
    key = SHOP if per_shop else literal("*")
    base = (
        select(
            key.label("key"),
            ro.shop_name.label("name"),
            days.label("days"),
            case((ro.date_dropped_off.is_(None), 1), else_=0).label("fallback"),
        )
        .join(first, first.c.ro_id == ro.id)
        .where(DROPPED_OFF.is_not(None), first.c.at >= lo, first.c.at < hi, days >= 0)
        .where(*_where(flt))
        .subquery()
    )
    ranked = select(
        base,
        func.row_number().over(partition_by=base.c.key, order_by=base.c.days).label("rn"),
        func.count().over(partition_by=base.c.key).label("n"),
    ).subquery()
    rn, n, d = ranked.c.rn, ranked.c.n, ranked.c.days
    # Median: the middle row, or the mean of the two middle rows (2*rn in n, n+1, n+2).
    # p90: nearest rank, the first row with rn >= 0.9 n — in integers, so no dialect's CEIL.
    query = select(
        ranked.c.key,
        func.max(ranked.c.name),
        func.max(n),
        func.avg(d),
        func.avg(case((or_(2 * rn == n, 2 * rn == n + 1, 2 * rn == n + 2), d), else_=None)),
        func.max(case((and_(10 * rn >= 9 * n, 10 * (rn - 1) < 9 * n), d), else_=None)),
        func.sum(ranked.c.fallback),
    ).group_by(ranked.c.key)
    return list(session.execute(query))


def _duration_rows(
    session: Session, flt: ReportFilter, statuses: tuple[str, ...]
) -> tuple[list[DurationRow], DurationRow | None]:
    def row(r: tuple[Any, ...], name: str) -> DurationRow:
        return DurationRow(
            name, int(r[2]), round(float(r[3]), 1), round(float(r[4]), 1), int(r[5]), int(r[6])
        )

    rows = [row(r, _shop_label(r[0], r[1])) for r in _durations(session, flt, statuses, True)]
    rows.sort(key=lambda r: (-r.median_days, -r.p90_days, r.shop))
    overall = _durations(session, flt, statuses, False)
    return rows, (row(overall[0], "All shops") if overall else None)


def _duration_summary(rows: list[DurationRow], overall: DurationRow | None) -> dict[str, Any]:
    sized = [r for r in rows if r.ros >= MIN_SAMPLE] or rows
    slowest = max(sized, key=lambda r: (r.median_days, r.p90_days), default=None)
    fastest = min(sized, key=lambda r: (r.median_days, r.p90_days), default=None)
    return {
        "ros": overall.ros if overall else 0,
        "median_days": overall.median_days if overall else None,
        "p90_days": overall.p90_days if overall else None,
        "mean_days": overall.mean_days if overall else None,
        "slowest_shop": slowest.shop if slowest else None,
        "slowest_median_days": slowest.median_days if slowest else None,
        "fastest_shop": fastest.shop if fastest else None,
        "fastest_median_days": fastest.median_days if fastest else None,
        "from_date_made": overall.from_date_made if overall else 0,
    }


# ---- on time against the ETA -----------------------------------------------------------------
def _on_time(session: Session, flt: ReportFilter) -> list[OnTimeRow]:
    ro = RepairOrder
    first = _first_change(RECEIVED_STAGES)
    lo, hi = _bounds(flt)
    has_eta = ro.estimated_delivery.is_not(None)
    late_by = days_between(_desk_clock(first.c.at, flt.tz, lo, hi), ro.estimated_delivery)
    late = and_(has_eta, late_by > 0)
    query = (
        select(
            SHOP,
            func.max(ro.shop_name),
            func.count(),
            counted(has_eta),
            counted(and_(has_eta, late_by <= 0)),
            counted(late),
            func.avg(case((late, late_by), else_=None)),
        )
        .join(first, first.c.ro_id == ro.id)
        .where(first.c.at >= lo, first.c.at < hi, *_where(flt))
        .group_by(SHOP)
    )
    rows = []
    for key, name, *counts, mean_late in session.execute(query):
        # MariaDB's SUM is a DECIMAL: counts as ints, whatever the dialect.
        n, with_eta, on_time, n_late = (int(c) for c in counts)
        rate = round(on_time / with_eta, 3) if with_eta else None
        mean = round(float(mean_late), 1) if mean_late is not None else None
        rows.append(OnTimeRow(_shop_label(key, name), n, with_eta, on_time, n_late, rate, mean))
    rows.sort(key=lambda r: (r.on_time_rate is None, r.on_time_rate or 0, r.shop))
    return rows


def _on_time_summary(rows: list[OnTimeRow]) -> dict[str, Any]:
    with_eta = sum(r.with_eta for r in rows)
    on_time = sum(r.on_time for r in rows)
    rated = [r for r in rows if r.on_time_rate is not None]
    sized = [r for r in rated if r.with_eta >= MIN_SAMPLE] or rated
    worst = min(sized, key=lambda r: (r.on_time_rate, r.shop), default=None)
    return {
        "received": sum(r.received for r in rows),
        "with_eta": with_eta,
        "on_time": on_time,
        "late": sum(r.late for r in rows),
        "on_time_rate": round(on_time / with_eta, 3) if with_eta else None,
        "worst_shop": worst.shop if worst else None,
        "worst_rate": worst.on_time_rate if worst else None,
    }


# ---- outcomes: BER, RAI, scrap --------------------------------------------------------------
def _outcomes(session: Session, flt: ReportFilter) -> list[OutcomeRow]:
    ro = RepairOrder
    query = (
        select(
            SHOP,
            func.max(ro.shop_name),
            func.count(),
            *(counted(ro.status == s) for s in OUTCOMES),
        )
        .where(RO_DATE.between(flt.period.start, flt.period.end), *_where(flt))
        .group_by(SHOP)
    )
    rows = []
    for key, name, *counts in session.execute(query):
        n, ber, rai, scrap = (int(c) for c in counts)
        rate = round((ber + rai + scrap) / n, 3)
        rows.append(OutcomeRow(_shop_label(key, name), n, ber, rai, scrap, rate))
    rows.sort(key=lambda r: (-r.rate, r.shop))
    return rows


def _outcome_summary(rows: list[OutcomeRow]) -> dict[str, Any]:
    n = sum(r.ros for r in rows)
    bad = sum(r.ber + r.rai + r.scrap for r in rows)
    sized = [r for r in rows if r.ros >= MIN_SAMPLE] or rows
    worst = max(sized, key=lambda r: (r.rate, r.ros), default=None)
    return {
        "ros": n,
        "ber": sum(r.ber for r in rows),
        "rai": sum(r.rai for r in rows),
        "scrap": sum(r.scrap for r in rows),
        "rate": round(bad / n, 3) if n else None,
        "worst_shop": worst.shop if worst and worst.rate > 0 else None,
        "worst_rate": worst.rate if worst and worst.rate > 0 else None,
    }


# ---- release certificates per shop ----------------------------------------------------------
GATED_STATUSES = tuple(sorted(s.value for s in GATED))
ID_BATCH = 500  # ids per IN (...): well under SQLite's and the drivers' parameter limits


def _certificates(session: Session, flt: ReportFilter) -> list[CertificateRow]:
    """ROs now at RECEIVED or later, received in the period (the first change into RECEIVED or
    a later stage; an RO with no such history, e.g. imported at RECEIVED, by its RO date). The
    database picks the ROs; the part/serial comparison is the gate's own rule (in Python), so
    the report and the gate never disagree."""
    ro = RepairOrder
    first = _first_change(RECEIVED_STAGES)
    lo, hi = _bounds(flt)
    in_period = or_(
        and_(first.c.at >= lo, first.c.at < hi),
        and_(first.c.at.is_(None), RO_DATE.between(flt.period.start, flt.period.end)),
    )
    ros = session.execute(
        select(ro.id, ro.number, SHOP, ro.shop_name, ro.part_number, ro.serial_number)
        .outerjoin(first, first.c.ro_id == ro.id)
        .where(ro.status.in_(GATED_STATUSES), in_period, *_where(flt))
    ).all()
    # The picked ROs' certificates and overrides by their ids, a batch at a time: as a subquery
    # the pick ran again for each, and MariaDB read the whole activity log for the overrides
    # (0.8 s of 1 s on 100,000 ROs); by id, each is read from its RO's index.
    certificates: dict[int, list[Any]] = {}
    overridden: set[int] = set()
    ids = [r[0] for r in ros]
    for batch in (ids[i : i + ID_BATCH] for i in range(0, len(ids), ID_BATCH)):
        for ro_id, extracted in session.execute(
            select(Document.ro_id, Document.extracted).where(
                Document.ro_id.in_(batch),
                Document.kind == DocumentKind.RELEASE_CERTIFICATE.value,
                Document.removed_at.is_(None),
            )
        ):
            certificates.setdefault(ro_id, []).append(extracted)
        overridden.update(
            session.scalars(
                select(ActivityLog.ro_id)
                .where(ActivityLog.action == "CERTIFICATE_OVERRIDE", ActivityLog.ro_id.in_(batch))
                .distinct()
            )
        )
    groups: dict[str, dict[str, Any]] = {}
    for ro_id, number, key, name, part, serial in ros:
        group = groups.setdefault(
            key, {"name": None, "n": 0, "ok": 0, "none": [], "bad": [], "over": []}
        )
        group["name"] = group["name"] or name
        group["n"] += 1
        found = certificates.get(ro_id, [])
        if not found:
            group["none"].append(number)
        elif any(
            match_certificate(CertificateFields.from_json(f), part, serial).matches for f in found
        ):
            group["ok"] += 1
        else:
            group["bad"].append(number)
        if ro_id in overridden:
            group["over"].append(number)
    rows = [
        CertificateRow(
            _shop_label(key or None, g["name"]),
            g["n"],
            g["ok"],
            len(g["none"]),
            len(g["bad"]),
            len(g["over"]),
            *(tuple(sorted(g[k])) for k in ("none", "bad", "over")),
        )
        for key, g in groups.items()
    ]
    rows.sort(key=lambda r: (-r.problems, -r.overridden, r.shop))
    return rows


def _certificate_summary(rows: list[CertificateRow]) -> dict[str, Any]:
    worst = max(rows, key=lambda r: (r.problems, r.received), default=None)
    return {
        "received": sum(r.received for r in rows),
        "matched": sum(r.matched for r in rows),
        "no_certificate": sum(r.no_certificate for r in rows),
        "mismatched": sum(r.mismatched for r in rows),
        "overridden": sum(r.overridden for r in rows),
        "without_valid": sum(r.problems for r in rows),
        "worst_shop": worst.shop if worst and worst.problems else None,
        "worst_count": worst.problems if worst and worst.problems else None,
    }


# ---- the catalog ----------------------------------------------------------------------------
TITLES = {
    "spend_by_shop": "Spend by shop (final cost, else estimate)",
    "spend_by_month": "Spend by month (final cost, else estimate)",
    "turnaround": "Turnaround per shop: dropped off to received (days)",
    "quote_latency": "Quote latency per shop: dropped off to quote approved (days)",
    "on_time": "On-time rate per shop against the ETA",
    "outcomes": "BER / RAI / scrap rate per shop",
    "certificates": "Release certificates per shop: missing, mismatched, overridden",
}
KINDS = tuple(TITLES)
ROW_TYPES: dict[str, type] = {
    "spend_by_shop": SpendRow,
    "spend_by_month": SpendRow,
    "turnaround": DurationRow,
    "quote_latency": DurationRow,
    "on_time": OnTimeRow,
    "outcomes": OutcomeRow,
    "certificates": CertificateRow,
}


def parse_kind(kind: object) -> str:
    text = str(kind or "").strip().lower().replace("-", "_").replace(" ", "_")
    if text not in TITLES:
        raise InvalidInput(f'Unknown report "{kind}". Reports: {", ".join(KINDS)}.')
    return text


def run_report(session: Session, kind: str, flt: ReportFilter) -> Report:
    """The `kind` report (one of KINDS) for `flt`'s period, shop and part."""
    kind = parse_kind(kind)
    notes: list[str] = []
    rows: list[Any]
    if kind in ("spend_by_shop", "spend_by_month"):
        rows = _spend(session, flt, "shop" if kind == "spend_by_shop" else "month")
        summary = _spend_summary(rows)
        notes.append("Spend is the final cost where there is one, else the estimate.")
        if summary["estimate_only_ros"]:
            notes.append(
                f"{summary['estimate_only_ros']} ROs have only an estimate "
                f"(${summary['estimated']:,.2f} of the total)."
            )
        notes.append("ROs are dated by their RO date (date made; else drop-off date).")
    elif kind in ("turnaround", "quote_latency"):
        statuses = RECEIVED_STAGES if kind == "turnaround" else APPROVED_STAGES
        rows, overall = _duration_rows(session, flt, statuses)
        summary = _duration_summary(rows, overall)
        end = "received" if kind == "turnaround" else "the quote was approved"
        notes.append(f"ROs counted in the period {end}; median and p90 in days.")
        if summary["from_date_made"]:
            notes.append(
                f"{summary['from_date_made']} ROs had no drop-off date: measured from "
                "their RO date (date made)."
            )
    elif kind == "on_time":
        rows = _on_time(session, flt)
        summary = _on_time_summary(rows)
        notes.append("ROs received in the period; on time = received on or before the ETA.")
    elif kind == "certificates":
        rows = _certificates(session, flt)
        summary = _certificate_summary(rows)
        notes.append(
            "ROs now at RECEIVED or later, received in the period (RO date when no history)."
        )
        notes.append(
            "Mismatched: release certificates on file, none whose part and serial numbers match "
            "the RO (or read with too little confidence to trust). Removed files do not count."
        )
        notes.append("Overridden: an approver let the RO through with a reason (counted besides).")
    else:
        rows = _outcomes(session, flt)
        summary = _outcome_summary(rows)
        notes.append("ROs dated in the period by their RO date; outcome = current status.")
    columns = tuple(f.name for f in fields(ROW_TYPES[kind]))
    return Report(
        kind, TITLES[kind], flt.period, flt.shop, flt.part, columns, rows, summary, tuple(notes)
    )
