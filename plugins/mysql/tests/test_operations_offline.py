"""Every operation written as SQL for MySQL (``mysql://``) and MariaDB (``mariadb://``), no server.

``offline`` runs a test for both; ``mysql_offline`` / ``mariadb_offline``
where the two differ.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import CompileError

from mighub import op
from mighub.errors import MighubError
from mighub.operations import use

ON_UPDATE = sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP")


def test_create_table(offline):
    op.create_table(
        "account",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50), nullable=False, server_default="anon", comment="who"),
        sa.Column("active", sa.Boolean, server_default=sa.true()),
        sa.Column("status", sa.Enum("on", "off", name="status")),
        sa.Column("changed", sa.TIMESTAMP, server_default=ON_UPDATE),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id")),
        sa.Index(None, "name", mysql_length=10),
        comment="it's accounts",
        mysql_engine="InnoDB",
    )
    assert offline.sql() == [
        "CREATE TABLE account (\n"
        "    id INTEGER NOT NULL AUTO_INCREMENT,\n"
        "    name VARCHAR(50) NOT NULL COMMENT 'who' DEFAULT 'anon',\n"
        "    active BOOL DEFAULT true,\n"
        "    status ENUM('on','off'),\n"
        "    changed TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,\n"
        "    user_id INTEGER,\n"
        "    CONSTRAINT pk_account PRIMARY KEY (id),\n"
        "    CONSTRAINT fk_account_user_id_user FOREIGN KEY(user_id) REFERENCES user (id)\n"
        ")ENGINE=InnoDB COMMENT='it''s accounts'",
        "CREATE INDEX ix_account_name ON account (name(10))",
    ]


def test_tables(offline):
    op.rename_table("account", "customer", schema="sales")
    op.create_table_comment("account", "it's")
    op.drop_table_comment("account", existing_comment="it's")
    op.drop_table("account", if_exists=True)
    assert offline.sql() == [
        "ALTER TABLE sales.account RENAME TO sales.customer",
        "ALTER TABLE account COMMENT 'it''s'",
        "ALTER TABLE account COMMENT ''",
        "DROP TABLE IF EXISTS account",
    ]


def test_bulk_insert_and_execute(offline):
    table = sa.table("account", sa.column("id", sa.Integer), sa.column("name", sa.String))
    op.bulk_insert(table, [{"id": 1, "name": "it's"}, {"id": 2, "name": "100%"}])
    op.execute("UPDATE account SET name = 'x\\:y'")
    assert offline.sql() == [
        "INSERT INTO account (id, name) VALUES (1, 'it''s')",
        "INSERT INTO account (id, name) VALUES (2, '100%')",
        "UPDATE account SET name = 'x:y'",
    ]


# -- columns ------------------------------------------------------------------


def test_add_column_with_comment_unique_and_index(offline):
    op.add_column("account", sa.Column("email", sa.String(90), unique=True, comment="mail"))
    op.add_column("account", sa.Column("seen", sa.DateTime, index=True))
    assert offline.sql() == [
        "ALTER TABLE account ADD COLUMN email VARCHAR(90) COMMENT 'mail'",
        "ALTER TABLE account ADD CONSTRAINT uq_account_email UNIQUE (email)",
        "ALTER TABLE account ADD COLUMN seen DATETIME",
        "CREATE INDEX ix_account_seen ON account (seen)",
    ]


def test_add_column_autoincrement_primary_key(offline):
    op.add_column(
        "account",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        inline_primary_key=True,
    )
    assert offline.sql() == [
        "ALTER TABLE account ADD COLUMN id INTEGER NOT NULL AUTO_INCREMENT PRIMARY KEY"
    ]


def test_inline_references_are_inline_on_mariadb_only(mysql_offline, mariadb_offline):
    column = sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id"))
    with use(mariadb_offline.operations):
        op.add_column("account", column._copy(), inline_references=True)
    assert mariadb_offline.sql() == [
        "ALTER TABLE account ADD COLUMN user_id INTEGER REFERENCES user (id)"
    ]
    # MySQL 8 parses an inline REFERENCES and ignores it: a separate constraint instead.
    with use(mysql_offline.operations):
        op.add_column("account", column._copy(), inline_references=True)
    assert mysql_offline.sql() == [
        "ALTER TABLE account ADD COLUMN user_id INTEGER",
        "ALTER TABLE account ADD CONSTRAINT fk_account_user_id_user "
        "FOREIGN KEY(user_id) REFERENCES user (id)",
    ]


def test_if_exists_on_columns_is_mariadb_only(mysql_offline, mariadb_offline):
    with use(mariadb_offline.operations):
        op.add_column("account", sa.Column("n", sa.Integer), if_not_exists=True)
        op.drop_column("account", "n", if_exists=True)
    assert mariadb_offline.sql() == [
        "ALTER TABLE account ADD COLUMN IF NOT EXISTS n INTEGER",
        "ALTER TABLE account DROP COLUMN IF EXISTS n",
    ]
    with use(mysql_offline.operations), pytest.raises(MighubError) as failure:
        op.add_column("account", sa.Column("n", sa.Integer), if_not_exists=True)
    assert str(failure.value) == (
        "add_column('account', 'n'): MySQL has no ADD COLUMN IF NOT EXISTS (MariaDB has); "
        "check the schema with op.get_bind() first, or use a mariadb:// URL if the server "
        "is MariaDB"
    )
    with (
        use(mysql_offline.operations),
        pytest.raises(MighubError, match=r"^drop_column\('account', 'n'\): MySQL has no"),
    ):
        op.drop_column("account", "n", if_exists=True)
    assert mysql_offline.sql() == []


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        (
            {"type_": sa.String(80), "existing_nullable": False, "existing_comment": "who"},
            "ALTER TABLE account MODIFY name VARCHAR(80) NOT NULL COMMENT 'who'",
        ),
        (
            {"type_": sa.String(80), "existing_server_default": "anon"},
            "ALTER TABLE account MODIFY name VARCHAR(80) NULL DEFAULT 'anon'",
        ),
        (
            {"nullable": False, "existing_type": sa.String(50)},
            "ALTER TABLE account MODIFY name VARCHAR(50) NOT NULL",
        ),
        (
            {"nullable": True, "existing_type": sa.Enum("a", "b"), "existing_comment": "x"},
            "ALTER TABLE account MODIFY name ENUM('a','b') NULL COMMENT 'x'",
        ),
        (
            {"comment": "it's", "existing_type": sa.String(50), "existing_nullable": False},
            "ALTER TABLE account MODIFY name VARCHAR(50) NOT NULL COMMENT 'it''s'",
        ),
        (
            {"comment": None, "existing_type": sa.String(50), "existing_comment": "who"},
            "ALTER TABLE account MODIFY name VARCHAR(50) NULL",
        ),
        (
            {"type_": sa.Integer, "server_default": sa.text("1 + 1")},
            "ALTER TABLE account MODIFY name INTEGER NULL DEFAULT (1 + 1)",
        ),
        (
            {"type_": sa.Boolean, "nullable": False, "server_default": sa.false()},
            "ALTER TABLE account MODIFY name BOOL NOT NULL DEFAULT false",
        ),
        (
            {"server_default": ON_UPDATE, "existing_type": sa.TIMESTAMP},
            "ALTER TABLE account MODIFY name TIMESTAMP NULL "
            "DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP",
        ),
        (
            {"new_column_name": "title", "type_": sa.String(9), "existing_nullable": False},
            "ALTER TABLE account CHANGE name title VARCHAR(9) NOT NULL",
        ),
        (
            {"type_": sa.String(9, collation="utf8mb4_bin"), "existing_nullable": True},
            "ALTER TABLE account MODIFY name VARCHAR(9) COLLATE utf8mb4_bin NULL",
        ),
        (
            {"type_": sa.String(9), "existing_server_default": sa.Computed("upper(code)")},
            "ALTER TABLE account MODIFY name VARCHAR(9) GENERATED ALWAYS AS (upper(code))",
        ),
        (
            {"type_": sa.String(9), "postgresql_using": "name::varchar"},  # not MySQL's: ignored
            "ALTER TABLE account MODIFY name VARCHAR(9) NULL",
        ),
    ],
)
def test_alter_column_restates_the_column(offline, kw, expected):
    op.alter_column("account", "name", **kw)
    assert offline.sql() == [expected]


def test_alter_column_autoincrement(offline):
    op.alter_column(
        "account", "id", autoincrement=True, existing_type=sa.Integer, existing_nullable=False
    )
    op.alter_column(
        "account", "id", type_=sa.BigInteger, existing_nullable=False, existing_autoincrement=True
    )
    op.alter_column(
        "account", "id", autoincrement=False, existing_type=sa.Integer, existing_autoincrement=True
    )
    assert offline.sql() == [
        "ALTER TABLE account MODIFY id INTEGER NOT NULL AUTO_INCREMENT",
        "ALTER TABLE account MODIFY id BIGINT NOT NULL AUTO_INCREMENT",
        "ALTER TABLE account MODIFY id INTEGER NULL",
    ]


def test_alter_column_default_and_rename_need_no_restating(offline):
    op.alter_column("account", "name", server_default="x")
    op.alter_column("account", "name", server_default=sa.text("'it''s'"))
    op.alter_column("account", "name", server_default=sa.text("7"))
    op.alter_column("account", "seen", server_default=sa.func.now())
    op.alter_column("account", "code", server_default=sa.text("concat('a', 'b')"))
    op.alter_column("account", "name", server_default=None)
    op.alter_column("account", "name", new_column_name="title")
    op.alter_column("account", "name", new_column_name="title", server_default="z")
    assert offline.sql() == [
        "ALTER TABLE account ALTER COLUMN name SET DEFAULT 'x'",
        "ALTER TABLE account ALTER COLUMN name SET DEFAULT 'it''s'",
        "ALTER TABLE account ALTER COLUMN name SET DEFAULT 7",
        "ALTER TABLE account ALTER COLUMN seen SET DEFAULT (now())",
        "ALTER TABLE account ALTER COLUMN code SET DEFAULT (concat('a', 'b'))",
        "ALTER TABLE account ALTER COLUMN name DROP DEFAULT",
        "ALTER TABLE account RENAME COLUMN name TO title",
        "ALTER TABLE account ALTER COLUMN name SET DEFAULT 'z'",
        "ALTER TABLE account RENAME COLUMN name TO title",
    ]


@pytest.mark.parametrize(
    ("kw", "what"),
    [
        ({"type_": None, "nullable": False}, "nullability"),
        ({"comment": "x"}, "comment"),
        ({"autoincrement": True}, "AUTO_INCREMENT"),
        ({"server_default": ON_UPDATE}, "default with ON UPDATE"),
        ({"nullable": True, "comment": None}, "nullability and comment"),
    ],
)
def test_alter_column_without_the_type_says_what_is_missing(offline, kw, what):
    server = "MariaDB" if offline.dialect.is_mariadb else "MySQL"
    with pytest.raises(MighubError) as failure:
        op.alter_column("account", "name", **kw)
    assert str(failure.value) == (
        f"alter_column('account', 'name') changes the column's {what}, which {server} does "
        f"by restating the whole column (MODIFY); pass existing_type= (the type the column "
        f"has now)"
    )
    assert offline.sql() == []


# -- constraints ----------------------------------------------------------------------


def test_add_constraints(offline):
    op.create_primary_key(None, "t", ["a"])
    op.create_unique_constraint(None, "t", ["b"])
    op.create_foreign_key(None, "t", "user", ["user_id"], ["id"], ondelete="CASCADE")
    op.create_check_constraint("positive", "t", sa.column("b") > 0)
    assert offline.sql() == [
        "ALTER TABLE t ADD CONSTRAINT pk_t PRIMARY KEY (a)",
        "ALTER TABLE t ADD CONSTRAINT uq_t_b UNIQUE (b)",
        "ALTER TABLE t ADD CONSTRAINT fk_t_user_id_user FOREIGN KEY(user_id) "
        "REFERENCES user (id) ON DELETE CASCADE",
        "ALTER TABLE t ADD CONSTRAINT ck_t_positive CHECK (b > 0)",
    ]


def test_drop_constraint_by_kind(mysql_offline, mariadb_offline):
    def drop_each() -> None:
        op.drop_constraint("pk_t", "t", "primary")
        op.drop_constraint("uq_t_b", "t", "unique")
        op.drop_constraint("fk_t_user", "t", "foreignkey", schema="s")
        op.drop_constraint(op.f("ck_t_positive"), "t", "check")

    with use(mysql_offline.operations):
        drop_each()
    with use(mariadb_offline.operations):
        drop_each()
    common = [
        "ALTER TABLE t DROP PRIMARY KEY",
        "ALTER TABLE t DROP INDEX uq_t_b",
        "ALTER TABLE s.t DROP FOREIGN KEY fk_t_user",
    ]
    assert mysql_offline.sql() == [*common, "ALTER TABLE t DROP CHECK ck_t_positive"]
    assert mariadb_offline.sql() == [*common, "ALTER TABLE t DROP CONSTRAINT ck_t_positive"]


def test_drop_constraint_if_exists_is_mariadb_only(mysql_offline, mariadb_offline):
    with use(mariadb_offline.operations):
        for kind in ("primary", "unique", "foreignkey", "check"):
            op.drop_constraint(op.f("c"), "t", kind, if_exists=True)
    assert mariadb_offline.sql() == [
        "ALTER TABLE t DROP INDEX IF EXISTS `PRIMARY`",
        "ALTER TABLE t DROP INDEX IF EXISTS c",
        "ALTER TABLE t DROP FOREIGN KEY IF EXISTS c",
        "ALTER TABLE t DROP CONSTRAINT IF EXISTS c",
    ]
    with use(mysql_offline.operations), pytest.raises(MighubError) as failure:
        op.drop_constraint(op.f("c"), "t", "check", if_exists=True)
    assert str(failure.value) == (
        "drop_constraint('c', 't'): MySQL has no IF EXISTS for constraints (MariaDB has); "
        "check the schema with op.get_bind() first, or use a mariadb:// URL if the server "
        "is MariaDB"
    )
    assert mysql_offline.sql() == []


def test_drop_constraint_needs_its_kind(offline):
    server = "MariaDB" if offline.dialect.is_mariadb else "MySQL"
    with pytest.raises(MighubError) as failure:
        op.drop_constraint("uq_t_b", "t")
    assert str(failure.value) == (
        f"drop_constraint('uq_t_b', 't') needs type_ on {server}, which drops each kind of "
        f"constraint with its own statement: pass type_='foreignkey', 'unique', 'check' or "
        f"'primary'"
    )
    assert offline.sql() == []


# -- indexes ------------------------------------------------------------------


def test_index_options(offline):
    op.create_index("ix_name", "account", ["name", "code"], mysql_length={"name": 4})
    op.create_index("ix_code", "account", ["code"], mysql_length=8, unique=True)
    op.create_index("ft_bio", "account", ["bio"], mysql_prefix="FULLTEXT")
    op.create_index("ix_hash", "account", ["code"], mysql_using="hash")
    op.create_index("ix_btree", "account", ["code"], mysql_using="BTREE")
    op.drop_index("ix_name", "account")
    assert offline.sql() == [
        "CREATE INDEX ix_name ON account (name(4), code)",
        "CREATE UNIQUE INDEX ix_code ON account (code(8))",
        "CREATE FULLTEXT INDEX ft_bio ON account (bio)",
        "CREATE INDEX ix_hash ON account (code) USING HASH",  # SQLAlchemy: USING `HASH`
        "CREATE INDEX ix_btree ON account (code) USING BTREE",
        "DROP INDEX ix_name ON account",
    ]


def test_mariadb_options_reach_a_mysql_url(mysql_offline):
    with use(mysql_offline.operations):
        op.create_index("ix_name", "account", ["name"], mariadb_length=4)
    assert mysql_offline.sql() == ["CREATE INDEX ix_name ON account (name(4))"]


def test_index_if_exists_is_mariadb_only(mysql_offline, mariadb_offline):
    with use(mariadb_offline.operations):
        op.create_index("ix", "account", ["name"], if_not_exists=True)
        op.drop_index("ix", "account", if_exists=True)
    assert mariadb_offline.sql() == [
        "CREATE INDEX IF NOT EXISTS ix ON account (name)",
        "DROP INDEX IF EXISTS ix ON account",
    ]
    with use(mysql_offline.operations):
        with pytest.raises(MighubError, match=r"^create_index\('ix'\): MySQL has no CREATE"):
            op.create_index("ix", "account", ["name"], if_not_exists=True)
        with pytest.raises(MighubError, match=r"^drop_index\('ix'\): MySQL has no DROP INDEX"):
            op.drop_index("ix", "account", if_exists=True)
    assert mysql_offline.sql() == []


# -- the constructs on their own --------------------------------------------------------


def test_constructs_say_what_they_need():
    import mighub_mysql.constructs  # noqa: F401

    from mighub.ddl.constructs import ColumnComment, ColumnNullable, ColumnType

    dialect = sa.make_url("mysql://").get_dialect()()
    with pytest.raises(CompileError, match=r"MySQL changes the nullability of column t\.c by"):
        ColumnNullable("t", "c", False).compile(dialect=dialect)
    with pytest.raises(CompileError, match=r"the comment of column t\.c .* pass existing_type"):
        ColumnComment("t", "c", "x").compile(dialect=dialect)
    with pytest.raises(CompileError, match="has no USING clause"):
        ColumnType("t", "c", sa.Integer, using="c::int").compile(dialect=dialect)


def test_rename_keeps_the_table_in_its_database() -> None:
    import mighub_mysql.constructs  # noqa: F401  (registers the MariaDB/MySQL forms)
    from sqlalchemy.dialects import mysql

    from mighub.ddl.constructs import RenameTable

    dialect = mysql.dialect()
    qualified = RenameTable("a", "b", schema="other").compile(dialect=dialect)
    assert str(qualified) == "ALTER TABLE other.a RENAME TO other.b"
    assert str(RenameTable("a", "b").compile(dialect=dialect)) == "ALTER TABLE a RENAME TO b"
