"""Where a thread's agent conversation lives between turns (and across restarts)."""

from __future__ import annotations

import dataclasses

from pydantic_ai import Conversation, ConversationTypeAdapter
from pydantic_ai.messages import ModelRequest, UserPromptPart
from pydantic_ai.usage import RunUsage

from domain.conversations import ensure_thread
from domain.models.chat import ChatThread
from domain.unit_of_work import UnitOfWorkFactory

MAX_NAME = 80
# A thread keeps its last turns for the model; older ones stay visible in the chat history (steps)
# but stop costing tokens and load time on every turn.
KEEP_MESSAGES = 40


def bounded(conversation: Conversation) -> Conversation:
    """The conversation cut to its recent turns, always starting at a person's message."""
    messages = conversation.messages
    if len(messages) <= KEEP_MESSAGES:
        return conversation
    for start in range(len(messages) - KEEP_MESSAGES, len(messages)):
        message = messages[start]
        if isinstance(message, ModelRequest) and any(
            isinstance(part, UserPromptPart) for part in message.parts
        ):
            return dataclasses.replace(conversation, messages=messages[start:])
    return conversation


class ConversationStore:
    def __init__(self, uow: UnitOfWorkFactory):
        self._uow = uow

    def load(self, thread_id: str) -> Conversation | None:
        with self._uow() as uow:
            thread = uow.session.get(ChatThread, thread_id)
            if thread is None or not thread.conversation:
                return None
            conversation = ConversationTypeAdapter.validate_json(thread.conversation)
        # Each turn gets the whole request budget (pydantic-ai's UsageLimits count from the
        # conversation's running usage: carried over, a thread would refuse every message after
        # about 25 turns). What a turn cost is logged per turn, not per thread.
        return dataclasses.replace(conversation, usage=RunUsage())

    def save(
        self, thread_id: str, conversation: Conversation, user_email: str, first_message: str | None
    ) -> None:
        data = ConversationTypeAdapter.dump_json(bounded(conversation)).decode()
        ensure_thread(self._uow, thread_id, user_email)
        with self._uow() as uow:
            thread = uow.session.get(ChatThread, thread_id)
            if not thread.name and first_message:
                thread.name = first_message[:MAX_NAME]
            thread.user_email = thread.user_email or user_email
            thread.conversation = data
            uow.commit()
