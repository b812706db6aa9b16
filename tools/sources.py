"""Outside sources of ROs (ERP.aero), for admins. The docstrings are the model's contract.

- `erp_sync_status`: each source's last sync (when, OK/PARTIAL/FAILED, counts, the error) and
  its problems. Credentials never reach the model: the operation returns none of them.
- `sync_erp`: asks for Confirm, then queues a sync on the background queue (the run has its own
  lock, so a second request while one runs does not start another).
"""

from __future__ import annotations

from typing import Any

from pydantic_ai import RunContext

from domain.roles import Role
from jobs.operations import sources as ops
from tools.confirm import confirm_then
from tools.context import Deps


def _not_admin(deps: Deps) -> dict[str, Any] | None:
    if deps.actor.role.rank < Role.ADMIN.rank:
        return {
            "error": f"{deps.actor.name} has the {deps.actor.role} role; the ERP sync is for "
            "admins."
        }
    return None


async def erp_sync_status(ctx: RunContext[Deps]) -> dict[str, Any]:
    """The outside sources of repair orders (ERP.aero): for each, its last sync — when, its
    status (OK, PARTIAL with skipped records, FAILED with the reason, or never synced), how many
    ROs were created, updated, unchanged, skipped — and any problems. Admins only."""
    return _not_admin(ctx.deps) or await ctx.deps.run(ops.source_status)


async def sync_erp(ctx: RunContext[Deps], source: str | None = None) -> dict[str, Any]:
    """Sync repair orders from ERP.aero now (new ROs created, changed ones updated, nothing
    deleted). Admins only; the user must press Confirm. Runs in the background; ask for the ERP
    sync status afterwards.

    Args:
        source: the source's name when there is more than one; leave empty otherwise.
    """
    deps = ctx.deps
    refused = _not_admin(deps)
    if refused:
        return refused

    async def preview() -> dict[str, Any]:
        shown = await deps.run(ops.preview_source_sync, name=source)
        if "error" in shown:
            return shown
        return {
            "title": shown["title"],
            "args": {"name": shown["source"]},
            "changes": [[shown["source"], shown["last"], "sync now"]],
            "note": "New ROs are created and changed ones updated through the usual history; "
            "nothing is deleted, and fields changed here since the ERP's change are kept.",
        }

    return await confirm_then(ctx, preview, ops.start_source_sync)
