"""Every actor of the application, declared per App on its own broker.

One actor per tool operation (the interactive `tools` queue: quick retries, short time limit,
results stored for the waiting chat turn) and one per background task (the `background` queue:
patient retries). Both lists hold functions, not names: `jobs.call(fn)` / `jobs.send(fn)` find
the actor by reference, and a test can check statically that every tool's operation is here.

An actor's body binds the App built by `bootstrap`, so nothing in jobs/ reaches for a global.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import dramatiq
from dramatiq.middleware import CurrentMessage

from domain.errors import InvalidInput
from jobs import commands, tasks
from jobs import documents as documents_jobs
from jobs.acting import ActingUsers
from jobs.app import App
from jobs.excel.actor import excel_sync
from jobs.exports import export_ro_file
from jobs.idempotency import run_once
from jobs.inbox import poll_inbox
from jobs.mail.actor import send_email
from jobs.operation import OperationContext, spec_of
from jobs.operations import (
    approvals,
    bulk,
    documents,
    email,
    excel,
    exports,
    inventory,
    repair_orders,
    replies,
    reports,
    shops,
    sources,
    users,
)
from jobs.policies import BACKGROUND, COMMAND, INTERACTIVE

OPERATIONS: tuple[Callable[..., dict[str, Any]], ...] = (
    repair_orders.get_repair_order,
    repair_orders.list_repair_orders,
    repair_orders.dashboard_stats,
    repair_orders.dashboard_charts,
    repair_orders.preview_status_change,
    repair_orders.preview_update,
    repair_orders.preview_create,
    repair_orders.preview_archive,
    repair_orders.change_status,
    repair_orders.update_repair_order,
    repair_orders.create_repair_order,
    repair_orders.archive_repair_order,
    # desk queries (c13 point 1)
    repair_orders.search_repair_orders,
    repair_orders.recent_changes,
    inventory.search_inventory,
    inventory.low_stock,
    inventory.preview_use_part,
    inventory.use_part,
    email.draft_email,
    email.list_email_drafts,
    email.email_history,
    excel.excel_status,
    excel.excel_full_sync,
    excel.excel_sync_now,
    excel.excel_sync_progress,
    approvals.pending_approvals,
    # c13: bulk changes, shop directory, follow-ups merged per shop
    bulk.preview_bulk_status,
    bulk.preview_bulk_archive,
    bulk.apply_bulk,
    shops.list_shops,
    shops.get_shop,
    shops.preview_update_shop,
    shops.update_shop,
    shops.preview_create_shop,
    shops.create_shop,
    email.draft_follow_ups_by_shop,
    # reports and exports
    reports.report,
    exports.export_ro_list,
    exports.export_report,
    exports.export_progress,  # c13 exports: a queued RO-list export's progress
    # user administration in the chat (admins; issue #20)
    users.list_users,
    users.user_sessions,
    users.preview_set_user_active,
    users.preview_set_user_role,
    users.preview_revoke_user_sessions,
    users.set_user_active,
    users.set_user_role,
    users.revoke_user_sessions,
    # outside sources (#17): status and a confirmed "sync now" for admins
    sources.source_status,
    sources.preview_source_sync,
    sources.start_source_sync,
    # documents on ROs (#15)
    documents.list_documents,
    documents.preview_attach_document,
    documents.attach_document,
    documents.preview_remove_document,
    documents.remove_document,
    documents.download_document,
    # shops' replies (#16)
    replies.inbox,
    replies.email_thread,
    replies.apply_reply,
    replies.dismiss_reply,
    replies.edit_reply,
)


def _never(retries: int, exc: Exception) -> bool:
    return False


TASKS: dict[Callable[..., Any], dict[str, Any]] = {
    commands.apply_command: COMMAND,
    tasks.recover_lost_work: BACKGROUND,
    tasks.overdue_sweep: BACKGROUND,
    tasks.follow_up_check: BACKGROUND,
    tasks.prune_idempotency_keys: BACKGROUND,
    excel_sync: BACKGROUND,
    send_email: {**BACKGROUND, "time_limit": 120_000},
    # c13 exports: a large RO-list file (up to export_max_rows) outlasts a tool call
    export_ro_file: {**BACKGROUND, "time_limit": 900_000},
    # #17: a first sync of a large ERP reads every record at the rate limit; a run is not
    # retried by the broker (a failed run is a visible status; the schedule tries again)
    sources.sync_source: {**BACKGROUND, "time_limit": 4 * 3600_000, "retry_when": _never},
    sources.sync_due_sources: BACKGROUND,
    # #15: a filed document to the Graph library (a 25 MB upload session outlasts a tool call)
    documents_jobs.upload_document: {**BACKGROUND, "time_limit": 1_800_000},
    # #16: shops' replies from the mailbox (a page of messages; the model may read each)
    poll_inbox: {**BACKGROUND, "time_limit": 900_000},
}


def declare(app: App) -> None:
    """Declare every actor on `app.jobs.broker`, bound to `app` (`app.jobs.actors`)."""
    for op in OPERATIONS:
        declare_operation(app, op)
    for task, options in TASKS.items():
        app.jobs.actors[task] = _declare(app, task, _task_body(app, task), options)


def declare_operation(app: App, op: Callable[..., dict[str, Any]]) -> dramatiq.Actor:
    """One operation's actor (the catalog's, or an extra one: a test's, a plug-in's)."""
    actor = _declare(app, op, _operation_body(app, op, ActingUsers(app.users)), INTERACTIVE)
    app.jobs.actors[op] = actor
    return actor


def _declare(app: App, fn: Callable[..., Any], body: Callable[..., Any], options: dict):
    options = dict(options)
    return dramatiq.Actor(
        body,
        broker=app.jobs.broker,
        actor_name=fn.__name__,
        queue_name=options.pop("queue_name"),
        priority=options.pop("priority"),
        options=options,
    )


def _task_body(app: App, task: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(task)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = task(app, *args, **kwargs)
        # Only a caller that awaits the result gets it (Jobs.run, the one such caller, asks for
        # it to be stored; a direct call has no message): Dramatiq logs a warning on every other
        # run of an actor that returns a value, e.g. every scheduled mailbox poll.
        message = CurrentMessage.get_current_message()
        return result if message is None or message.options.get("store_results") else None

    return run


def _operation_body(app: App, op: Callable[..., Any], acting: ActingUsers) -> Callable[..., Any]:
    spec = spec_of(op)
    signature = inspect.signature(op)

    @functools.wraps(op)
    def run(args: dict[str, Any], actor_email: str, call_id: str | None = None) -> Any:
        """Run the operation as the user `actor_email`; a write applies once per `call_id`."""
        who = acting.actor(actor_email, "chat")
        args = dict(args or {})
        try:
            signature.bind(None, **args)
        except TypeError as exc:
            raise InvalidInput(f"Wrong arguments for {op.__name__}: {exc}.") from None
        if not spec.writes:
            return op(OperationContext(app, who, app.uow), **args)
        message = CurrentMessage.get_current_message()
        key = f"tool:{call_id}" if call_id else f"msg:{message.message_id}"
        return run_once(
            app,
            key,
            op.__name__,
            apply=lambda uow: op(OperationContext(app, who, uow), **args),
            replay=lambda: (
                spec.replay(OperationContext(app, who, app.uow), **args) if spec.replay else {}
            ),
        )

    return run
