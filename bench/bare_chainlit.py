"""The baseline of `bench.chat`: a bare Chainlit app doing one step and one message per turn.

Same sign-in (password form) and websocket as RO Tracker, no data layer, no agent: what any
Chainlit app costs per turn on this machine. `bench.chat` serves it as `gt serve` runs Chainlit
(`python -m web.launch run`: `chainlit run` on uvloop, without nest_asyncio).
"""

import os

import chainlit as cl


@cl.password_auth_callback
async def sign_in(username: str, password: str) -> cl.User | None:
    if password != os.environ["GT_NEW_USER_PASSWORD"]:
        return None
    return cl.User(identifier=username)


@cl.on_message
async def on_message(message: cl.Message) -> None:
    async with cl.Step(name="lookup", type="tool") as step:
        step.input = message.content
        step.output = {"ro": message.content, "status": "WAITING QUOTE"}
    await cl.Message(content=f"**{message.content}**: waiting for the shop's quote.").send()
