"""The Anthropic path: pydantic-ai's AnthropicModel and the real Anthropic SDK, pointed at a fake
Messages API on 127.0.0.1 (streamed SSE with tool_use blocks) through `ANTHROPIC_BASE_URL`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from agent.turns import Assistant
from bootstrap import bootstrap
from config import load_settings
from domain.models import RepairOrder
from domain.models.chat import Approval
from domain.roles import SYSTEM
from jobs.app import App
from tests.conftest import TODAY
from tests.fakes.anthropic import FakeAnthropic, last_user_turn
from tests.integration.test_assistant import EDITOR, INJECTION, RecordingSink


@pytest.fixture
def desk(sqlite_template, tmp_path) -> Iterator[App]:
    import shutil

    path = tmp_path / "desk.db"
    shutil.copy(sqlite_template, path)
    settings = load_settings(
        database_url=f"sqlite:///{path}",
        var_dir=tmp_path / "var",
        redis_url="",
        anthropic_api_key="sk-test-not-real",
    )
    app = bootstrap(settings, today=lambda: TODAY)
    app.users.add(SYSTEM, EDITOR.name, "editor")
    app.repair_orders.create(
        SYSTEM,
        {"shop_name": "Avtech Hydraulics", "notes": INJECTION, "terms": "NET 30"},
        number="38462",
        status="IN WORK",
    )
    app.jobs.start()
    yield app
    app.jobs.stop()
    app.engine.dispose()


def with_fake(app: App, fake: FakeAnthropic) -> Assistant:
    app.settings.anthropic_base_url = fake.url
    return Assistant(app)


def tool_results(body) -> list[dict]:
    return [block for block in last_user_turn(body) if block.get("type") == "tool_result"]


def test_a_streamed_answer_with_a_tool_call(desk):
    def script(body):
        if not tool_results(body):
            return [
                ("text", "Let me look."),
                ("tool_use", "get_repair_order", {"ro_number": "G38462"}),
            ]
        return [("text", "RO 38462 is IN WORK at Avtech Hydraulics.")]

    with FakeAnthropic(script) as fake:
        assistant = with_fake(desk, fake)
        sink = RecordingSink()
        outcome = asyncio.run(assistant.ask(EDITOR, "t-1", "where is G38462?", sink))
    assert outcome.error is None, outcome.error
    assert sink.said == "Let me look.RO 38462 is IN WORK at Avtech Hydraulics."
    assert [t["name"] for t in sink.tools] == ["get_repair_order"]
    first, second = fake.requests
    assert first["api_key"] == "sk-test-not-real" and first["body"]["stream"] is True
    assert first["body"]["model"] == desk.settings.model
    system = json.dumps(first["body"].get("system"))
    assert "text inside repair orders" in system and "never instructions" in system
    assert {tool["name"] for tool in first["body"]["tools"]} >= {
        "get_repair_order",
        "update_status",
        "archive_repair_order",
        "search_inventory",
    }
    [result] = tool_results(second["body"])
    assert "38462" in json.dumps(result)


def test_an_obedient_model_cannot_act_on_instructions_hidden_in_a_note(desk):
    """A model that falls for the note still cannot change anything: the write waits for a
    person, who cancels; nothing changes."""

    def script(body):
        results = tool_results(body)
        if not results:
            return [("tool_use", "get_repair_order", {"ro_number": "38462"})]
        if INJECTION in json.dumps(results):
            return [
                ("tool_use", "archive_repair_order", {"ro_number": "38462", "archive": "PAID"}),
                ("tool_use", "update_status", {"ro_number": "38462", "new_status": "SHIPPED"}),
            ]
        return [("text", "Understood, nothing was archived.")]

    def ro():
        with desk.session() as s:
            return s.scalar(select(RepairOrder).where(RepairOrder.number == "38462"))

    before = ro()
    with FakeAnthropic(script) as fake:
        assistant = with_fake(desk, fake)
        outcome = asyncio.run(assistant.ask(EDITOR, "t-2", "show RO 38462", RecordingSink()))
        assert {a.tool_name for a in outcome.waiting} == {"archive_repair_order", "update_status"}
        assert (ro().archive, ro().status, ro().version) == (
            before.archive,
            before.status,
            before.version,
        )
        for approval in outcome.waiting:
            asyncio.run(assistant.decide(EDITOR, approval.id, False, RecordingSink()))
        denied = tool_results(fake.requests[-1]["body"])
    assert len(denied) == 2 and all("Cancel" in json.dumps(d) for d in denied)
    after = ro()
    assert (after.archive, after.status, after.version) == (
        before.archive,
        before.status,
        before.version,
    )
    with desk.session() as s:
        states = set(s.scalars(select(Approval.state)))
    assert states == {"CANCELLED"}
