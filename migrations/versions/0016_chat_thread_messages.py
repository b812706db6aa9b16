"""chat_thread_messages: a thread's agent conversation as one row per message (#19), appended
turn by turn instead of the whole conversation rewritten; chat_threads.conversation keeps the
rest of it and conversation_rev says which version it is

Revision ID: 0016
Revises: 0015
"""

import json
import uuid
from collections.abc import Iterator

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

BigText = sa.Text().with_variant(mysql.LONGTEXT(), "mysql")

threads = sa.table(
    "chat_threads",
    sa.column("id", sa.String),
    sa.column("conversation", sa.Text),
    sa.column("conversation_rev", sa.String),
)
messages = sa.table(
    "chat_thread_messages",
    sa.column("thread_id", sa.String),
    sa.column("seq", sa.Integer),
    sa.column("body", sa.Text),
)


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stored_conversations(bind) -> Iterator[tuple[str, dict]]:
    """Each thread's stored conversation, parsed: one thread at a time, so a desk's years of chat
    never sit in memory at once."""
    ids = (
        bind.execute(sa.select(threads.c.id).where(threads.c.conversation.is_not(None)))
        .scalars()
        .all()
    )
    for thread_id in ids:
        text = bind.execute(
            sa.select(threads.c.conversation).where(threads.c.id == thread_id)
        ).scalar_one()
        yield thread_id, json.loads(text)


def upgrade() -> None:
    op.create_table(
        "chat_thread_messages",
        sa.Column("thread_id", sa.String(36), nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("body", BigText, nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"],
            ["chat_threads.id"],
            name=op.f("fk_chat_thread_messages_thread_id_chat_threads"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("thread_id", "seq", name=op.f("pk_chat_thread_messages")),
    )
    with op.batch_alter_table("chat_threads") as table:
        table.add_column(sa.Column("conversation_rev", sa.String(32), nullable=True))

    # Each stored conversation split: its messages become rows, the rest stays on the thread.
    bind = op.get_bind()
    for thread_id, stored in _stored_conversations(bind):
        rows = [
            {"thread_id": thread_id, "seq": seq, "body": _compact(message)}
            for seq, message in enumerate(stored.get("messages") or [])
        ]
        if rows:
            bind.execute(messages.insert(), rows)
        stored["messages"] = []
        bind.execute(
            threads.update()
            .where(threads.c.id == thread_id)
            .values(conversation=_compact(stored), conversation_rev=uuid.uuid4().hex)
        )


def downgrade() -> None:
    bind = op.get_bind()
    for thread_id, stored in _stored_conversations(bind):
        bodies = bind.execute(
            sa.select(messages.c.body)
            .where(messages.c.thread_id == thread_id)
            .order_by(messages.c.seq)
        ).scalars()
        stored["messages"] = [json.loads(body) for body in bodies]
        bind.execute(
            threads.update().where(threads.c.id == thread_id).values(conversation=_compact(stored))
        )
    with op.batch_alter_table("chat_threads") as table:
        table.drop_column("conversation_rev")
    op.drop_table("chat_thread_messages")
