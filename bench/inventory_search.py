"""Inventory search on 1,000,000 stock lines in MariaDB: the new tiers versus the old queries.

Builds a fresh MariaDB database (dropped afterwards) with realistic stock lines from the demo
generator, loaded with bulk inserts through the same loader the demo seed uses (which also fills
the substring index). The old system's table is a copy of the same rows in the legacy
`inventoryindex` shape (PartNumber indexed), queried the way the old API did: exact `=`, then
`LIKE '%q%' LIMIT 50` when that found nothing. Each query kind runs a set of different queries
taken from the data, several times each; figures are medians over all runs.

    python -m bench.inventory_search [--items 1000000] [--queries 15] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import re
import time
from datetime import date

from sqlalchemy import text

from bench.common import emit, summary, temporary_database, timed
from bootstrap import bootstrap
from config import load_settings
from domain.demo import demo_inventory_rows
from domain.importers.inventory_bulk import bulk_insert_items
from domain.inventory.rules import search_key
from domain.migrate import upgrade

TODAY = date(2026, 11, 20)
LEGACY_DDL = """
CREATE TABLE inventoryindex (
  IndexId INT AUTO_INCREMENT PRIMARY KEY,
  PartNumber VARCHAR(100) NOT NULL,
  TableName VARCHAR(100) NOT NULL,
  RowId INT NOT NULL,
  Qty INT DEFAULT 0,
  `Condition` VARCHAR(50),
  Location VARCHAR(100),
  Description TEXT,
  UNIQUE KEY unique_location (TableName, RowId),
  INDEX idx_part_number (PartNumber)
)
"""
DESCRIPTION_QUERIES = [
    "hydraulic pump",
    "check valve",
    "ball bearing",
    "fuel filter",
    "pressure switch",
    "loop clamp",
    "flap actuator",
    "temperature sensor",
    "lock washer",
    "landing light",
    "oil gasket",
    "castle nut",
    "time delay relay",
    "fuel boost",
    "hose hydraulic",
]


def pick_queries(conn, count: int, rng: random.Random) -> dict[str, list[str]]:
    """Queries taken from the data, so each kind finds something the way people would type it."""
    ids = conn.execute(text("SELECT MAX(id) FROM inventory_items")).scalar()
    rows = [
        conn.execute(
            text("SELECT part_number FROM inventory_items WHERE id >= :id ORDER BY id LIMIT 1"),
            {"id": rng.randint(1, ids)},
        ).scalar()
        for _ in range(count)
    ]
    # Substrings: a piece from inside the longest dash-free run of the part number, as typed
    # from a label ("24567" of "MS24567-12"), so the old LIKE can find it too.
    pieces = []
    for pn in rows:
        run = max(re.findall(r"[A-Za-z0-9]+", pn), key=len)
        pieces.append(run[1:6] if len(run) >= 5 else pn[1:])
    return {
        "exact": rows,
        "dash_insensitive": [search_key(pn).lower() for pn in rows],
        "prefix": [pn[: max(3, len(pn) // 2)] for pn in rows],
        "substring": pieces,
        "description": DESCRIPTION_QUERIES[:count],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=15, help="different queries per kind")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    with temporary_database("mariadb") as url:
        app = bootstrap(load_settings(database_url=url), today=lambda: TODAY)
        upgrade(app.engine)
        started = time.perf_counter()
        with app.session() as s:
            bulk_insert_items(
                s, demo_inventory_rows(args.items, random.Random(args.seed)), sort_terms=True
            )
            s.commit()
        load_s = time.perf_counter() - started
        with app.engine.begin() as conn:
            terms = conn.execute(text("SELECT COUNT(*) FROM inventory_search_terms")).scalar()
            conn.execute(text(LEGACY_DDL))
            conn.execute(
                text(
                    "INSERT INTO inventoryindex (PartNumber, TableName, RowId, Qty, `Condition`,"
                    " Location, Description) SELECT part_number, source_table, source_row, qty,"
                    " `condition`, location, description FROM inventory_items"
                )
            )
            conn.execute(text("ANALYZE TABLE inventoryindex, inventory_items"))
            queries = pick_queries(conn, args.queries, rng)
        legacy_s = time.perf_counter() - started - load_s
        print(
            f"loaded {args.items:,} items and {terms:,} index rows in {load_s:.1f} s; "
            f"legacy copy in {legacy_s:.1f} s"
        )

        def old_way(q: str, description: bool = False):
            """The old API: exact, then LIKE '%q%' LIMIT 50 if exact found nothing."""
            with app.engine.connect() as conn:
                found = conn.execute(
                    text("SELECT * FROM inventoryindex WHERE PartNumber = :q"), {"q": q}
                ).all()
                if found:
                    return found
                column = "Description" if description else "PartNumber"
                return conn.execute(
                    text(f"SELECT * FROM inventoryindex WHERE {column} LIKE :q LIMIT 50"),
                    {"q": f"%{q}%"},
                ).all()

        results: dict[str, dict] = {}
        for kind, qs in queries.items():
            new_times, old_times, methods, new_hits, old_hits = [], [], {}, 0, 0
            by_tier: dict[str, list[float]] = {}
            for q in qs:
                found = app.inventory.search(q, limit=25)
                methods[found.search_method] = methods.get(found.search_method, 0) + 1
                new_hits += bool(found.items)
                old_hits += bool(old_way(q, kind == "description"))
                runs = timed(lambda q=q: app.inventory.search(q, limit=25), args.repeat)
                new_times += runs
                by_tier.setdefault(found.search_method, []).extend(runs)
                old_times += timed(
                    lambda q=q, d=(kind == "description"): old_way(q, d), args.repeat
                )
            new, old = summary(new_times), summary(old_times)
            results[kind] = {
                "new": new,
                "old": old,
                "speedup": round(old["median_ms"] / max(new["median_ms"], 1e-6), 1),
                "new_found": f"{new_hits}/{len(qs)}",
                "old_found": f"{old_hits}/{len(qs)}",
                "tiers": methods,
                "new_median_ms_by_tier": {
                    tier: summary(times)["median_ms"] for tier, times in by_tier.items()
                },
            }
            print(
                f"{kind:17} new {new['median_ms']:8.2f} ms ({new_hits}/{len(qs)} found, {methods})"
                f"   old {old['median_ms']:8.2f} ms ({old_hits}/{len(qs)} found)"
                f"   x{results[kind]['speedup']}"
            )
        app.engine.dispose()

    goals = {
        "exact_le_5ms": results["exact"]["new"]["median_ms"] <= 5,
        "dash_insensitive_le_5ms": results["dash_insensitive"]["new"]["median_ms"] <= 5,
        "prefix_le_5ms": results["prefix"]["new"]["median_ms"] <= 5,
        "substring_le_50ms": results["substring"]["new"]["median_ms"] <= 50,
        "substring_ge_20x_old": results["substring"]["speedup"] >= 20,
    }
    emit(
        {
            "benchmark": "inventory_search",
            "db": "mariadb",
            "items": args.items,
            "index_rows": terms,
            "load_s": round(load_s, 1),
            "queries_per_kind": args.queries,
            "repeat": args.repeat,
            "results": results,
            "goals_met": goals,
        }
    )


if __name__ == "__main__":
    main()
