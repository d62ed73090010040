"""A varied model for the round trip: every common type, defaults, each constraint kind,
indexes (expression indexes too), comments, self-referencing and cyclic foreign keys, custom
types, and a second schema on PostgreSQL.

``build(backend, **changes)`` returns the model, with one change applied per keyword, so
the tests can check that each change autogenerates exactly the matching operation.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from roundtrip_types import HexUUID, JSONText
from sqlalchemy.dialects import postgresql

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

EXTRA_SCHEMA = "audit"


def build(backend: str, **changes: Any) -> sa.MetaData:
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    comments = backend != "sqlite"
    expression_indexes = backend != "mysql"  # MariaDB has no functional indexes

    def has(change: str) -> bool:
        return bool(changes.get(change))

    account_columns: list[Any] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(120), nullable=False, unique=True),
        sa.Column(
            "name",
            sa.Unicode(50),
            server_default="anonymous",
            comment=("shown to others" if not has("column_comment") else "the public name")
            if comments
            else None,
        ),
        sa.Column("balance", sa.Numeric(12, 2), nullable=False, server_default="0"),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
        sa.Column("created", sa.DateTime(timezone=True), server_default=sa.func.now()),
        sa.Column("birthday", sa.Date),
        sa.Column("wakes_at", sa.Time),
        sa.Column("notes", sa.Text, nullable=not has("nullable")),
        sa.Column("ratio", sa.Float, server_default=sa.text("0.5") if not has("default") else None),
        sa.Column("visits", sa.BigInteger, nullable=False, server_default="0"),
        sa.Column("level", sa.SmallInteger),
        sa.Column("settings", sa.JSON),
        sa.Column("avatar", sa.LargeBinary),
        sa.Column("uid", sa.Uuid),
        sa.Column("status", sa.Enum("new", "active", "closed", name="account_status")),
        sa.Column("token", HexUUID()),
        sa.Column("preferences", JSONText()),
        sa.Column("double_visits", sa.BigInteger, sa.Computed("visits * 2", persisted=True)),
        sa.Column("nickname", sa.String(40 if not has("type") else 80)),
        sa.CheckConstraint("balance >= 0", name="balance_positive"),
        sa.Index("ix_account_name_created", "name", "created"),
    ]
    if expression_indexes:
        account_columns.append(
            sa.Index("ix_account_lower_email", sa.func.lower(sa.column("email")))
        )
    if has("add_column"):
        account_columns.append(sa.Column("phone", sa.String(20)))
    if not has("drop_column"):
        account_columns.append(sa.Column("fax", sa.String(20)))
    if has("add_index"):
        account_columns.append(sa.Index("ix_account_level", "level"))
    if has("add_unique"):
        account_columns.append(sa.UniqueConstraint("uid", name="uq_account_uid"))
    if has("add_check"):
        account_columns.append(sa.CheckConstraint("visits >= 0", name="visits_positive"))
    kw = {"comment": "people who sign in"} if comments and not has("table_comment") else {}
    if comments and has("table_comment"):
        kw = {"comment": "everyone who signs in"}
    sa.Table("account", metadata, *account_columns, **kw)

    category: list[Any] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "parent_id",
            sa.Integer,
            sa.ForeignKey(
                "category.id", ondelete="CASCADE" if not has("fk_option") else "SET NULL"
            ),
        ),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("account_id", sa.Integer),
    ]
    if not has("drop_unique"):
        category.append(sa.UniqueConstraint("parent_id", "name"))
    if not has("drop_index"):
        category.append(sa.Index("ix_category_name", "name"))
    if has("add_fk"):
        category.append(sa.ForeignKeyConstraint(["account_id"], ["account.id"]))
    if not has("drop_check"):
        category.append(sa.CheckConstraint("length(name) > 0", name="name_not_empty"))
    sa.Table("category", metadata, *category)

    # a cycle: each author has a favourite book, each book an author
    sa.Table(
        "author",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("favourite_book_id", sa.Integer, sa.ForeignKey("book.id")),
    )
    book: list[Any] = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("author_id", sa.Integer, sa.ForeignKey("author.id")),
        sa.Column("isbn", sa.String(13), nullable=False),
    ]
    if has("drop_fk"):
        book[2] = sa.Column("author_id", sa.Integer)
    sa.Table("book", metadata, *book)

    if backend == "postgresql":
        tag_id = sa.Column(
            "id", sa.Integer, sa.Identity(start=1 if not has("identity") else 100), primary_key=True
        )
    else:
        tag_id = sa.Column("id", sa.Integer, primary_key=True)
    sa.Table("tag", metadata, tag_id, sa.Column("label", sa.String(30), nullable=False))

    pk = ("account_id", "tag_id") if not has("primary_key") else ("tag_id", "account_id")
    sa.Table(
        "account_tag",
        metadata,
        sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
        sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id"), nullable=False),
        sa.PrimaryKeyConstraint(*pk),
    )
    if not has("drop_table"):
        sa.Table(
            "memo",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("body", sa.Text),
        )
    if has("add_table"):
        sa.Table(
            "visit",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("at", sa.DateTime),
        )
    if backend == "postgresql":
        sa.Table(
            "event",
            metadata,
            sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
            sa.Column("account_id", sa.Integer, sa.ForeignKey("account.id"), nullable=False),
            sa.Column("kind", sa.Enum("login", "logout", name="event_kind", schema=EXTRA_SCHEMA)),
            sa.Column("payload", postgresql.JSONB, server_default=sa.text("'{}'::jsonb")),
            sa.Column("tags", postgresql.ARRAY(sa.String(20))),
            sa.Column(
                "at", sa.DateTime, nullable=False, server_default=sa.text("CURRENT_TIMESTAMP")
            ),
            sa.Index("ix_event_recent", "at", postgresql_where=sa.text("kind = 'login'")),
            schema=EXTRA_SCHEMA,
            comment="what happened",
        )
    return metadata
