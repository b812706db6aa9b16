"""The README's table of what the assistant understands is the corpus's, and every example in it
works on the demo data (through the real assistant: offline model, tools, actors, database)."""

from __future__ import annotations

import asyncio

from agent.turns import Assistant
from bootstrap import bootstrap
from config import PROJECT_DIR, load_settings
from domain.demo import DemoSpec, seed_demo, seed_inventory
from domain.roles import SYSTEM, Actor, Role
from tests.integration.test_assistant import RecordingSink
from tests.offline_corpus import README_EXAMPLES, readme_table

APPROVER = Actor("approver@genthrust.test", Role.APPROVER, "chat")
FAILED = (
    "I couldn't do that",
    "I'm not sure what you need",
    "something went wrong",
    "faster than the assistant allows",
)


def test_the_readme_shows_the_corpus_table():
    assert readme_table() in (PROJECT_DIR / "README.md").read_text()


def test_every_readme_example_works_on_the_demo_data(sqlite_template, tmp_path):
    import shutil

    path = tmp_path / "demo.db"
    shutil.copy(sqlite_template, path)
    settings = load_settings(  # one person trying every example in a row: no rate limit
        database_url=f"sqlite:///{path}",
        var_dir=tmp_path / "var",
        chat_turns_per_minute=len(README_EXAMPLES) + 1,
    )
    app = bootstrap(settings, process="test")
    seed_demo(app, DemoSpec())
    seed_inventory(app)
    app.users.add(SYSTEM, APPROVER.name, "approver")
    assistant = Assistant(app)
    app.jobs.start()

    async def ask_all():
        answers = []
        try:
            thread = "readme-0"
            for i, (request, _) in enumerate(README_EXAMPLES):
                if request != "more":  # each example in a fresh chat; "more" pages the last list
                    thread = f"readme-{i}"
                sink = RecordingSink()
                outcome = await assistant.ask(APPROVER, thread, request, sink)
                answers.append((request, outcome, sink))
        finally:
            await app.jobs.aclose()
        return answers

    try:
        answers = asyncio.run(ask_all())
    finally:
        app.jobs.stop()
        app.engine.dispose()
    does = dict(README_EXAMPLES)
    for request, outcome, sink in answers:
        said = outcome.reply + sink.said
        assert outcome.error is None, (request, outcome.error)
        assert not any(f in said for f in FAILED), (request, said[:300])
        errors = [t["error"] for t in sink.tools if t["error"]]
        assert not errors, (request, errors)
        if "(you confirm)" in does[request]:  # the demo RO is in a state the change fits
            assert sink.confirmations, (request, said[:300])
