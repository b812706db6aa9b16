"""pydantic-ai's check of the kept history for frame lookalikes, done once per message part.

Before every model request (two or more a turn) pydantic-ai 2.6x looks through every part of the
history for text that resembles its own frames (`<system>`, `<pyai:tool_result>`, ...), to put a
note next to it (`Model._note_lookalike_frames`). For a tool result that means serializing it to
JSON and scanning the text: on a thread's 40 kept messages, a fifth of a chat turn's CPU. The
history's parts are the same objects turn after turn (agent/store.py keeps the parsed
conversation) and pydantic-ai never changes a history part in place, so the answer for a part
is remembered: the check itself, and the notes it leads to, are pydantic-ai's own, unchanged.

Answers are keyed by the part's `id` with a weak reference to it: an answer is used only while
its part is alive and the very object asked about (an `id` reused after a part is gone is
checked afresh), and the memo never keeps a conversation alive. It keeps the most recent
`MAX_PARTS` answers.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from typing import Any

import pydantic_ai.models as models

MAX_PARTS = 50_000
_UNCACHED = getattr(models, "_lookalike_sources", None)


class LookalikeMemo:
    def __init__(self, check, max_parts: int = MAX_PARTS):
        self._check = check
        self._max_parts = max_parts
        self._answers: OrderedDict[int, tuple[weakref.ref, list]] = OrderedDict()
        self._lock = threading.Lock()
        self.checked = 0  # parts actually checked (a test's window on the cache)

    def __call__(self, part: Any) -> list:
        key = id(part)
        with self._lock:
            known = self._answers.get(key)
            if known is not None and known[0]() is part:
                self._answers.move_to_end(key)
                return [(source, list(tags)) for source, tags in known[1]]
        answer = self._check(part)
        with self._lock:
            self.checked += 1
            self._answers[key] = (
                weakref.ref(part),
                [(source, list(tags)) for source, tags in answer],
            )
            while len(self._answers) > self._max_parts:
                self._answers.popitem(last=False)
        return answer


def install() -> LookalikeMemo | None:
    """Route pydantic-ai's per-part check through the memo (once; None if this pydantic-ai has
    no such check — then nothing is changed and the guarding test says so)."""
    current = getattr(models, "_lookalike_sources", None)
    if isinstance(current, LookalikeMemo):
        return current
    if _UNCACHED is None or current is not _UNCACHED:
        return None
    memo = LookalikeMemo(_UNCACHED)
    models._lookalike_sources = memo
    return memo
