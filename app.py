"""Chainlit entry. Thin: chat start, message -> answer.

The assistant (pydantic-ai agent, tools, confirmations, sign-in) arrives with its own issue;
until then the chat answers from live data: an RO by number, or the dashboard.
"""

from __future__ import annotations

import asyncio
import re

import chainlit as cl

from bootstrap import bootstrap
from domain.errors import RoTrackerError
from domain.stats import dashboard

APP = bootstrap()
RO_MENTION = re.compile(r"\b(?:RO\s*#?\s*)?G?(\d{3,9})\b", re.IGNORECASE)


def _dashboard_text() -> str:
    with APP.session() as session:
        d = dashboard(session, APP.today())
    return (
        f"**{d.total_active}** active repair orders, **{d.overdue}** overdue "
        f"({d.overdue_30_plus} by more than 30 days), {d.due_today} due today.\n\n"
        f"Waiting quote {d.waiting_quote} · Approved {d.approved} · In work {d.in_work} · "
        f"Shipping {d.shipping}\n\nEstimated value of active ROs: ${d.total_estimated_value:,.2f}"
    )


def _ro_text(number: str) -> str:
    try:
        ro = APP.repair_orders.get(number)
    except RoTrackerError as exc:
        return str(exc)
    late = f" — **{ro.days_overdue} days overdue**" if ro.is_overdue else ""
    return (
        f"**RO {ro.number}** ({ro.archive.sheet}) · {ro.status or ro.raw_status}{late}\n\n"
        f"{ro.part_description or ''} {ro.part_number or ''} SN {ro.serial_number or '—'}\n\n"
        f"Shop: {ro.shop_name or '—'} · Terms: {ro.terms or '—'} · "
        f"Next update: {ro.next_update or '—'} · ETA: {ro.estimated_delivery or '—'}"
    )


@cl.on_chat_start
async def start() -> None:
    text = await asyncio.to_thread(_dashboard_text)
    await cl.Message(content=f"Welcome to RO Tracker.\n\n{text}\n\nAsk for an RO by number.").send()


@cl.on_message
async def on_message(message: cl.Message) -> None:
    mention = RO_MENTION.search(message.content or "")
    if mention:
        reply = await asyncio.to_thread(_ro_text, mention.group(1))
    else:
        reply = await asyncio.to_thread(_dashboard_text)
    await cl.Message(content=reply).send()
