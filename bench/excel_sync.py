"""Excel sync to a Graph workbook: requests and time against the old design, same run.

The fake Graph server of the tests (tests/fakes/graph.py, real TLS on 127.0.0.1, a real .xlsx
behind it) answers every request after `--latency-ms` (default 30). New = `full_sync` (few large
range PATCHes in one session) and `drain` of K changed ROs (one scan $batch, PATCHes packed 20 to
a chained $batch). Old = what the previous system did: read column A, then one PATCH per row,
sent in $batch chunks of 20.

    python -m bench.excel_sync [--ros 10000] [--changed 200] [--latency-ms 30]
"""

from __future__ import annotations

import argparse
import math
import random
import tempfile
import time
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from bench.common import emit, temporary_database
from bootstrap import bootstrap
from config import load_settings
from domain.demo import DemoSpec, seed_demo
from domain.migrate import upgrade
from domain.models import RepairOrder
from domain.roles import SYSTEM
from integrations.excel.graph_workbook import GraphWorkbook, graph_cell
from integrations.excel.layout import row_values, sheet_of
from integrations.microsoft.graph import GraphClient
from jobs.excel.sync import drain, full_sync
from tests.fakes.graph import FakeGraph

TODAY = date(2026, 11, 20)
ITEM = "/drives/bench-drive/items/bench-item"


class Tokens:
    def token(self) -> str:
        return "test-token"

    def invalidate(self) -> None:
        pass


def writer(fake: FakeGraph) -> GraphWorkbook:
    return GraphWorkbook(
        base_url=fake.graph_url,
        item_path=ITEM,
        tokens=Tokens(),
        lock=nullcontext,
        ca_bundle=fake.ca_file,
    )


def old_design(fake: FakeGraph, ros: list[RepairOrder]) -> tuple[int, float]:
    """Read column A of each sheet, then one PATCH per RO row in $batch chunks of 20."""
    import ssl

    client = GraphClient(
        fake.graph_url, Tokens(), verify=ssl.create_default_context(cafile=str(fake.ca_file))
    )
    started = time.perf_counter()
    base = f"{ITEM}/workbook/worksheets"
    rows: dict[str, int] = {}
    for sheet in ("Active", "Net", "Paid", "Returns"):
        answer = client.send("GET", f"{base}/{sheet}/range(address='A1:A10000')").json()
        for offset, value in enumerate(answer["values"]):
            if value and value[0] not in ("", None):
                rows[str(value[0])] = offset + 1
    subs = []
    next_row = {s: 10_001 for s in ("Active", "Net", "Paid", "Returns")}
    for ro in ros:
        sheet = sheet_of(ro.archive)
        row = rows.get(ro.number) or next_row[sheet]
        cells = [[graph_cell(v) for v in row_values(ro)]]
        subs.append(("PATCH", f"{base}/{sheet}/range(address='A{row}:U{row}')", cells))
    for start in range(0, len(subs), 20):
        chunk = subs[start : start + 20]
        body = {
            "requests": [
                {"id": str(i + 1), "method": m, "url": u, "body": {"values": v},
                 "headers": {"Content-Type": "application/json"}}
                for i, (m, u, v) in enumerate(chunk)
            ]
        }  # fmt: skip
        client.send("POST", "/$batch", json_body=body)
    seconds = time.perf_counter() - started
    client.close()
    return client.requests, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ros", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=200)
    parser.add_argument("--latency-ms", type=float, default=30.0)
    args = parser.parse_args()
    latency = args.latency_ms / 1000

    with temporary_database("sqlite") as url, tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        app = bootstrap(load_settings(database_url=url, var_dir=folder), today=lambda: TODAY)
        upgrade(app.engine)
        seed_demo(app, DemoSpec(ros=args.ros, shops=40, seed=1))
        new_fake = FakeGraph(folder / "new" / "book.xlsx", latency_s=latency).start()
        old_fake = FakeGraph(folder / "old" / "book.xlsx", latency_s=latency).start()
        try:
            graph = writer(new_fake)
            full = full_sync(app, graph)
            full_requests, full_s = graph.last_requests, full.seconds

            with app.session() as s:
                all_ros = list(s.scalars(select(RepairOrder).options(lazyload(RepairOrder.shop))))
            old_full_requests, old_full_s = old_design(old_fake, all_ros)

            rng = random.Random(1)
            picked = rng.sample([r.number for r in all_ros], args.changed)
            for number in picked:
                app.repair_orders.update(SYSTEM, number, {"shop_ref": f"B-{number}"}, touch=False)
            inc = drain(app, graph)
            inc_requests, inc_s = graph.last_requests, inc.seconds
            changed = [r for r in all_ros if r.number in set(picked)]
            old_inc_requests, old_inc_s = old_design(old_fake, changed)
            book = new_fake.saved_book()
            written = sum(book[s].max_row - 1 for s in book.sheetnames)
        finally:
            new_fake.stop()
            old_fake.stop()
        app.engine.dispose()

    k_goal = math.ceil(args.changed / 20) + 3
    result = {
        "benchmark": "excel_sync",
        "ros": args.ros,
        "changed": args.changed,
        "latency_ms": args.latency_ms,
        "rows_in_workbook": written,
        "full_requests": full_requests,
        "full_s": round(full_s, 2),
        "old_full_requests": old_full_requests,
        "old_full_s": round(old_full_s, 2),
        "full_request_ratio": round(old_full_requests / full_requests, 1),
        "full_time_ratio": round(old_full_s / full_s, 1),
        "full_goal_met": full_requests <= 25 and full_s < 5,
        "incremental_requests": inc_requests,
        "incremental_s": round(inc_s, 2),
        "incremental_goal": k_goal,
        "incremental_goal_met": inc_requests <= k_goal,
        "old_incremental_requests": old_inc_requests,
        "old_incremental_s": round(old_inc_s, 2),
        "incremental_request_ratio": round(old_inc_requests / inc_requests, 1),
        "incremental_time_ratio": round(old_inc_s / inc_s, 1),
    }
    print(
        f"full sync of {args.ros} ROs: {full_requests} requests in {full_s:.2f} s; old design "
        f"{old_full_requests} requests in {old_full_s:.2f} s"
    )
    print(
        f"incremental {args.changed} ROs: {inc_requests} requests in {inc_s:.2f} s (goal <= "
        f"{k_goal}); old design {old_inc_requests} requests in {old_inc_s:.2f} s"
    )
    emit(result)


if __name__ == "__main__":
    main()
