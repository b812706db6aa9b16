"""The configured workbook: the local file (default) or the Graph workbook (GT_EXCEL_TARGET)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import httpx

from config import Settings
from integrations.excel.graph_workbook import GraphWorkbook
from integrations.excel.local import LocalWorkbook
from integrations.excel.locks import workbook_lock
from integrations.excel.writer import WorkbookWriter
from integrations.microsoft.graph import TokenProvider


def graph_item_path(settings: Settings) -> str:
    if settings.graph_site_id:
        return f"/sites/{settings.graph_site_id}/drive/items/{settings.graph_item_id}"
    return f"/drives/{settings.graph_drive_id}/items/{settings.graph_item_id}"


def graph_target(settings: Settings) -> str:
    return "graph:" + graph_item_path(settings).strip("/")


def target_of(settings: Settings) -> str:
    """The sync-state key of the configured workbook, without building a writer."""
    if settings.excel_target == "graph":
        return graph_target(settings)
    return LocalWorkbook(settings.excel_file).target


def build_writer(
    settings: Settings,
    tokens: TokenProvider | None,
    *,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
) -> WorkbookWriter:
    """The local .xlsx, or the Graph workbook reached with `tokens`."""
    if settings.excel_target != "graph":
        return LocalWorkbook(settings.excel_file)
    if tokens is None:
        raise ValueError("a Graph workbook needs a token provider")
    target = graph_target(settings)
    return GraphWorkbook(
        base_url=settings.graph_base_url,
        item_path=graph_item_path(settings),
        tokens=tokens,
        lock=partial(
            workbook_lock, target, redis_url=settings.redis_url, lock_dir=settings.var_dir / "locks"
        ),
        transport=transport,
        ca_bundle=settings.graph_ca_bundle,
        max_payload_bytes=settings.excel_max_payload_bytes,
        sleep=sleep,
    )
