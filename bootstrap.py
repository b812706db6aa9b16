"""The composition root: the one place that builds infrastructure, for each kind of process.

    app = bootstrap(settings, process="chat")   # the Chainlit app (app.py): starts jobs itself
    app = bootstrap(settings, process="worker") # a `gt worker` process (Dramatiq's CLI)
    app = bootstrap(settings, process="cli")    # `gt` commands
    app = bootstrap(settings, process="scheduler")
    app = bootstrap(settings, process="test", engine=..., today=..., mail_sender=...)

It builds, in order: the database engine and sessions; the broker and result backend (Redis
when REDIS_URL is set, in-process otherwise); the event handlers (the Excel nudge, in every
process that writes, so it fires wherever the write ran); the domain services; the outside
systems (one Graph token provider per process, the mail sender, the workbook writer); the App
that holds them; every actor, bound to that App; and the schedule where this process runs it.
Tests call it with fakes instead of patching modules.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Literal

import dramatiq
from sqlalchemy import Engine

from config import Settings, get_settings
from domain.ai_logs import AiLogService
from domain.api_tokens import ApiTokenService
from domain.conversations import ApprovalService, ChatLog
from domain.db import make_engine, make_session_factory
from domain.documents.gate import GateMode
from domain.documents.service import DocumentService, DocumentStore
from domain.followup import FollowUpPolicy
from domain.inventory.service import InventoryService
from domain.notifications.service import NotificationService
from domain.repair_orders import RepairOrderService
from domain.replies.service import ReplyReaders, ReplyService
from domain.sources import SourceService
from domain.unit_of_work import EventHandler, OneTransaction, UnitOfWork
from domain.users import UserService
from integrations.documents.extraction import reader_with_model
from integrations.documents.graph import LazyGraphStore, build_graph_store
from integrations.documents.local import LocalDocumentStore
from integrations.documents.model_reader import ModelReader
from integrations.documents.staging import UploadStaging
from integrations.excel.targets import build_writer
from integrations.excel.writer import WorkbookWriter
from integrations.mail.graph import GraphMailSender
from integrations.mail.inbox import Inbox
from integrations.mail.inbox_folder import FolderInbox
from integrations.mail.outbox import OutboxSender
from integrations.mail.raw_store import LocalRawMail
from integrations.mail.senders import Sender
from integrations.mail.smtp import SmtpSender
from integrations.microsoft.graph import TokenProvider
from integrations.microsoft.tokens import AppTokens, DelegatedTokens, RefreshTokenStore
from jobs import actors
from jobs.app import App
from jobs.broker import build_broker
from jobs.documents import UploadWhenFiled, upload_document
from jobs.excel.actor import excel_sync
from jobs.excel.nudge import DebouncedSync
from jobs.replies import Waiters
from jobs.runtime import Jobs
from jobs.scheduler import build_scheduler
from jobs.wakeup import WakingRedisBroker

Process = Literal["chat", "worker", "cli", "scheduler", "test"]


def bootstrap(
    settings: Settings | None = None,
    *,
    process: Process = "cli",
    engine: Engine | None = None,
    today: Callable[[], date] | None = None,
    handlers: Iterable[EventHandler] = (),
    mail_sender: Callable[[], Sender] | None = None,
    workbook: Callable[[], WorkbookWriter] | None = None,
    graph_tokens: TokenProvider | None = None,
    document_store: DocumentStore | None = None,
    reply_readers: ReplyReaders | None = None,
    inbox: Callable[[], Inbox | None] | None = None,
) -> App:
    settings = settings or get_settings()
    engine = engine or make_engine(
        settings.sqlalchemy_url,
        ssl_ca=settings.database_ssl_ca,
        pool_size=settings.database_pool_size,
        pool_recycle_s=settings.database_pool_recycle_s,
        echo=settings.database_echo,
    )
    session_factory = make_session_factory(engine)
    tz = settings.tz
    today = today or (lambda: datetime.now(tz).date())

    waiters = Waiters()
    broker, backend = build_broker(settings, session_factory, waiters)
    jobs = Jobs(settings, broker, backend, waiters)
    excel_nudge = DebouncedSync(
        lambda delay_ms: jobs.send(excel_sync, delay=delay_ms or None),
        settings.excel_debounce_ms,
    )
    event_handlers: tuple[EventHandler, ...] = (*handlers, excel_nudge)
    if settings.documents_store == "graph":  # filed documents go to the library in the background
        event_handlers += (UploadWhenFiled(lambda doc_id: jobs.send(upload_document, doc_id)),)

    def uow() -> UnitOfWork:
        return UnitOfWork(session_factory, list(event_handlers))

    policy = FollowUpPolicy.with_overrides(settings.followup_days)
    repair_orders = RepairOrderService(
        uow,
        policy,
        today,
        max_note_chars=settings.max_note_chars,
        gate_mode=GateMode(settings.certificate_gate),
    )

    tokens = _graph_tokens(settings, session_factory, graph_tokens)
    documents = DocumentService(
        uow,
        LocalDocumentStore(settings.var_dir / "documents"),
        reader_with_model(_model_reader(settings)),
        max_bytes=int(settings.documents_max_mb * 1024 * 1024),
        remote=document_store or _remote_document_store(settings, tokens),
    )
    app = App(
        process=process,
        settings=settings,
        engine=engine,
        session_factory=session_factory,
        today=today,
        handlers=event_handlers,
        repair_orders=repair_orders,
        users=UserService(uow),
        api_tokens=ApiTokenService(uow, engine.connect),
        ai_logs=AiLogService(uow),
        inventory=InventoryService(uow, today),
        approvals=ApprovalService(uow),
        chat_log=ChatLog(uow),
        notifications=NotificationService(
            uow,
            lambda hooks: UnitOfWork(session_factory, list(event_handlers), before_commit=hooks),
            repair_orders,
            policy,
            today,
            default_cc=settings.mail_cc,
            tz=tz,
        ),
        jobs=jobs,
        mail_sender=mail_sender or functools.partial(_mail_sender, settings, tokens),
        workbook=workbook or functools.partial(_workbook, settings, tokens),
        graph_tokens=tokens,
        sources=SourceService(
            uow,
            settings.token_encryption_key,
            allow_http_loopback=settings.source_allow_http_loopback,
        ),
        documents=documents,
        uploads=UploadStaging(settings.var_dir / "documents" / ".staging"),
        replies=ReplyService(
            lambda: OneTransaction(session_factory, list(event_handlers)),
            repair_orders,
            documents,
            reply_readers or _reply_readers(settings),
            today,
            tz,
            raw_store=LocalRawMail(settings.mail_raw_dir),
        ),
        inbox=inbox or functools.partial(_inbox, settings, tokens),
    )
    actors.declare(app)
    if process == "worker":
        dramatiq.set_broker(broker)  # Dramatiq's CLI runs its workers on the global broker
        if isinstance(broker, WakingRedisBroker):
            broker.start_maintenance(settings.redis_maintenance_every_s)
    if process == "scheduler" or (process == "chat" and jobs.embedded):
        jobs.scheduler = build_scheduler(jobs, blocking=process == "scheduler")
    return app


def _graph_tokens(
    settings: Settings, session_factory, given: TokenProvider | None
) -> Callable[[], TokenProvider]:
    """One Graph token provider per process, built on first use (msal reads the tenant's
    configuration when it starts, and caches tokens per application object)."""

    @functools.cache
    def tokens() -> TokenProvider:
        if given is not None:
            return given
        if settings.graph_token_mode == "delegated":
            store = RefreshTokenStore(session_factory, settings.token_encryption_key)
            return DelegatedTokens(settings, store)
        return AppTokens(settings)

    return tokens


def _mail_sender(settings: Settings, tokens: Callable[[], TokenProvider]) -> Sender:
    if settings.mail_sender == "smtp":
        return SmtpSender(settings)
    if settings.mail_sender == "graph":
        return GraphMailSender(settings, tokens=tokens())
    return OutboxSender(settings.outbox_dir)


def _inbox(settings: Settings, tokens: Callable[[], TokenProvider]) -> Inbox | None:
    """Where shops' replies are read from (#16): GT_INBOX (auto: Graph when mail goes through
    Graph, else the drop folder var/inbox), or None when off. A new one per poll (the polling
    actor closes it)."""
    max_bytes = int(settings.inbox_max_attachment_mb * 1024 * 1024)
    if settings.inbox_source == "folder":
        return FolderInbox(settings.inbox_dir, max_bytes)
    if settings.inbox_source == "graph":
        from integrations.mail.graph_inbox import GraphInbox

        return GraphInbox(settings, tokens(), max_attachment_bytes=max_bytes)
    return None


def _reply_readers(settings: Settings) -> ReplyReaders:
    """What reads a reply (#16): Claude when a key is configured (it falls back to the rules on
    any failure), else the offline rules; RO numbers and injected instructions are always found
    by the rules (domain/replies/ro_numbers.py, rules.py; integrations/mail/reply_model.py).
    The reader is built on first use."""
    built: list = []

    def reader():
        if not built:
            if settings.anthropic_api_key:
                from integrations.mail.reply_model import ModelReplyReader

                built.append(
                    ModelReplyReader(
                        settings.anthropic_api_key,
                        settings.model,
                        base_url=settings.anthropic_base_url or None,
                        timeout_s=settings.model_request_timeout_s,
                    )
                )
            else:
                from domain.replies.rules import RulesReplyReader

                built.append(RulesReplyReader())
        return built[0]

    def find_numbers(text: str) -> list[str]:
        from domain.replies.ro_numbers import find_ro_numbers

        return list(find_ro_numbers(text))

    def instructions(text: str) -> bool:
        from domain.replies.rules import looks_like_instructions

        return bool(looks_like_instructions(text))

    def read(text: str, numbers: list[str], today: date):
        return reader().read(text, numbers, today)

    name = "model" if settings.anthropic_api_key else "rules"
    return ReplyReaders(find_numbers, read, instructions, name=name)


def _model_reader(settings: Settings) -> ModelReader | None:
    """Claude reads scans the text layer and OCR could not (when a key is configured)."""
    if not settings.anthropic_api_key:
        return None
    return ModelReader(
        settings.anthropic_api_key,
        settings.model,
        base_url=settings.anthropic_base_url or None,
        timeout_s=settings.model_request_timeout_s,
    )


def _remote_document_store(
    settings: Settings, tokens: Callable[[], TokenProvider]
) -> DocumentStore | None:
    """The Graph library when GT_DOCUMENTS_STORE=graph: files land locally when filed, and a
    background job (jobs/documents.py) moves each there."""
    if settings.documents_store == "graph":
        return LazyGraphStore(lambda: build_graph_store(settings, tokens()))
    return None


def _workbook(settings: Settings, tokens: Callable[[], TokenProvider]) -> WorkbookWriter:
    return build_writer(settings, tokens() if settings.excel_target == "graph" else None)
