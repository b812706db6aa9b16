"""The floor of `bench.chat`: a bare Chainlit app running the smallest pydantic-ai agent.

What the mandated stack costs per turn before any of RO Tracker's own work: the same sign-in and
websocket as bench/bare_chainlit.py, plus one pydantic-ai agent driven as RO Tracker drives its
own (`run_stream_events`, the tool call shown as a step, the text streamed into the reply, the
conversation carried to the next turn) — but one tool that returns a fixed record, a canned
model (no language model, no understanding), the conversation in memory (no database) and the
tool called in the event loop (no job queue). Anything RO Tracker costs above this is ours.
"""

import chainlit as cl
from pydantic_ai import (
    Agent,
    AgentRunResultEvent,
    FunctionToolCallEvent,
    FunctionToolResultEvent,
    PartDeltaEvent,
    PartStartEvent,
)
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    TextPart,
    TextPartDelta,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, DeltaToolCall, FunctionModel

import bench.bare_sign_in  # noqa: F401  (registers the sign-in)

KEEP_MESSAGES = 40  # as RO Tracker keeps (agent/store.py)


async def canned(messages: list[ModelMessage], info: AgentInfo):
    """Looks the message up, then says what the lookup returned; "help" is answered at once."""
    last = messages[-1].parts[-1]
    if isinstance(last, ToolReturnPart):
        record = last.content
        yield f"**RO {record['ro']}** at {record['shop']}: {record['status']}, "
        yield f"next update due {record['next_update']}."
    elif isinstance(last, UserPromptPart) and last.content.strip().lower() == "help":
        yield "Ask me about an RO, overdue work, stock, or a shop."
    else:
        query = last.content if isinstance(last, UserPromptPart) else ""
        yield {0: DeltaToolCall(name="lookup", json_args=f'{{"query": "{query[:40]}"}}')}


agent = Agent(FunctionModel(stream_function=canned, model_name="canned"))


@agent.tool_plain
def lookup(query: str) -> dict:
    """Look up a repair order.

    Args:
        query: what the person asked for.
    """
    number = "".join(c for c in query if c.isdigit()) or "38195"
    return {"ro": number, "shop": "Avtech", "status": "WAITING QUOTE", "next_update": "2026-12-09"}


def kept(messages: list[ModelMessage]) -> list[ModelMessage]:
    """The last turns, starting at a person's message."""
    for start in range(max(0, len(messages) - KEEP_MESSAGES), len(messages)):
        message = messages[start]
        if isinstance(message, ModelRequest) and any(
            isinstance(p, UserPromptPart) for p in message.parts
        ):
            return messages[start:]
    return messages


@cl.on_message
async def on_message(message: cl.Message) -> None:
    history = cl.user_session.get("history")
    reply, steps, result = cl.Message(content=""), {}, None
    async with agent.run_stream_events(message.content, message_history=history) as events:
        async for event in events:
            if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
                await reply.stream_token(event.part.content)
            elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
                await reply.stream_token(event.delta.content_delta)
            elif isinstance(event, FunctionToolCallEvent):
                step = steps[event.part.tool_call_id] = cl.Step(name="lookup", type="tool")
                step.input = event.part.args_as_dict()
                await step.send()
            elif isinstance(event, FunctionToolResultEvent):
                step = steps.pop(event.part.tool_call_id)
                step.output = event.part.content
                await step.update()
            elif isinstance(event, AgentRunResultEvent):
                result = event.result
    await reply.send()
    cl.user_session.set("history", kept(result.all_messages()))
