"""The configured workbook: the local file (default) or the Graph workbook (GT_EXCEL_TARGET)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import httpx

from config import Settings
from jobs.excel.graph_workbook import GraphWorkbook
from jobs.excel.local import LocalWorkbook
from jobs.excel.locks import workbook_lock
from jobs.excel.writer import WorkbookWriter


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


def tokens_for(settings: Settings, session_factory):
    from jobs.excel.auth import AppTokens, DelegatedTokens, RefreshTokenStore

    if settings.graph_token_mode == "delegated":
        store = RefreshTokenStore(session_factory, settings.token_encryption_key)
        return DelegatedTokens(settings, store)
    return AppTokens(settings)


def build_writer(
    settings: Settings,
    session_factory=None,
    *,
    tokens=None,
    transport: httpx.BaseTransport | None = None,
    sleep: Callable[[float], None] | None = None,
) -> WorkbookWriter:
    if settings.excel_target != "graph":
        return LocalWorkbook(settings.excel_file)
    target = graph_target(settings)
    return GraphWorkbook(
        base_url=settings.graph_base_url,
        item_path=graph_item_path(settings),
        tokens=tokens or tokens_for(settings, session_factory),
        lock=partial(
            workbook_lock, target, redis_url=settings.redis_url, lock_dir=settings.var_dir / "locks"
        ),
        transport=transport,
        verify=str(settings.graph_ca_bundle) if settings.graph_ca_bundle else True,
        max_payload_bytes=settings.excel_max_payload_bytes,
        sleep=sleep,
    )


def writer_for(app) -> WorkbookWriter:
    """The App's writer: tests may set `app.excel_writer` to a writer with fakes injected."""
    custom = getattr(app, "excel_writer", None)
    return custom if custom is not None else build_writer(app.settings, app.session_factory)
