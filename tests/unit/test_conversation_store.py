from pydantic_ai import Conversation
from pydantic_ai.messages import (
    ModelRequest,
    ModelResponse,
    TextPart,
    ToolReturnPart,
    UserPromptPart,
)

from agent.store import KEEP_MESSAGES, bounded


def _turn(i: int) -> list:
    return [
        ModelRequest(parts=[UserPromptPart(content=f"question {i}")]),
        ModelResponse(parts=[TextPart(content=f"answer {i}")]),
        ModelRequest(parts=[ToolReturnPart(tool_name="t", content="x", tool_call_id=f"c{i}")]),
    ]


def test_short_conversations_are_kept_whole():
    conversation = Conversation(messages=[m for i in range(3) for m in _turn(i)])
    assert bounded(conversation) is conversation


def test_long_conversations_keep_recent_turns_starting_at_a_question():
    conversation = Conversation(messages=[m for i in range(40) for m in _turn(i)])
    kept = bounded(conversation).messages
    assert len(kept) <= KEEP_MESSAGES
    assert isinstance(kept[0].parts[0], UserPromptPart)
    assert kept[-1] is conversation.messages[-1]
