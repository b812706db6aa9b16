"""ERP.aero sync: requests and time of an incremental run against the old design, same run.

The tests' fake ERP.aero (tests/fakes/erp_aero.py, real HTTP on 127.0.0.1) holds `--ros`
repair orders and answers every request after `--latency-ms` (default 20). The database already
holds every one of them as last synced (bulk-loaded, as a first sync would leave it); then
`--changed` records are modified in the ERP. New = `jobs.source_sync.run_sync` (list newest
first, stop at the cursor less the overlap, details only for what changed, applied through the
RO service). Old = v2's design: list every page, then the details of every RO, every run (its
HTTP only: the database writes it then did are not counted, which flatters it).

Both run with the rate limit off so the run measures the requests themselves; the table also
gives each design's time at the production spacing (one call per 500 ms).

    python -m bench.erp_sync [--ros 10000] [--changed 50] [--latency-ms 20]
"""

from __future__ import annotations

import argparse
import time
from datetime import date, datetime, timedelta

from cryptography.fernet import Fernet

from bench.common import emit, temporary_database
from bootstrap import bootstrap
from config import load_settings
from domain.migrate import upgrade
from domain.models import RepairOrder
from domain.roles import SYSTEM
from integrations.erp.erp_aero import ErpAeroClient
from integrations.erp.http import HttpPolicy
from jobs.source_sync import run_sync
from tests.fakes.erp_aero import CID, EMAIL, PASSWORD, FakeErpAero, record

TODAY = date(2026, 11, 20)
BASE = datetime(2026, 1, 1)
SPACING_S = 0.5


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ros", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=50)
    parser.add_argument("--latency-ms", type=float, default=20)
    args = parser.parse_args()
    fake = FakeErpAero(latency_s=args.latency_ms / 1000).start()
    creds = {"cid": CID, "email": EMAIL, "password": PASSWORD}
    try:
        stamps = [BASE + timedelta(minutes=30 * i) for i in range(args.ros)]
        fake.add(
            *[
                record(i, modified=f"{stamps[i]:%Y-%m-%d %H:%M:%S}", serial=f"SN{i}")
                for i in range(args.ros)
            ]
        )
        with temporary_database("sqlite") as url:
            settings = load_settings(
                database_url=url,
                source_min_interval_ms=0,
                source_allow_http_loopback=True,
                token_encryption_key=Fernet.generate_key().decode(),
            )
            app = bootstrap(settings, today=lambda: TODAY)
            upgrade(app.engine)
            app.sources.add(SYSTEM, "erp.aero", "erp", fake.base_url, creds)
            _as_if_synced(app, stamps)
            newest = max(stamps)
            for n, i in enumerate(range(0, args.ros, max(1, args.ros // args.changed))):
                if n == args.changed:
                    break
                fake.records[str(i)].update(
                    modified_time=f"{newest + timedelta(minutes=n + 1):%Y-%m-%d %H:%M:%S}",
                    ship_via=f"UPS {i}",
                )
            fake.log.clear()
            start = time.perf_counter()
            run = run_sync(app, "erp", triggered_by="bench")
            new_s = time.perf_counter() - start
            new_requests = len(fake.log)
            assert run.status == "OK" and run.counts["updated"] == args.changed, run
            app.engine.dispose()

        fake.log.clear()
        start = time.perf_counter()
        old = ErpAeroClient(fake.base_url, creds, HttpPolicy(min_interval_s=0), page_size=100)
        rows = list(old.changed_since(None))
        for row in rows:
            old.details(str(row.po_id))
        old.close()
        old_s = time.perf_counter() - start
        old_requests = len(fake.log)
    finally:
        fake.stop()
    result = {
        "ros": args.ros,
        "changed": args.changed,
        "latency_ms": args.latency_ms,
        "new_requests": new_requests,
        "new_s": round(new_s, 2),
        "new_at_500ms_s": round(new_requests * SPACING_S, 1),
        "old_requests": old_requests,
        "old_s": round(old_s, 2),
        "old_at_500ms_s": round(old_requests * SPACING_S, 1),
        "request_ratio": round(old_requests / new_requests, 1),
        "time_ratio": round(old_s / new_s, 1),
        "goal_le_60_requests": new_requests <= 60,
    }
    print(
        f"incremental, {args.changed} changed of {args.ros}: new {new_requests} requests "
        f"{new_s:.2f} s; old {old_requests} requests {old_s:.2f} s "
        f"({result['request_ratio']}x requests, {result['time_ratio']}x time)"
    )
    emit(result)


def _as_if_synced(app, stamps: list[datetime]) -> None:
    """The database as a first sync leaves it: every ERP RO with its po_id and modified time,
    and the source's cursor at the newest."""
    with app.session() as s:
        s.add_all(
            RepairOrder(
                number=str(i),
                archive="ACTIVE",
                shop_name="Avtech Hydraulics",
                shop_key="AVTECH HYDRAULICS",
                part_number="066-50008",
                serial_number=f"SN{i}",
                tracking_number="FEDEX 7788",
                status="IN WORK",
                erp_po_id=str(i),
                erp_modified_at=at,
                erp_sync_status="SYNCED",
            )
            for i, at in enumerate(stamps)
        )
        s.commit()
    run_id = app.sources.begin_run("erp", "bench", False)
    from domain.sources import Counts, RunStatus

    app.sources.finish_run(
        run_id, RunStatus.OK, Counts(), requests=0, problems=[], changes=[], cursor=max(stamps)
    )


if __name__ == "__main__":
    main()
