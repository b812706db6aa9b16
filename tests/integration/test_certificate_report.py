"""The certificates report: per shop, ROs at RECEIVED or later with no release certificate, with
one whose part/serial does not match, or let through by an approver's override — on a small desk
whose certificates are generated PDFs filed through the document service, on SQLite and MariaDB.

Status changes go through the real service (so the gate writes its warnings and overrides); the
history rows are then moved to fixed dates, since the service stamps them with the clock.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select, update

from domain import reports
from domain.errors import NotFound
from domain.models import RepairOrder, Shop, StatusHistory
from domain.roles import SYSTEM, Actor, Role
from domain.statuses import Status
from jobs.app import App
from jobs.operation import OperationContext
from jobs.operations.exports import export_report
from jobs.operations.reports import report
from tests.documents_samples import certificate_lines, text_pdf

pytestmark = pytest.mark.dialect

EDITOR = Actor("erin@genthrust.test", Role.EDITOR, "test")
APPROVER = Actor("ann@genthrust.test", Role.APPROVER, "test")
ALPHA, BETA = "Alpha Aero", "Beta Hydraulics"
PART = "3214-552-01"


def _cert(serial: str, part: str = PART) -> bytes:
    return text_pdf(certificate_lines(part=part, serial=serial))


def _ro(app: App, number: str, shop: str, serial: str) -> str:
    app.repair_orders.create(
        EDITOR,
        {"shop_name": shop, "part_number": PART, "serial_number": serial},
        number=number,
        status=Status.SHIPPED,
    )
    return number


def _received_on(app: App, number: str, day: str) -> None:
    with app.session() as s:
        ro_id = s.scalar(select(RepairOrder.id).where(RepairOrder.number == number))
        s.execute(
            update(StatusHistory)
            .where(StatusHistory.ro_id == ro_id)
            .values(changed_at=datetime.fromisoformat(f"{day}T15:00:00"))
        )
        s.commit()


@pytest.fixture
def desk(app: App) -> App:
    with app.session() as s:
        for name in (ALPHA, BETA):
            s.add(Shop(name=name, name_key=name.upper()))
        s.commit()
    docs, ros = app.documents, app.repair_orders
    # Alpha: one matched (the shop printed the serial as "r-28501"), one whose certificate is
    # for another unit, one received with no certificate on an approver's override, one not
    # received yet (not counted).
    _ro(app, "41001", ALPHA, "R28501")
    docs.add(EDITOR, "41001", "8130.pdf", _cert("r-28501"))
    ros.change_status(EDITOR, "41001", "RECEIVED")
    _ro(app, "41002", ALPHA, "R28502")
    docs.add(EDITOR, "41002", "8130.pdf", _cert("R28508"))
    ros.change_status(EDITOR, "41002", "RECEIVED")
    _ro(app, "41003", ALPHA, "R28503")
    ros.change_status(
        APPROVER, "41003", "RECEIVED", certificate_override="8130-3 follows by mail; inspected"
    )
    _ro(app, "41004", ALPHA, "R28504")
    # Beta: one whose only certificate was removed, one COMPLETE with a matching certificate,
    # one received last year (outside "this year"), one with the right serial on the wrong part.
    _ro(app, "42001", BETA, "B100")
    doc = docs.add(EDITOR, "42001", "8130.pdf", _cert("B100")).document
    ros.change_status(EDITOR, "42001", "RECEIVED")
    docs.remove(EDITOR, doc.id, "the wrong unit's certificate")
    _ro(app, "42002", BETA, "B200")
    docs.add(EDITOR, "42002", "form1.pdf", _cert("B200"))
    ros.change_status(EDITOR, "42002", "RECEIVED")
    ros.change_status(EDITOR, "42002", "COMPLETE")
    _ro(app, "42003", BETA, "B300")
    ros.change_status(EDITOR, "42003", "RECEIVED")
    _ro(app, "42004", BETA, "B400")
    docs.add(EDITOR, "42004", "8130.pdf", _cert("B400", part="9999-000-01"))
    ros.change_status(EDITOR, "42004", "RECEIVED")
    for number in ("41001", "41002", "41003", "42001", "42002", "42004"):
        _received_on(app, number, "2026-06-15")
    _received_on(app, "42003", "2025-10-01")
    return app


def run(app: App, period: str = "this year", **filters):
    return report(OperationContext(app, SYSTEM, app.uow), "certificates", period=period, **filters)


def test_counts_and_ro_numbers_per_shop(desk):
    found = run(desk)
    assert found["kind"] == "certificates"
    assert [r["shop"] for r in found["rows"]] == [ALPHA, BETA]  # most problems first
    alpha, beta = found["rows"]
    assert alpha == {
        "shop": ALPHA, "received": 3, "matched": 1, "no_certificate": 1, "mismatched": 1,
        "overridden": 1, "no_certificate_ros": ["41003"], "mismatched_ros": ["41002"],
        "overridden_ros": ["41003"],
    }  # fmt: skip
    assert beta == {
        "shop": BETA, "received": 3, "matched": 1, "no_certificate": 1, "mismatched": 1,
        "overridden": 0, "no_certificate_ros": ["42001"], "mismatched_ros": ["42004"],
        "overridden_ros": [],
    }  # fmt: skip
    assert found["summary"] == {
        "received": 6, "matched": 2, "no_certificate": 2, "mismatched": 2, "overridden": 1,
        "without_valid": 4, "worst_shop": ALPHA, "worst_count": 2,
    }  # fmt: skip
    assert found["columns"][:6] == [
        "shop", "received", "matched", "no_certificate", "mismatched", "overridden",
    ]  # fmt: skip


def test_certificates_and_overrides_read_in_batches_count_the_same(desk, monkeypatch):
    whole = run(desk)
    monkeypatch.setattr(reports, "ID_BATCH", 2)  # the picked ROs' ids, two at a time
    assert run(desk) == whole
    assert whole["summary"]["matched"] == 2 and whole["summary"]["overridden"] == 1


def test_the_period_and_the_shop_filter(desk):
    last_year = run(desk, "2025")
    assert [(r["shop"], r["no_certificate_ros"]) for r in last_year["rows"]] == [(BETA, ["42003"])]
    beta = run(desk, shop="beta")
    assert [r["shop"] for r in beta["rows"]] == [BETA]
    assert beta["summary"]["worst_shop"] == BETA
    with pytest.raises(NotFound, match="No shop matches"):
        run(desk, shop="zeta propellers")


def test_a_certificate_filed_later_moves_the_ro_to_matched(desk):
    desk.documents.add(EDITOR, "41003", "8130-late.pdf", _cert("R28503"))
    alpha = next(r for r in run(desk)["rows"] if r["shop"] == ALPHA)
    assert (alpha["matched"], alpha["no_certificate"]) == (2, 0)
    assert alpha["overridden_ros"] == ["41003"]  # the override stays on the record


def test_the_chat_shows_a_table_and_a_chart_and_the_export_holds_the_numbers(desk):
    from agent.offline.answers import _report
    from web.charts import report_figure

    found = run(desk)
    text = _report(found)
    assert "6 ROs received: 2 without a release certificate, 2 with one that does not" in text
    assert f"| {ALPHA} | 3 | 1 | 1 | 1 | 1 | 41003 | 41002 | 41003 |" in text
    figure = report_figure("certificates", found["title"], found)
    assert [t.name for t in figure.data] == ["no certificate", "mismatched", "overridden"]
    assert list(figure.data[1].x) == [1, 1]
    exported = export_report(OperationContext(desk, SYSTEM, desk.uow), "certificates", format="csv")
    content = (desk.settings.var_dir / "exports" / exported["name"]).read_text()
    assert "41003" in content and "42004" in content
