"""The connector registry: source type -> how to build its client and map its records.

A connector has `requests` (calls made, retries included), `check()`, `changed_since(since)`
(listed rows, newest first), `details(id)` and `close()`; its type's `transform(record,
mapping)` turns a record into `domain.sources.Incoming` or `Skip`. `domain.sources.CONNECTOR_TYPES`
names the same types with the credential fields each needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import httpx

from domain.sources import CONNECTOR_TYPES, Incoming, Skip
from integrations.erp import feed, transformer
from integrations.erp.erp_aero import ErpAeroClient, Listed
from integrations.erp.feed import FeedClient
from integrations.erp.http import HttpPolicy


class Connector(Protocol):
    requests: int

    def check(self) -> str: ...

    def changed_since(self, since: datetime | None) -> Iterator[Listed]: ...

    def details(self, record_id: str) -> dict[str, Any]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class ConnectorType:
    build: Callable[..., Connector]
    transform: Callable[[Mapping[str, Any], Mapping[str, Any] | None], Incoming | Skip]
    # Its record ids are only unique within one source (a feed's row ids): stored as
    # "source-name:id", so two feeds never claim each other's ROs. ERP.aero's po_id is global.
    namespaced: bool = False


def _erp_aero(
    base_url: str,
    credentials: dict[str, str],
    policy: HttpPolicy,
    *,
    page_size: int,
    mapping: Mapping[str, Any],
    transport: httpx.BaseTransport | None,
) -> Connector:
    return ErpAeroClient(base_url, credentials, policy, page_size=page_size, transport=transport)


def _feed(
    base_url: str,
    credentials: dict[str, str],
    policy: HttpPolicy,
    *,
    page_size: int,
    mapping: Mapping[str, Any],
    transport: httpx.BaseTransport | None,
) -> Connector:
    return FeedClient(base_url, credentials, policy, mapping=mapping, transport=transport)


REGISTRY: dict[str, ConnectorType] = {
    "erp.aero": ConnectorType(_erp_aero, transformer.transform),
    "feed": ConnectorType(_feed, feed.transform, namespaced=True),
}
assert set(REGISTRY) == set(CONNECTOR_TYPES), "domain.sources and the registry disagree"


def connector_type(kind: str) -> ConnectorType:
    return REGISTRY[kind]
