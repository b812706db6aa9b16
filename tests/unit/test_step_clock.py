"""Chainlit steps and messages made in a row keep their order without sleeping."""

import time

from web import step_clock


def test_steps_made_in_a_row_are_ordered_without_a_sleep(monkeypatch):
    import chainlit as cl

    step_clock.install()
    slept = []
    monkeypatch.setattr(time, "sleep", slept.append)  # what the sleep would have been
    steps = [cl.Step(name=f"s{i}", thread_id="t") for i in range(200)]
    created = [s.created_at for s in steps]
    assert slept == []
    assert created == sorted(created) and len(set(created)) == len(created)
    assert all(c.endswith("Z") and len(c) == len("2026-12-02T07:00:00.000000Z") for c in created)


def test_the_clock_never_repeats_or_goes_back():
    times = [step_clock.utc_now() for _ in range(5000)]
    assert times == sorted(times) and len(set(times)) == len(times)
