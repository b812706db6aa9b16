"""The App: one process's object graph — what actors, tools, the chat and `gt` run against.

`bootstrap.bootstrap()` is the only place that builds one (database, services, broker and
actors, mail sender, workbook writer, Graph tokens, event handlers); everything else receives
it. It is defined here, in the lowest layer that needs all of it (the actors), so nothing below
the composition root has to import the root.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from domain.ai_logs import AiLogService
from domain.api_tokens import ApiTokenService
from domain.conversations import ApprovalService, ChatLog
from domain.documents.service import DocumentService
from domain.inventory.service import InventoryService
from domain.notifications.service import NotificationService
from domain.repair_orders import RepairOrderService
from domain.replies.service import ReplyService
from domain.sources import SourceService
from domain.unit_of_work import EventHandler, UnitOfWork
from domain.users import UserService
from integrations.documents.staging import UploadStaging
from integrations.excel.writer import WorkbookWriter
from integrations.mail.inbox import Inbox
from integrations.mail.senders import Sender
from integrations.microsoft.graph import TokenProvider
from jobs.runtime import Jobs


@dataclass
class App:
    process: str  # chat, worker, cli, scheduler or test
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    today: Callable[[], date]
    handlers: tuple[EventHandler, ...]
    repair_orders: RepairOrderService
    users: UserService
    api_tokens: ApiTokenService
    ai_logs: AiLogService
    inventory: InventoryService
    approvals: ApprovalService
    chat_log: ChatLog
    notifications: NotificationService
    jobs: Jobs
    mail_sender: Callable[[], Sender]  # a fresh sender per email (each holds its connection)
    workbook: Callable[[], WorkbookWriter]  # the configured workbook, local or on Graph
    graph_tokens: Callable[[], TokenProvider]  # one provider per process, built on first use
    sources: SourceService  # outside sources of ROs (ERP.aero): settings, runs
    documents: DocumentService  # files filed on ROs, local store or a Graph drive
    uploads: UploadStaging  # files dropped in the chat, until filed on an RO
    replies: ReplyService  # shops' replies: ingested, matched, read, proposed (#16)
    inbox: Callable[[], Inbox | None]  # a new reader of the configured mailbox; None when off

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, list(self.handlers))

    def session(self) -> Session:
        return self.session_factory()
