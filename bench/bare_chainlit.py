"""The baseline of `bench.chat`: a bare Chainlit app doing one step and one message per turn.

Same sign-in (password form) and websocket as RO Tracker, no data layer, no agent: what any
Chainlit app costs per turn on this machine. `bench.chat` serves it as `gt serve` runs Chainlit
(`python -m web.launch run`: `chainlit run` on uvloop, without nest_asyncio).
"""

import chainlit as cl

import bench.bare_sign_in  # noqa: F401  (registers the sign-in)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    async with cl.Step(name="lookup", type="tool") as step:
        step.input = message.content
        step.output = {"ro": message.content, "status": "WAITING QUOTE"}
    await cl.Message(content=f"**{message.content}**: waiting for the shop's quote.").send()
