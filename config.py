"""Settings: the one place that reads the environment (and `.env`).

Well-known variables keep their usual names (`DATABASE_URL`, `REDIS_URL`, `ANTHROPIC_API_KEY`);
everything specific to RO Tracker starts with `GT_`. Nothing set means the embedded default:
SQLite under `var/`, in-process jobs, the offline model, local files for Excel and mail.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.exceptions import SettingsError

from domain.db import with_mysql_driver

PROJECT_DIR = Path(__file__).resolve().parent


ROLE_NAMES = ("viewer", "editor", "approver", "admin")  # domain.roles.Role, lowest first
# The app roles the README tells admins to define on the Entra app registration.
ENTRA_APP_ROLES = {
    "RO.Viewer": "viewer",
    "RO.Editor": "editor",
    "RO.Approver": "approver",
    "RO.Admin": "admin",
}
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class ConfigError(Exception):
    """Configuration that cannot work; its message is one line meant for a person."""


def _env(name: str) -> Any:
    return Field(validation_alias=AliasChoices(name, name.lower()))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    var_dir: Path = Field(PROJECT_DIR / "var", validation_alias=AliasChoices("GT_VAR_DIR"))
    database_url: str = Field("", validation_alias=AliasChoices("DATABASE_URL"))
    database_ssl_ca: Path | None = Field(None, validation_alias=AliasChoices("DATABASE_SSL_CA"))
    database_pool_size: int = Field(10, ge=1, le=200, validation_alias="GT_DB_POOL_SIZE")
    database_pool_recycle_s: int = Field(280, ge=10, validation_alias="GT_DB_POOL_RECYCLE")
    database_echo: bool = Field(False, validation_alias="GT_DB_ECHO")

    redis_url: str = Field("", validation_alias=AliasChoices("REDIS_URL"))
    # Jobs (see jobs/): how long a chat turn waits for a tool's actor, the schedule, and the
    # Redis broker's dead-worker detection (a worker silent this long has its messages requeued).
    job_timeout_s: float = Field(15.0, gt=0, le=600, validation_alias="GT_JOB_TIMEOUT_S")
    overdue_sweep_at: str = Field("08:00", validation_alias="GT_OVERDUE_SWEEP_AT")
    followup_check_every_min: int = Field(60, validation_alias="GT_FOLLOWUP_CHECK_EVERY_MIN")
    embedded_worker_threads: int = Field(
        4, ge=1, le=64, validation_alias="GT_EMBEDDED_WORKER_THREADS"
    )
    # A worker silent this long is dead and its unacknowledged messages are requeued; worker
    # processes heartbeat and requeue every GT_REDIS_MAINTENANCE_EVERY_S (jobs/wakeup.py).
    redis_heartbeat_timeout_ms: int = Field(
        15_000, ge=500, validation_alias="GT_REDIS_HEARTBEAT_TIMEOUT_MS"
    )
    redis_maintenance_every_s: float = Field(
        5.0, gt=0, le=60, validation_alias="GT_REDIS_MAINTENANCE_EVERY_S"
    )
    redis_maintenance_chance: int = Field(
        1000, ge=0, le=1_000_000, validation_alias="GT_REDIS_MAINTENANCE_CHANCE"
    )
    # Modules whose OPERATIONS `gt worker` processes declare too (`gt worker --module M` sets it).
    worker_modules: str = Field("", validation_alias="GT_WORKER_MODULES")

    anthropic_api_key: str = Field("", validation_alias=AliasChoices("ANTHROPIC_API_KEY"))
    anthropic_base_url: str = Field("", validation_alias=AliasChoices("ANTHROPIC_BASE_URL"))
    model: str = Field("claude-sonnet-5-5", validation_alias=AliasChoices("GT_MODEL"))
    # Our own bounds on the model (the SDK's default is 600 s per read, times its retries):
    # one request (all its retries) and its first streamed event; the SDK's retries (with
    # backoff) for overload, rate limits and lost connections; the whole chat turn.
    model_request_timeout_s: float = Field(
        60.0, gt=0, le=600, validation_alias="GT_MODEL_REQUEST_TIMEOUT_S"
    )
    model_first_event_timeout_s: float = Field(
        20.0, gt=0, le=600, validation_alias="GT_MODEL_FIRST_EVENT_TIMEOUT_S"
    )
    model_max_retries: int = Field(2, ge=0, le=10, validation_alias="GT_MODEL_MAX_RETRIES")
    chat_turn_timeout_s: float = Field(
        120.0, gt=0, le=900, validation_alias="GT_CHAT_TURN_TIMEOUT_S"
    )
    chat_turns_per_minute: int = Field(20, ge=1, le=10_000, validation_alias="GT_CHAT_RATE_PER_MIN")

    timezone: str = Field("America/New_York", validation_alias="GT_TIMEZONE")
    # A draft to a shop emailed about the same RO fewer than this many days ago carries a
    # warning with when it was (0: no warning).
    email_again_warning_days: int = Field(
        3, ge=0, le=365, validation_alias="GT_EMAIL_AGAIN_WARNING_DAYS"
    )
    # Overrides of the follow-up wait (days) per status, JSON: {"WAITING QUOTE": 5, "BER": null}.
    followup_days: Annotated[dict[str, int | None], NoDecode] = Field(
        default_factory=dict, validation_alias="GT_FOLLOWUP_DAYS"
    )
    max_note_chars: int = Field(5000, ge=100, le=100_000, validation_alias="GT_MAX_NOTE_CHARS")
    # Bulk changes (issue c13 point 4): the most ROs one confirmation may change.
    bulk_max_rows: int = Field(200, ge=1, le=5000, validation_alias="GT_BULK_MAX_ROWS")
    # Exports (c13): the most ROs one file may hold; up to `export_inline_rows` the file is
    # written within the chat turn, above it by a background job the chat follows.
    export_max_rows: int = Field(100_000, ge=1, le=1_000_000, validation_alias="GT_EXPORT_MAX_ROWS")
    export_inline_rows: int = Field(1000, ge=0, le=10_000, validation_alias="GT_EXPORT_INLINE_ROWS")

    host: str = Field("127.0.0.1", validation_alias="GT_HOST")
    port: int = Field(8000, ge=1, le=65535, validation_alias="GT_PORT")

    # ---- Excel sync (jobs/excel/): a local .xlsx by default, or a Graph workbook ----
    excel_target: Literal["local", "graph"] = Field("local", validation_alias="GT_EXCEL_TARGET")
    excel_path: Path | None = Field(None, validation_alias="GT_EXCEL_PATH")  # default var/
    # A burst of changes within this window becomes one drain of the outbox.
    excel_debounce_ms: int = Field(1000, ge=0, le=60_000, validation_alias="GT_EXCEL_DEBOUNCE_MS")
    # Graph fails requests/responses over ~5 MB; range writes are chunked well below that.
    excel_max_payload_bytes: int = Field(
        1_000_000, ge=10_000, le=4_000_000, validation_alias="GT_EXCEL_MAX_PAYLOAD_BYTES"
    )
    graph_base_url: str = Field(
        "https://graph.microsoft.com/v1.0", validation_alias="GT_GRAPH_BASE_URL"
    )
    entra_authority_host: str = Field(
        "https://login.microsoftonline.com", validation_alias="GT_ENTRA_AUTHORITY_HOST"
    )
    entra_tenant_id: str = Field("", validation_alias="GT_ENTRA_TENANT_ID")
    entra_client_id: str = Field("", validation_alias="GT_ENTRA_CLIENT_ID")
    entra_client_secret: str = Field("", validation_alias="GT_ENTRA_CLIENT_SECRET")
    graph_drive_id: str = Field("", validation_alias="GT_GRAPH_DRIVE_ID")
    graph_site_id: str = Field("", validation_alias="GT_GRAPH_SITE_ID")
    graph_item_id: str = Field("", validation_alias="GT_GRAPH_ITEM_ID")
    graph_token_mode: Literal["app", "delegated"] = Field(
        "app", validation_alias="GT_GRAPH_TOKEN_MODE"
    )
    token_encryption_key: str = Field("", validation_alias="GT_TOKEN_ENCRYPTION_KEY")
    # Extra CA bundle for Graph and Entra (a TLS-inspecting proxy; the tests' local fakes).
    graph_ca_bundle: Path | None = Field(None, validation_alias="GT_GRAPH_CA_BUNDLE")

    # ---- sign-in with Microsoft Entra ID (issue #8): the same app registration as above ----
    entra_login: bool = Field(False, validation_alias="GT_ENTRA_LOGIN")
    # Entra app role value -> our role, matched case-insensitively; the highest one wins.
    # Plain role names ("viewer" ... "admin") are understood as well.
    entra_role_map: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=lambda: dict(ENTRA_APP_ROLES), validation_alias="GT_ENTRA_ROLE_MAP"
    )
    # The role of a member who has none of the mapped app roles, or "deny" to refuse them.
    entra_default_role: str = Field("viewer", validation_alias="GT_ENTRA_DEFAULT_ROLE")

    # ---- sessions (issue #20): how long a sign-in lasts, and how fast access is taken away ----
    # A session ends after this long without use (sliding) ...
    session_idle_minutes: int = Field(720, ge=5, validation_alias="GT_SESSION_IDLE_MINUTES")
    # ... and at the latest this long after sign-in (also the login cookie's lifetime).
    session_max_hours: int = Field(24, ge=1, le=720, validation_alias="GT_SESSION_MAX_HOURS")
    # A Microsoft sign-in is re-checked at Entra (app roles, removals) this often: the session
    # ends and the next page load goes through Microsoft again (silent with single sign-on).
    entra_recheck_minutes: int = Field(60, ge=5, validation_alias="GT_ENTRA_RECHECK_MINUTES")
    # How often open chats are checked for disabled users and revoked sessions.
    session_check_seconds: float = Field(
        5.0, gt=0, le=300, validation_alias="GT_SESSION_CHECK_SECONDS"
    )
    # Local sign-in: this many wrong passwords in a row lock the account for the lockout time.
    login_max_failures: int = Field(5, ge=1, validation_alias="GT_LOGIN_MAX_FAILURES")
    login_lockout_minutes: int = Field(15, ge=1, validation_alias="GT_LOGIN_LOCKOUT_MINUTES")

    # ---- the HTTP API under /api (issue #18) ----
    # Requests per minute per caller (token or Entra identity); Redis when configured.
    api_rate_per_minute: int = Field(
        600, ge=1, le=1_000_000, validation_alias="GT_API_RATE_PER_MIN"
    )
    # A request body larger than this is refused with 413 before it is read.
    api_max_body_bytes: int = Field(
        1_000_000, ge=1024, le=100_000_000, validation_alias="GT_API_MAX_BODY_BYTES"
    )
    # Browser origins allowed to call /api (CORS); empty (the default) answers no CORS at all.
    api_cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="GT_API_CORS_ORIGINS"
    )
    # Threads running the API's blocking work (database reads and writes) in one server
    # process. Its Python runs one thread at a time (the GIL), and each SQLite or MySQL call
    # hands the GIL back and waits to get it again: more threads mostly queue for it, at a
    # price per hand-over (6 -> 2: p95 at 20 clients 44-48 -> 34-37 ms on SQLite, up to 25 %
    # less CPU a request; docs/benchmarks.md). Two, not one, so that one slow request (a write
    # waiting for a lock) does not hold up every other API call.
    api_threads: int = Field(2, ge=1, le=200, validation_alias="GT_API_THREADS")
    # Threads running the chat's blocking work (loading and saving a conversation, approvals,
    # charts) in one chat process, for the same reason: asyncio's default is 6 on 2 cores, and
    # with 20 sessions at once their hand-overs of the GIL cost more than they run in parallel.
    # Two, so that one write waiting for a lock does not hold up every session.
    chat_threads: int = Field(2, ge=1, le=64, validation_alias="GT_CHAT_THREADS")
    # Unpaged lists return at most this many rows, with a Link: rel="next" when there are more.
    api_list_cap: int = Field(500, ge=1, le=500, validation_alias="GT_API_LIST_CAP")
    # Entra access tokens for the API: the audience they must carry (default api://<client id>
    # and the client id itself).
    api_entra_audience: str = Field("", validation_alias="GT_API_ENTRA_AUDIENCE")

    # ---- email to shops (issue #6): drafts approved by a person, sent by jobs/mail/ ----
    # outbox: real .eml files under var/outbox (embedded default); smtp; graph (Mail.Send).
    mail_sender: Literal["outbox", "smtp", "graph"] = Field(
        "outbox", validation_alias="GT_MAIL_SENDER"
    )
    mail_from: str = Field("repairs@genthrust.local", validation_alias="GT_MAIL_FROM")
    mail_from_name: str = Field("GenThrust Repairs", validation_alias="GT_MAIL_FROM_NAME")
    mail_cc: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias="GT_MAIL_CC"
    )
    mail_subject_prefix: str = Field(
        "[GenThrust Follow-Up] ", validation_alias="GT_MAIL_SUBJECT_PREFIX"
    )
    mail_outbox_dir: Path | None = Field(None, validation_alias="GT_MAIL_OUTBOX_DIR")  # var/outbox
    # One worker at a time sends a given email; a worker that died frees it after this long.
    mail_send_lease_s: int = Field(120, ge=5, le=3600, validation_alias="GT_MAIL_SEND_LEASE_S")
    smtp_host: str = Field("", validation_alias="GT_SMTP_HOST")
    smtp_port: int = Field(587, ge=1, le=65535, validation_alias="GT_SMTP_PORT")
    smtp_user: str = Field("", validation_alias="GT_SMTP_USER")
    smtp_password: str = Field("", validation_alias="GT_SMTP_PASSWORD")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        "starttls", validation_alias="GT_SMTP_SECURITY"
    )
    # Graph: the shared mailbox sending the mail; "draft" = create then send (exactly once),
    # "sendmail" = one sendMail call (at most once: an interrupted call is flagged, not resent).
    graph_mailbox: str = Field("", validation_alias="GT_GRAPH_MAILBOX")
    graph_mail_mode: Literal["draft", "sendmail"] = Field(
        "draft", validation_alias="GT_GRAPH_MAIL_MODE"
    )

    # ---- shops' replies read back (issue #16) ----
    # auto: the Graph mailbox's Inbox when mail goes through Graph, else the drop folder
    # (var/inbox); off: nothing is read.
    inbox: Literal["auto", "folder", "graph", "off"] = Field("auto", validation_alias="GT_INBOX")
    inbox_poll_min: int = Field(2, ge=1, le=1440, validation_alias="GT_INBOX_POLL_MIN")
    inbox_dir_override: Path | None = Field(None, validation_alias="GT_INBOX_DIR")
    # An attachment larger than this is not fetched or filed, only flagged (the raw message keeps
    # it in the folder; in Graph it stays on the message).
    inbox_max_attachment_mb: float = Field(
        10.0, gt=0, le=150, validation_alias="GT_INBOX_MAX_ATTACHMENT_MB"
    )

    # ---- documents on ROs (issue #15): local store under var/documents, or a Graph drive ----
    documents_max_mb: float = Field(25.0, gt=0, le=250, validation_alias="GT_DOCUMENTS_MAX_MB")
    # The release-certificate gate before RECEIVED: off, warn (embedded default) or enforce
    # (what production should run).
    certificate_gate: Literal["off", "warn", "enforce"] = Field(
        "warn", validation_alias="GT_CERTIFICATE_GATE"
    )
    documents_store: Literal["local", "graph"] = Field(
        "local", validation_alias="GT_DOCUMENTS_STORE"
    )
    # The drive folder the RO folders go under (the old system's "/Repair Orders").
    documents_graph_root: str = Field("Repair Orders", validation_alias="GT_DOCUMENTS_GRAPH_ROOT")

    # ---- outside sources of ROs (issue #17, integrations/erp/): ERP.aero and feeds ----
    # Credentials are Fernet-encrypted with GT_TOKEN_ENCRYPTION_KEY. The rate limit is
    # client-side: one call per this many ms (REFERENCE §4: 500), a burst of at most one.
    source_min_interval_ms: int = Field(
        500, ge=0, le=60_000, validation_alias="GT_SOURCE_MIN_INTERVAL_MS"
    )
    source_page_size: int = Field(100, ge=1, le=1000, validation_alias="GT_SOURCE_PAGE_SIZE")
    # An incremental run reads back to the last run's newest record less this overlap.
    source_overlap_minutes: int = Field(
        15, ge=0, le=7 * 24 * 60, validation_alias="GT_SOURCE_OVERLAP_MINUTES"
    )
    source_max_retries: int = Field(4, ge=0, le=10, validation_alias="GT_SOURCE_MAX_RETRIES")
    source_backoff_ms: int = Field(500, ge=0, le=60_000, validation_alias="GT_SOURCE_BACKOFF_MS")
    source_max_wait_s: float = Field(60.0, ge=0, le=3600, validation_alias="GT_SOURCE_MAX_WAIT_S")
    # Consecutive failed calls (429/5xx/timeouts) after which a run stops with FAILED.
    source_circuit_after: int = Field(5, ge=1, le=100, validation_alias="GT_SOURCE_CIRCUIT_AFTER")
    source_timeout_s: float = Field(30.0, gt=0, le=300, validation_alias="GT_SOURCE_TIMEOUT_S")
    # Plain HTTP to 127.0.0.1/localhost (the tests' fake ERP.aero); HTTPS is required otherwise.
    source_allow_http_loopback: bool = Field(
        False, validation_alias="GT_SOURCE_ALLOW_HTTP_LOOPBACK"
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        value = value.strip()
        if value and not value.startswith(("sqlite", "mysql", "mariadb")):
            raise ValueError("must start with sqlite:// or mysql://")
        return with_mysql_driver(value)

    @field_validator("database_ssl_ca")
    @classmethod
    def _ca_exists(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"file {value} does not exist")
        return value

    @field_validator("overdue_sweep_at")
    @classmethod
    def _clock_time(cls, value: str) -> str:
        hour, _, minute = value.strip().partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"{value!r} is not a time of day like 08:00")
        return f"{int(hour):02d}:{int(minute):02d}"

    @field_validator("followup_check_every_min")
    @classmethod
    def _divides_the_day(cls, value: int) -> int:
        # A cron step that divides the hour or the day, so every scheduler fires at the same times.
        if not (
            value in (1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30)
            or (value % 60 == 0 and 1440 % value == 0)
        ):
            raise ValueError("must divide an hour (5, 10, 15, 20, 30) or a day (60, 120, 180, ...)")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown timezone {value!r}") from exc
        return value

    @field_validator("followup_days", mode="before")
    @classmethod
    def _followup_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else {}
            except json.JSONDecodeError as exc:
                raise ValueError(f'not JSON ({exc.msg}); example: {{"APPROVED": 14}}') from None
        return value

    @field_validator("followup_days")
    @classmethod
    def _followup_statuses(cls, value: dict[str, int | None]) -> dict[str, int | None]:
        from domain.errors import InvalidStatus
        from domain.followup import FollowUpPolicy

        try:
            FollowUpPolicy.with_overrides(value)
        except InvalidStatus as exc:
            raise ValueError(str(exc).split(" Known statuses")[0]) from None
        return value

    @field_validator("graph_base_url", "entra_authority_host")
    @classmethod
    def _https_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return value

    @field_validator("mail_cc", "api_cors_origins", mode="before")
    @classmethod
    def _cc_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    def _blank(self, *extra: tuple[str, str]) -> list[str]:
        """Names of the Entra app registration settings (and `extra`) left empty: mail,
        workbook and sign-in all use the same app."""
        required = (
            *extra,
            ("GT_ENTRA_TENANT_ID", self.entra_tenant_id),
            ("GT_ENTRA_CLIENT_ID", self.entra_client_id),
            ("GT_ENTRA_CLIENT_SECRET", self.entra_client_secret),
        )
        return [name for name, value in required if not value.strip()]

    @model_validator(mode="after")
    def _mail_sender_complete(self) -> Settings:
        if self.mail_sender == "smtp" and not self.smtp_host.strip():
            raise ValueError("GT_MAIL_SENDER=smtp needs GT_SMTP_HOST")
        if self.mail_sender == "graph":
            missing = self._blank(
                ("GT_GRAPH_MAILBOX or GT_MAIL_FROM", self.graph_mailbox or self.mail_from)
            )
            if missing:
                raise ValueError("GT_MAIL_SENDER=graph needs " + ", ".join(missing))
        if self.inbox == "graph":  # reading replies from the shared mailbox (#16)
            missing = self._blank(
                ("GT_GRAPH_MAILBOX or GT_MAIL_FROM", self.graph_mailbox or self.mail_from)
            )
            if missing:
                raise ValueError("GT_INBOX=graph needs " + ", ".join(missing))
        return self

    @model_validator(mode="after")
    def _graph_workbook_complete(self) -> Settings:
        if self.excel_target != "graph":
            return self
        missing = self._blank(("GT_GRAPH_ITEM_ID", self.graph_item_id))
        if bool(self.graph_drive_id) == bool(self.graph_site_id):
            missing.append("exactly one of GT_GRAPH_DRIVE_ID or GT_GRAPH_SITE_ID")
        if self.graph_token_mode == "delegated" and not self.token_encryption_key:
            missing.append("GT_TOKEN_ENCRYPTION_KEY (GT_GRAPH_TOKEN_MODE=delegated)")
        if missing:
            raise ValueError("GT_EXCEL_TARGET=graph needs " + ", ".join(missing))
        if self.entra_tenant_id.strip().lower() in {"common", "organizations", "consumers"}:
            raise ValueError("GT_ENTRA_TENANT_ID must be the tenant's id, not a multi-tenant alias")
        if self.token_encryption_key:
            from cryptography.fernet import Fernet

            try:
                Fernet(self.token_encryption_key.encode())
            except ValueError:
                raise ValueError(
                    "GT_TOKEN_ENCRYPTION_KEY is not a Fernet key (32 url-safe base64 bytes)"
                ) from None
        return self

    @field_validator("entra_role_map", mode="before")
    @classmethod
    def _role_map_json(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return json.loads(value) if value.strip() else dict(ENTRA_APP_ROLES)
            except json.JSONDecodeError as exc:
                raise ValueError(
                    f'not JSON ({exc.msg}); example: {{"RO.Editor": "editor"}}'
                ) from None
        return value

    @field_validator("entra_role_map")
    @classmethod
    def _role_map_roles(cls, value: dict[str, str]) -> dict[str, str]:
        bad = sorted(v for v in value.values() if str(v).strip().lower() not in ROLE_NAMES)
        if bad:
            raise ValueError(
                f"unknown role(s) {', '.join(map(str, bad))}; use {', '.join(ROLE_NAMES)}"
            )
        return {k.strip(): v.strip().lower() for k, v in value.items()}

    @field_validator("entra_default_role")
    @classmethod
    def _default_role(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in (*ROLE_NAMES, "deny"):
            raise ValueError(f"must be one of {', '.join(ROLE_NAMES)} or deny")
        return value

    @model_validator(mode="after")
    def _entra_login_complete(self) -> Settings:
        if not self.entra_login:
            return self
        missing = self._blank()
        if missing:
            raise ValueError("GT_ENTRA_LOGIN needs " + ", ".join(missing))
        # The ID token's `tid` is the directory's GUID: comparing it with a domain name or
        # an alias like "common" (AADSTS50194) could never match.
        if not _GUID.match(self.entra_tenant_id.strip()):
            raise ValueError("GT_ENTRA_TENANT_ID must be the Directory (tenant) ID, a GUID")
        return self

    @property
    def outbox_dir(self) -> Path:
        return self.mail_outbox_dir or self.var_dir / "outbox"

    @property
    def inbox_dir(self) -> Path:
        return self.inbox_dir_override or self.var_dir / "inbox"

    @property
    def mail_raw_dir(self) -> Path:
        """Received messages kept for the record, content-addressed (#16)."""
        return self.var_dir / "mail" / "raw"

    @property
    def inbox_source(self) -> str:
        """Where replies are read from: folder, graph or off (GT_INBOX=auto decides here)."""
        if self.inbox != "auto":
            return self.inbox
        return "graph" if self.mail_sender == "graph" else "folder"

    @property
    def excel_file(self) -> Path:
        return self.excel_path or self.var_dir / "repair-orders.xlsx"

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.var_dir / 'ro-tracker.db'}"

    @property
    def is_embedded_db(self) -> bool:
        return self.sqlalchemy_url.startswith("sqlite")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _one_line(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"]) or "settings"
        message = error["msg"].removeprefix("Value error, ")
        problems.append(f"{where.upper()}: {message}")
    return "Invalid configuration: " + "; ".join(problems)


def load_settings(**overrides: Any) -> Settings:
    """Read settings from the environment; raise `ConfigError` with one readable line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_one_line(exc)) from None
    except SettingsError as exc:
        raise ConfigError(f"Invalid configuration: {exc}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def auth_secret(settings: Settings) -> str:
    """The key that signs the chat's login cookie: `CHAINLIT_AUTH_SECRET`, or one generated once
    and kept in `var/auth-secret` (readable only by its owner) for the embedded default."""
    import os
    import secrets

    if os.environ.get("CHAINLIT_AUTH_SECRET"):
        return os.environ["CHAINLIT_AUTH_SECRET"]
    path = settings.var_dir / "auth-secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
