"""SQLAlchemy models: the system of record.

Every table module is imported here, so importing anything from `domain.models` gives a
`Base.metadata` with all the tables (what migrations and `create_all` need). Table modules import
only `domain.models.base`, never this package, so there is no import circle.
    base            Base, its naming convention, utcnow, shared column types
    repair_orders   Shop, RepairOrder, StatusHistory, ActivityLog, DomainEvent (the outbox)
    deleted_ros     the session hook hiding soft-deleted ROs from every ORM query
    users           User, UserSession (sign-ins), UserChange (the accounts' audit trail),
                    ApiToken (personal API tokens), ApiIdempotency (POST replays)
    inventory       InventoryItem, InventorySearchTerm, InventoryTransaction
    jobs            JobIdempotency, JobFailure, JobRun
    chat            ChatThread, ChatThreadMessage, ChatStep, Approval, AiConversationLog
    excel           ExcelSyncState, ExcelSyncJob, GraphCredential
    notifications   Notification, NotificationRepairOrder
    shop_changes    ShopChange (the shops' audit trail)
    sources         Source, SourceSyncRun (outside sources of ROs: ERP.aero, feeds)
    documents       Document (files filed on ROs; removal is a marker)
"""

# Registers the session hook that leaves deleted ROs out of every ORM query.
from domain.models import deleted_ros  # noqa: F401
from domain.models.base import Base, utcnow
from domain.models.chat import (
    AiConversationLog,
    Approval,
    ApprovalState,
    ChatStep,
    ChatThread,
    ChatThreadMessage,
)
from domain.models.documents import Document
from domain.models.excel import ExcelSyncJob, ExcelSyncState, GraphCredential
from domain.models.inventory import InventoryItem, InventorySearchTerm, InventoryTransaction
from domain.models.jobs import JobFailure, JobIdempotency, JobRun
from domain.models.notifications import Notification, NotificationRepairOrder
from domain.models.repair_orders import ActivityLog, DomainEvent, RepairOrder, Shop, StatusHistory
from domain.models.replies import InboundEmail, InboundEmailRo, MailboxCursor
from domain.models.shop_changes import ShopChange
from domain.models.sources import Source, SourceSyncRun
from domain.models.users import ApiIdempotency, ApiToken, User, UserChange, UserSession

__all__ = [
    "ActivityLog",
    "AiConversationLog",
    "ApiIdempotency",
    "ApiToken",
    "Approval",
    "ApprovalState",
    "Base",
    "ChatStep",
    "ChatThread",
    "ChatThreadMessage",
    "Document",
    "DomainEvent",
    "ExcelSyncJob",
    "ExcelSyncState",
    "GraphCredential",
    "InboundEmail",
    "InboundEmailRo",
    "InventoryItem",
    "InventorySearchTerm",
    "InventoryTransaction",
    "JobFailure",
    "JobIdempotency",
    "JobRun",
    "MailboxCursor",
    "Notification",
    "NotificationRepairOrder",
    "RepairOrder",
    "Shop",
    "ShopChange",
    "Source",
    "SourceSyncRun",
    "StatusHistory",
    "User",
    "UserChange",
    "UserSession",
    "utcnow",
]
