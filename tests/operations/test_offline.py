"""Every core operation offline (``--sql``): the exact SQL for SQLite and PostgreSQL.

Compiled with SQLAlchemy's dialects, no server involved. PostgreSQL runs on
the generic implementation here: the SQL below is what the kernel emits
before any dialect plugin, and it has to be right for PostgreSQL already.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mighub import op
from mighub.errors import MighubError
from mighub.operations import use
from tests._backends import NAMING_CONVENTION, offline_operations

BATCH_HINT = "run it in batch mode, which recreates the table"


def run(dialect: str, fn, *, metadata: sa.MetaData | None = None, **impl_kw) -> str:
    if metadata is None:
        metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    ops, buffer = offline_operations(dialect, target_metadata=metadata, **impl_kw)
    with use(ops):
        fn()
    return buffer.getvalue()


def statements(*sql: str) -> str:
    return "".join(f"{s};\n\n" for s in sql)


def test_create_table_with_comments_types_and_indexes():
    def fn():
        op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(50), nullable=False, comment="who"),
            sa.Column("status", sa.Enum("on", "off", name="status")),
            sa.Column("owner_id", sa.Integer, sa.ForeignKey("user.id")),
            sa.UniqueConstraint("name"),
            sa.Index(None, "owner_id"),
            comment="accounts",
            schema="sales",
        )

    assert run("postgresql", fn) == statements(
        "CREATE TYPE status AS ENUM ('on', 'off')",
        "CREATE TABLE sales.account (\n"
        "    id SERIAL NOT NULL,\n"
        "    name VARCHAR(50) NOT NULL,\n"
        "    status status,\n"
        "    owner_id INTEGER,\n"
        "    CONSTRAINT pk_account PRIMARY KEY (id),\n"
        "    CONSTRAINT uq_account_name UNIQUE (name),\n"
        '    CONSTRAINT fk_account_owner_id_user FOREIGN KEY(owner_id) REFERENCES "user" (id)\n'
        ")",
        "COMMENT ON TABLE sales.account IS 'accounts'",
        "COMMENT ON COLUMN sales.account.name IS 'who'",
        "CREATE INDEX ix_sales_account_owner_id ON sales.account (owner_id)",
    )
    # SQLite keeps no comments and cannot refer to a table of another schema.
    assert run("sqlite", fn) == statements(
        "CREATE TABLE sales.account (\n"
        "    id INTEGER NOT NULL,\n"
        "    name VARCHAR(50) NOT NULL,\n"
        "    status VARCHAR(3),\n"
        "    owner_id INTEGER,\n"
        "    CONSTRAINT pk_account PRIMARY KEY (id),\n"
        "    CONSTRAINT uq_account_name UNIQUE (name)\n"
        ")",
        "CREATE INDEX sales.ix_sales_account_owner_id ON account (owner_id)",
    )


@pytest.mark.parametrize(("dialect", "id_type"), [("postgresql", "SERIAL"), ("sqlite", "INTEGER")])
def test_create_table_if_not_exists(dialect, id_type):
    def fn():
        op.create_table(
            "t",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("x", sa.Integer, index=True),
            if_not_exists=True,
        )

    assert run(dialect, fn) == statements(
        f"CREATE TABLE IF NOT EXISTS t (\n    id {id_type} NOT NULL,\n    x INTEGER,\n"
        "    CONSTRAINT pk_t PRIMARY KEY (id)\n)",
        "CREATE INDEX IF NOT EXISTS ix_t_x ON t (x)",
    )


def test_create_table_returns_the_table():
    ops, _ = offline_operations("sqlite")
    with use(ops):
        table = op.create_table("t", sa.Column("id", sa.Integer, primary_key=True))
    assert isinstance(table, sa.Table)
    assert table.name == "t"
    assert list(table.c.keys()) == ["id"]


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_drop_table(dialect):
    assert run(dialect, lambda: op.drop_table("account", schema="sales")) == statements(
        "DROP TABLE sales.account"
    )
    assert run(dialect, lambda: op.drop_table("account", if_exists=True)) == statements(
        "DROP TABLE IF EXISTS account"
    )


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_rename_table_keeps_the_schema(dialect):
    out = run(dialect, lambda: op.rename_table("account", "customer", schema="sales"))
    assert out == statements("ALTER TABLE sales.account RENAME TO customer")


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_add_column_with_default_and_not_null(dialect):
    def fn():
        op.add_column(
            "account",
            sa.Column("balance", sa.Numeric(10, 2), server_default="0", nullable=False),
            schema="sales",
        )

    assert run(dialect, fn) == statements(
        "ALTER TABLE sales.account ADD COLUMN balance NUMERIC(10, 2) DEFAULT '0' NOT NULL"
    )


def test_add_column_foreign_key_is_a_named_constraint_on_postgresql():
    def fn():
        op.add_column(
            "account",
            sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE")),
        )

    assert run("postgresql", fn) == statements(
        "ALTER TABLE account ADD COLUMN user_id INTEGER",
        "ALTER TABLE account ADD CONSTRAINT fk_account_user_id_user FOREIGN KEY(user_id) "
        'REFERENCES "user" (id) ON DELETE CASCADE',
    )


def test_add_column_foreign_key_goes_inline_on_sqlite():
    def fn():
        op.add_column(
            "account",
            sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id", ondelete="CASCADE")),
        )

    assert run("sqlite", fn) == statements(
        "ALTER TABLE account ADD COLUMN user_id INTEGER REFERENCES user (id) ON DELETE CASCADE"
    )


def test_add_column_inline_references_and_primary_key_on_request():
    def fn():
        op.add_column(
            "account",
            sa.Column("user_id", sa.Integer, sa.ForeignKey("auth.user.id")),
            inline_references=True,
        )
        op.add_column("other", sa.Column("id", sa.Integer), inline_primary_key=True)

    assert run("postgresql", fn) == statements(
        'ALTER TABLE account ADD COLUMN user_id INTEGER REFERENCES auth."user" (id)',
        "ALTER TABLE other ADD COLUMN id INTEGER PRIMARY KEY",
    )


def test_add_column_unique_and_comment_become_statements_on_postgresql():
    def fn():
        op.add_column("account", sa.Column("code", sa.String(8), unique=True, comment="code"))

    assert run("postgresql", fn) == statements(
        "ALTER TABLE account ADD COLUMN code VARCHAR(8)",
        "ALTER TABLE account ADD CONSTRAINT uq_account_code UNIQUE (code)",
        "COMMENT ON COLUMN account.code IS 'code'",
    )


def test_add_column_unique_needs_batch_on_sqlite():
    with pytest.raises(MighubError, match=BATCH_HINT) as info:
        run("sqlite", lambda: op.add_column("account", sa.Column("code", sa.String, unique=True)))
    assert "batch_op.add_column(...)" in str(info.value)
    assert "pip install mighub-sqlite-batch" in str(info.value)


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_add_column_index(dialect):
    fn = lambda: op.add_column("account", sa.Column("code", sa.String(8), index=True))  # noqa: E731
    assert run(dialect, fn) == statements(
        "ALTER TABLE account ADD COLUMN code VARCHAR(8)",
        "CREATE INDEX ix_account_code ON account (code)",
    )


def test_add_column_check_given_to_the_column_stays_inline():
    fn = lambda: op.add_column(  # noqa: E731
        "account", sa.Column("n", sa.Integer, sa.CheckConstraint("n > 0", name="n_positive"))
    )
    expected = statements(
        "ALTER TABLE account ADD COLUMN n INTEGER CONSTRAINT ck_account_n_positive CHECK (n > 0)"
    )
    assert run("postgresql", fn) == expected
    assert run("sqlite", fn) == expected


def test_add_column_skips_a_boolean_check_where_booleans_are_native():
    fn = lambda: op.add_column(  # noqa: E731
        "account", sa.Column("flag", sa.Boolean(create_constraint=True, name="flag_bool"))
    )
    assert run("postgresql", fn) == statements("ALTER TABLE account ADD COLUMN flag BOOLEAN")
    with pytest.warns(UserWarning, match="CHECK constraint of a CheckConstraint"):
        assert run("sqlite", fn) == statements("ALTER TABLE account ADD COLUMN flag BOOLEAN")


def test_add_column_if_not_exists():
    fn = lambda: op.add_column(  # noqa: E731
        "account", sa.Column("code", sa.String(8)), if_not_exists=True
    )
    assert run("postgresql", fn) == statements(
        "ALTER TABLE account ADD COLUMN IF NOT EXISTS code VARCHAR(8)"
    )
    with pytest.raises(sa.exc.CompileError, match="SQLite cannot ADD COLUMN IF NOT EXISTS"):
        run("sqlite", fn)


def test_add_column_twice_with_the_same_column_object():
    column = sa.Column("code", sa.String(8))

    def fn():
        op.add_column("a", column)
        op.add_column("b", column)

    assert run("postgresql", fn) == statements(
        "ALTER TABLE a ADD COLUMN code VARCHAR(8)", "ALTER TABLE b ADD COLUMN code VARCHAR(8)"
    )


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_drop_column(dialect):
    out = run(dialect, lambda: op.drop_column("account", "code", schema="sales"))
    assert out == statements("ALTER TABLE sales.account DROP COLUMN code")


def test_drop_column_if_exists():
    fn = lambda: op.drop_column("account", "code", if_exists=True)  # noqa: E731
    assert run("postgresql", fn) == statements("ALTER TABLE account DROP COLUMN IF EXISTS code")
    with pytest.raises(sa.exc.CompileError, match="SQLite cannot DROP COLUMN IF EXISTS"):
        run("sqlite", fn)


def test_alter_column_every_change_in_order_on_postgresql():
    def fn():
        op.alter_column(
            "account",
            "code",
            nullable=False,
            type_=sa.String(20),
            server_default="x",
            new_column_name="ref",
            comment="c",
            existing_type=sa.String(8),
            schema="sales",
        )

    assert run("postgresql", fn) == statements(
        "ALTER TABLE sales.account ALTER COLUMN code TYPE VARCHAR(20)",
        "ALTER TABLE sales.account ALTER COLUMN code SET DEFAULT 'x'",
        "ALTER TABLE sales.account ALTER COLUMN code SET NOT NULL",
        "COMMENT ON COLUMN sales.account.code IS 'c'",
        "ALTER TABLE sales.account RENAME COLUMN code TO ref",
    )


def test_alter_column_drops_the_default_before_changing_the_type():
    def fn():
        op.alter_column(
            "account",
            "code",
            server_default=None,
            type_=sa.Integer,
            postgresql_using="code::integer",
        )

    # The generic implementation ignores other dialects' options; PostgreSQL's
    # USING comes with its plugin (tested there).
    assert run("postgresql", fn) == statements(
        "ALTER TABLE account ALTER COLUMN code DROP DEFAULT",
        "ALTER TABLE account ALTER COLUMN code TYPE INTEGER",
    )


def test_alter_column_single_changes_on_postgresql():
    def fn():
        op.alter_column("account", "code", nullable=True)
        op.alter_column("account", "code", comment=None, existing_comment="old")
        op.alter_column("account", "code", server_default=sa.text("now()"))
        op.alter_column("account", "code", server_default=sa.func.lower("X"))

    assert run("postgresql", fn) == statements(
        "ALTER TABLE account ALTER COLUMN code DROP NOT NULL",
        "COMMENT ON COLUMN account.code IS NULL",
        "ALTER TABLE account ALTER COLUMN code SET DEFAULT now()",
        "ALTER TABLE account ALTER COLUMN code SET DEFAULT lower('X')",
    )


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_alter_column_rename_only(dialect):
    fn = lambda: op.alter_column("account", "code", new_column_name="ref", schema="s")  # noqa: E731
    assert run(dialect, fn) == statements("ALTER TABLE s.account RENAME COLUMN code TO ref")


@pytest.mark.parametrize(
    ("kw", "what"),
    [
        ({"nullable": False}, "nullability"),
        ({"type_": sa.Integer}, "type"),
        ({"server_default": "1"}, "default"),
        ({"server_default": None}, "default"),
        (
            {"nullable": True, "type_": sa.Text, "server_default": "x"},
            "nullability, default and type",
        ),
    ],
)
def test_alter_column_on_sqlite_points_to_batch_mode(kw, what):
    with pytest.raises(MighubError) as info:
        run("sqlite", lambda: op.alter_column("account", "code", new_column_name="x", **kw))
    assert str(info.value) == (
        f"SQLite cannot change the {what} of column 'code' with ALTER TABLE; run it in batch "
        f"mode, which recreates the table: 'with op.batch_alter_table('account') as batch_op: "
        f"batch_op.alter_column(...)' (batch mode comes from the mighub-sqlite-batch plugin: "
        f"pip install mighub-sqlite-batch)"
    )


def test_index_create_and_drop():
    def fn():
        op.create_index(
            "ix_acc_name", "account", ["name", sa.text("lower(code)")], unique=True, schema="sales"
        )
        op.create_index(None, "account", ["name"], if_not_exists=True)
        op.drop_index("ix_acc_name", "account", schema="sales", if_exists=True)
        op.drop_index("ix_account_name")

    assert run("postgresql", fn) == statements(
        "CREATE UNIQUE INDEX ix_acc_name ON sales.account (name, lower(code))",
        "CREATE INDEX IF NOT EXISTS ix_account_name ON account (name)",
        "DROP INDEX IF EXISTS sales.ix_acc_name",
        "DROP INDEX ix_account_name",
    )
    # SQLite names the schema on the index, never on the table.
    assert run("sqlite", fn) == statements(
        "CREATE UNIQUE INDEX sales.ix_acc_name ON account (name, lower(code))",
        "CREATE INDEX IF NOT EXISTS ix_account_name ON account (name)",
        "DROP INDEX IF EXISTS sales.ix_acc_name",
        "DROP INDEX ix_account_name",
    )


def test_create_index_with_dialect_options():
    def fn():
        op.create_index("ix_a", "account", ["name"], postgresql_where=sa.text("name IS NOT NULL"))

    assert run("postgresql", fn) == statements(
        "CREATE INDEX ix_a ON account (name) WHERE name IS NOT NULL"
    )


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_index_on_a_table_created_in_the_same_revision(dialect):
    """The index is built on the table op.create_table returned (no stand-in), with the
    same SQL as on a stand-in, and the table is left as op.create_table returned it."""
    tables = []

    def fn():
        table = op.create_table(
            "account",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(20)),
            schema="sales",
        )
        tables.append(table)
        op.create_index(None, "account", ["name"], schema="sales")
        op.create_index(
            "ix_account_id_name", "account", ["id", "name"], unique=True, schema="sales"
        )
        # not the created table's columns, another table, an expression, a dialect
        # option: each on a stand-in table, as always
        op.create_index("ix_account_code", "account", ["code"], schema="sales")
        op.create_index("ix_other_name", "account", ["name"])
        op.create_index("ix_account_lower", "account", [sa.text("lower(name)")], schema="sales")
        op.create_index(
            "ix_account_part",
            "account",
            ["name"],
            schema="sales",
            postgresql_where=sa.text("id > 0"),
        )

    out = run(dialect, fn)
    on = "sales.account" if dialect == "postgresql" else "account"
    ix = "" if dialect == "postgresql" else "sales."
    assert out.endswith(
        statements(
            f"CREATE INDEX {ix}ix_sales_account_name ON {on} (name)",
            f"CREATE UNIQUE INDEX {ix}ix_account_id_name ON {on} (id, name)",
            f"CREATE INDEX {ix}ix_account_code ON {on} (code)",
            "CREATE INDEX ix_other_name ON account (name)",
            f"CREATE INDEX {ix}ix_account_lower ON {on} (lower(name))",
            f"CREATE INDEX {ix}ix_account_part ON {on} (name)"
            + (" WHERE id > 0" if dialect == "postgresql" else ""),
        )
    )
    (table,) = tables
    assert table.indexes == set()
    assert list(table.c.keys()) == ["id", "name"]


def test_constraints_on_postgresql():
    def fn():
        op.create_primary_key(None, "account", ["id"])
        op.create_unique_constraint(None, "account", ["name", "code"], schema="sales")
        op.create_unique_constraint(
            op.f("my_uq"), "account", ["name"], deferrable=True, initially="DEFERRED"
        )
        op.create_foreign_key(
            None,
            "account",
            "user",
            ["user_id"],
            ["id"],
            ondelete="SET NULL",
            source_schema="sales",
            referent_schema="auth",
        )
        op.create_foreign_key("fk_parent", "node", "node", ["parent_id"], ["id"])
        op.create_check_constraint("positive", "account", "balance >= 0")
        op.create_check_constraint(op.f("ck_x"), "account", sa.column("balance") >= 0)
        op.drop_constraint("uq_account_name", "account", "unique", schema="sales")
        op.drop_constraint("fk_x", "account", "foreignkey", if_exists=True)
        op.drop_constraint("whatever", "account")

    assert run("postgresql", fn) == statements(
        "ALTER TABLE account ADD CONSTRAINT pk_account PRIMARY KEY (id)",
        "ALTER TABLE sales.account ADD CONSTRAINT uq_account_name UNIQUE (name, code)",
        "ALTER TABLE account ADD CONSTRAINT my_uq UNIQUE (name) DEFERRABLE INITIALLY DEFERRED",
        "ALTER TABLE sales.account ADD CONSTRAINT fk_account_user_id_user FOREIGN KEY(user_id) "
        'REFERENCES auth."user" (id) ON DELETE SET NULL',
        "ALTER TABLE node ADD CONSTRAINT fk_parent FOREIGN KEY(parent_id) REFERENCES node (id)",
        "ALTER TABLE account ADD CONSTRAINT ck_account_positive CHECK (balance >= 0)",
        "ALTER TABLE account ADD CONSTRAINT ck_x CHECK (balance >= 0)",
        "ALTER TABLE sales.account DROP CONSTRAINT uq_account_name",
        "ALTER TABLE account DROP CONSTRAINT IF EXISTS fk_x",
        "ALTER TABLE account DROP CONSTRAINT whatever",
    )


def test_constraint_names_without_a_naming_convention():
    def fn():
        op.create_unique_constraint(None, "account", ["name"])
        op.create_foreign_key(None, "account", "user", ["user_id"], ["id"])

    assert run("postgresql", fn, metadata=sa.MetaData()) == statements(
        "ALTER TABLE account ADD UNIQUE (name)",
        'ALTER TABLE account ADD FOREIGN KEY(user_id) REFERENCES "user" (id)',
    )


@pytest.mark.parametrize(
    ("call", "what", "operation"),
    [
        (
            lambda: op.create_primary_key("pk", "account", ["id"]),
            "add a primary key",
            "create_primary_key",
        ),
        (
            lambda: op.create_unique_constraint("uq", "account", ["a"]),
            "add a unique constraint",
            "create_unique_constraint",
        ),
        (
            lambda: op.create_foreign_key("fk", "account", "u", ["a"], ["id"]),
            "add a foreign key",
            "create_foreign_key",
        ),
        (
            lambda: op.create_check_constraint("ck", "account", "a > 0"),
            "add a check constraint",
            "create_check_constraint",
        ),
        (
            lambda: op.drop_constraint("uq", "account", "unique"),
            "drop a constraint",
            "drop_constraint",
        ),
    ],
)
def test_constraints_on_sqlite_point_to_batch_mode(call, what, operation):
    with pytest.raises(MighubError) as info:
        run("sqlite", call)
    assert str(info.value) == (
        f"SQLite cannot {what} with ALTER TABLE; run it in batch mode, which recreates the "
        f"table: 'with op.batch_alter_table('account') as batch_op: batch_op.{operation}(...)' "
        f"(batch mode comes from the mighub-sqlite-batch plugin: pip install mighub-sqlite-batch)"
    )


def test_table_comments():
    def fn():
        op.create_table_comment("account", "it's accounts", schema="sales")
        op.drop_table_comment("account", existing_comment="x")

    assert run("postgresql", fn) == statements(
        "COMMENT ON TABLE sales.account IS 'it''s accounts'",
        "COMMENT ON TABLE account IS NULL",
    )


@pytest.mark.parametrize(
    ("call", "shown"),
    [
        (
            lambda: op.create_table_comment("account", "x"),
            "op.create_table_comment('account', ...)",
        ),
        (lambda: op.drop_table_comment("account"), "op.drop_table_comment('account')"),
        (
            lambda: op.alter_column("account", "c", comment="x"),
            "op.alter_column('account', 'c', comment=...)",
        ),
    ],
)
def test_comments_on_sqlite_say_what_to_do(call, shown):
    with pytest.raises(MighubError) as info:
        run("sqlite", call)
    assert str(info.value) == (
        f"SQLite does not store comments, so {shown} cannot run on it; leave it out for SQLite "
        f"(e.g. 'if op.get_bind().dialect.name != \"sqlite\":')"
    )


@pytest.mark.parametrize("dialect", ["postgresql", "sqlite"])
def test_bulk_insert_writes_one_literal_insert_per_row(dialect):
    table = sa.table(
        "account",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("note"),  # no type: the value decides how it is written
    )
    rows = [{"id": 1, "name": "a'b", "note": None}, {"id": 2, "name": "c", "note": 5}]
    assert run(dialect, lambda: op.bulk_insert(table, rows)) == statements(
        "INSERT INTO account (id, name, note) VALUES (1, 'a''b', NULL)",
        "INSERT INTO account (id, name, note) VALUES (2, 'c', 5)",
    )


def test_bulk_insert_into_the_table_create_table_returned():
    def fn():
        table = op.create_table(
            "t", sa.Column("id", sa.Integer, primary_key=True), sa.Column("on", sa.Boolean)
        )
        op.bulk_insert(table, [{"id": 1, "on": True}, {"id": 2, "on": False}])

    out = run("postgresql", fn)
    assert out.endswith(
        statements(
            'INSERT INTO t (id, "on") VALUES (1, true)',
            'INSERT INTO t (id, "on") VALUES (2, false)',
        )
    )


def test_bulk_insert_leaves_the_generated_key_to_the_database_without_returning_it():
    table = sa.Table(
        "account", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("name")
    )
    assert run("postgresql", lambda: op.bulk_insert(table, [{"name": "a"}])) == statements(
        "INSERT INTO account (name) VALUES ('a')"
    )


def test_execute_strings_constructs_and_ddl():
    table = sa.table("account", sa.column("name"), sa.column("id"))

    def fn():
        op.execute("UPDATE account SET name = 'x' WHERE id = 1")
        op.execute(
            table.update()
            .values(name=op.inline_literal("y"))
            .where(table.c.id == op.inline_literal(2))
        )
        op.execute(sa.DDL("VACUUM"))

    expected = statements(
        "UPDATE account SET name = 'x' WHERE id = 1",
        "UPDATE account SET name='y' WHERE account.id = 2",
        "VACUUM",
    )
    assert run("postgresql", fn) == expected
    assert run("sqlite", fn) == expected


def test_percent_signs_stay_single_with_the_named_paramstyle():
    table = sa.table("t", sa.column("a", sa.String))

    def fn():
        op.execute("UPDATE t SET a = 'x%' WHERE a LIKE '%y'")
        op.execute(table.update().values(a=op.inline_literal("5%")))

    assert run("postgresql", fn) == statements(
        "UPDATE t SET a = 'x%' WHERE a LIKE '%y'", "UPDATE t SET a='5%'"
    )


def test_execute_dml_keeps_placeholders_unless_literal_binds():
    table = sa.table("account", sa.column("name", sa.String))
    fn = lambda: op.execute(table.update().values(name="z"))  # noqa: E731
    assert run("sqlite", fn) == statements("UPDATE account SET name=:name")
    assert run("sqlite", fn, literal_binds=True) == statements("UPDATE account SET name='z'")


def test_get_bind_offline_is_a_mock_that_writes_sql():
    def fn():
        op.get_bind().execute(sa.text("SELECT 1"))

    assert run("postgresql", fn) == statements("SELECT 1")
