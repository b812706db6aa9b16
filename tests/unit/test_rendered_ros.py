"""The API's kept RO JSON (web/api/rendered.py): a fragment is reused only for the same RO at
the same version on the same day; anything else is rendered again."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

from domain.repair_orders import ListFilter
from web.api.rendered import RenderedRepairOrders


@dataclass
class View:  # what the renderer reads of a RepairOrderView
    number: str
    version: int
    notes: str
    day: date


@dataclass
class FakeService:
    """`list_versions` and `views` over a dict of number -> (version, notes)."""

    ros: dict[str, tuple[int, str]]
    day: date = date(2026, 11, 20)
    rendered: list[str] = field(default_factory=list)

    def today(self) -> date:
        return self.day

    def list_versions(self, flt: ListFilter) -> tuple[int, list[tuple[str, int]]]:
        numbers = sorted(self.ros)[flt.offset : flt.offset + flt.limit]
        return len(self.ros), [(n, self.ros[n][0]) for n in numbers]

    def views(self, numbers: list[str]) -> dict[str, View]:
        self.rendered += numbers
        return {
            n: View(n, *self.ros[n], self.day) for n in numbers if n in self.ros
        }  # a number deleted meanwhile is simply not there


def render(view: View) -> dict:
    return {"roNumber": view.number, "notes": view.notes, "asOf": view.day.isoformat()}


def page(kept: RenderedRepairOrders, service: FakeService, **flt) -> tuple[int, int, list]:
    total, count, body = kept.page(service, ListFilter(**{"limit": 500, **flt}))
    return total, count, json.loads(body)


def test_unchanged_ros_are_not_rendered_again_and_a_changed_one_is():
    service = FakeService({f"{n}": (1, f"note {n}") for n in range(100, 110)})
    kept = RenderedRepairOrders(render)

    first = page(kept, service)
    assert len(service.rendered) == 10
    service.rendered.clear()
    assert page(kept, service) == first and service.rendered == []

    service.ros["104"] = (2, "changed")
    total, count, rows = page(kept, service)
    assert service.rendered == ["104"]
    assert (total, count) == (10, 10)
    assert rows[4] == {"roNumber": "104", "notes": "changed", "asOf": "2026-11-20"}
    assert [r["roNumber"] for r in rows] == [str(n) for n in range(100, 110)]


def test_a_new_day_renders_everything_again_and_pages_keep_their_order():
    service = FakeService({f"{n}": (1, "x") for n in range(100, 110)})
    kept = RenderedRepairOrders(render)
    page(kept, service)
    service.day = date(2026, 11, 21)
    service.rendered.clear()

    total, count, rows = page(kept, service, offset=3, limit=4)

    assert service.rendered == ["103", "104", "105", "106"]
    assert (total, count) == (10, 4)
    assert [r["asOf"] for r in rows] == ["2026-11-21"] * 4


def test_an_ro_gone_between_the_two_reads_is_left_out_and_the_cap_starts_afresh():
    service = FakeService({f"{n}": (1, "x") for n in range(100, 104)})
    kept = RenderedRepairOrders(render, max_rows=5)
    page(kept, service)
    real_views = service.views
    service.views = lambda numbers: {
        n: v for n, v in real_views(numbers).items() if n != "105"
    }  # deleted after the page was listed
    service.ros.update({f"{n}": (1, "x") for n in range(104, 107)})

    total, count, rows = page(kept, service)

    assert count == 7 - 1 and total == 7
    assert "105" not in [r["roNumber"] for r in rows]
    # 4 kept + 2 new would pass the cap of 5: the kept ones were dropped, the new ones kept
    service.rendered.clear()
    page(kept, service)
    assert service.rendered == ["100", "101", "102", "103", "105"]


def test_an_unchanged_page_answers_the_same_bytes_and_any_change_shows():
    service = FakeService({f"{n}": (1, "x") for n in range(100, 106)})
    kept = RenderedRepairOrders(render)
    whole = ListFilter(limit=500)
    first = kept.page(service, whole)[2]
    assert kept.page(service, whole)[2] is first  # nothing changed: the kept page itself

    part = json.loads(kept.page(service, ListFilter(limit=2, offset=1))[2])
    assert [r["roNumber"] for r in part] == ["101", "102"]
    del service.ros["103"]  # leaves the archive
    total, count, rows = page(kept, service)
    assert (total, count) == (5, 5)
    assert [r["roNumber"] for r in rows] == ["100", "101", "102", "104", "105"]
    service.ros["101"] = (2, "changed")
    assert page(kept, service)[2][1]["notes"] == "changed"
