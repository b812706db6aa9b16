"""The composition root: builds the application's object graph from `Settings`.

The app, the CLI, workers and tests all call `bootstrap()`; tests pass their own engine, clock
or event handlers instead of patching modules.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Settings, get_settings
from domain.conversations import ApprovalService, ChatLog
from domain.db import make_engine, make_session_factory
from domain.followup import FollowUpPolicy
from domain.inventory.service import InventoryService
from domain.notifications.service import NotificationService
from domain.repair_orders import RepairOrderService
from domain.unit_of_work import EventHandler, UnitOfWork
from domain.users import UserService


@dataclass
class App:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    today: Callable[[], date]
    handlers: list[EventHandler] = field(default_factory=list)

    def __post_init__(self) -> None:
        policy = FollowUpPolicy.with_overrides(self.settings.followup_days)
        self.repair_orders = RepairOrderService(
            self.uow, policy, self.today, max_note_chars=self.settings.max_note_chars
        )
        self.users = UserService(self.uow)
        self.inventory = InventoryService(self.uow, self.today)
        self.approvals = ApprovalService(self.uow)
        self.chat_log = ChatLog(self.uow)
        self.notifications = NotificationService(
            self.uow,
            lambda hooks: UnitOfWork(self.session_factory, self.handlers, before_commit=hooks),
            self.repair_orders,
            policy,
            self.today,
            default_cc=self.settings.mail_cc,
        )

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.handlers)

    def session(self) -> Session:
        return self.session_factory()


def bootstrap(
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    today: Callable[[], date] | None = None,
    handlers: list[EventHandler] | None = None,
) -> App:
    settings = settings or get_settings()
    engine = engine or make_engine(
        settings.sqlalchemy_url,
        ssl_ca=settings.database_ssl_ca,
        pool_size=settings.database_pool_size,
        pool_recycle_s=settings.database_pool_recycle_s,
        echo=settings.database_echo,
    )
    tz = settings.tz
    return App(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        today=today or (lambda: datetime.now(tz).date()),
        handlers=list(handlers or []),
    )
