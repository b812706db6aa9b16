"""The baselines' sign-in (bench/bare_chainlit.py, bench/bare_agent.py): Chainlit's password form,
the bench's password for anyone — importing this module registers it."""

import os

import chainlit as cl


@cl.password_auth_callback
async def sign_in(username: str, password: str) -> cl.User | None:
    if password != os.environ["GT_NEW_USER_PASSWORD"]:
        return None
    return cl.User(identifier=username)
