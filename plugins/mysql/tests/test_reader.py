"""The schema reader: a MariaDB schema from ``information_schema`` in a fixed number of queries.

The online tests build their tables the way a project does (autogenerate
from an empty database, then the operations run through this plugin), or
with plain DDL for what only a hand-written schema holds, and compare again
through ``mighub-autogen``'s real comparison: nothing must be found, and
each real change must be. The reader's answers are also held against what
SQLAlchemy's own (one table at a time) reflection reads. MySQL's forms of
``information_schema``, which no server here produces, are tested on the
function that reads them.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from mighub_mysql.compare import defaults_match
from mighub_mysql.reader import Server, column_default, read_schema
from sqlalchemy.dialects import mysql

from mighub.operations.ops import (
    AlterColumnOp,
    CreateCheckConstraintOp,
    CreateForeignKeyOp,
    CreateIndexOp,
    CreateTableCommentOp,
    DropConstraintOp,
)

from .conftest import build_with_mighub, found

TABLE_OPTIONS = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_general_ci"}


# -- the number of queries ------------------------------------------------------------


def chain_of_tables(count: int) -> sa.MetaData:
    """``count`` tables, each with what the reader reads: a foreign key to the one before,
    a unique constraint, a prefix index, a CHECK constraint, comments, defaults."""
    metadata = sa.MetaData()
    for number in range(count):
        sa.Table(
            f"t{number:03d}",
            metadata,
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("name", sa.String(40), nullable=False, comment="the name"),
            sa.Column("code", sa.String(20), server_default=sa.text("concat('a','b')")),
            sa.Column("up", sa.Integer, sa.ForeignKey(f"t{max(number - 1, 0):03d}.id")),
            sa.Column("seen", sa.TIMESTAMP, server_default=sa.func.now(), nullable=False),
            sa.UniqueConstraint("name", name=f"uq_t{number:03d}_name"),
            sa.CheckConstraint("up >= 0", name=f"ck_t{number:03d}_up"),
            sa.Index(f"ix_t{number:03d}_code", "code", mysql_length=5),
            comment=f"table {number}",
            **TABLE_OPTIONS,
        )
    return metadata


def queries_to_compare(connection: sa.Connection, metadata: sa.MetaData) -> int:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    sa.event.listen(connection, "before_cursor_execute", count)
    try:
        assert found(connection, metadata) == []
    finally:
        sa.event.remove(connection, "before_cursor_execute", count)
    return len(statements)


def test_the_number_of_queries_does_not_grow_with_the_number_of_tables(connection):
    few, many = chain_of_tables(6), chain_of_tables(18)
    build_with_mighub(connection, few)
    with_few = queries_to_compare(connection, few)
    build_with_mighub(connection, many)  # the 12 tables the first 6 lack
    assert queries_to_compare(connection, many) == with_few
    assert with_few <= 7  # the table list, then the reader's six


# -- what the reader reads ------------------------------------------------------------


def tricky_model() -> sa.MetaData:
    """What MariaDB stores in its own ways, or SQLAlchemy's reflection cannot read."""
    metadata = sa.MetaData()
    sa.Table(
        "owner",
        metadata,
        sa.Column("id", mysql.INTEGER(unsigned=True), primary_key=True),
        sa.Column("code", sa.String(10), nullable=False),
        sa.UniqueConstraint("code", name="uq_owner_code"),
        **TABLE_OPTIONS,
    )
    sa.Table(
        "item",
        metadata,
        sa.Column("id", mysql.BIGINT(unsigned=True, zerofill=True), primary_key=True),
        sa.Column("owner_id", mysql.INTEGER(unsigned=True)),
        sa.Column("owner_code", sa.String(10)),
        sa.Column("label", sa.String(40), server_default=sa.text("concat('x','-',1)")),
        sa.Column("quoted", sa.String(20), server_default="it's"),
        sa.Column("word", sa.String(10), server_default="NULL"),
        sa.Column("price", sa.Numeric(6, 2), nullable=False, server_default="1.5"),
        sa.Column(
            "changed",
            sa.TIMESTAMP,
            nullable=False,
            server_default=sa.text("CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP"),
        ),
        sa.Column(
            "touched",
            mysql.DATETIME(fsp=3),
            server_default=sa.text("CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)"),
        ),
        sa.Column(
            "stamped",
            mysql.TIMESTAMP,
            nullable=True,
            server_default=sa.text("NULL ON UPDATE CURRENT_TIMESTAMP"),
        ),
        sa.Column("status", mysql.ENUM("new", "it's", "a,b"), server_default="new"),
        sa.Column("flags", mysql.SET("p", "q"), server_default="p,q"),
        sa.Column("bits", mysql.BIT(3), server_default=sa.text("b'101'")),
        sa.Column("sku", mysql.VARCHAR(20, charset="latin1", collation="latin1_bin")),
        sa.Column("key_", sa.String(20, collation="utf8mb4_bin")),
        sa.Column("doubled", sa.Numeric(8, 2), sa.Computed("price * 2")),
        sa.Column("tag", sa.String(60), sa.Computed("concat(label, '!')", persisted=True)),
        sa.Column("data", sa.JSON),
        sa.Column("body", sa.Text, comment="what it's about"),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["owner.id"],
            name="fk_item_owner",
            ondelete="CASCADE",
            onupdate="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_code"], ["owner.code"], name="fk_item_owner_code", ondelete="RESTRICT"
        ),
        sa.CheckConstraint("price >= 0 and label <> 'x'", name="ck_item_price"),
        sa.Index("ix_item_body", "body", mysql_length=12),
        sa.Index("ix_item_sku_label", "sku", "label", mysql_length={"label": 8}),
        sa.Index("ix_item_search", "body", mysql_prefix="FULLTEXT"),
        comment="what's sold",
        **TABLE_OPTIONS,
    )
    return metadata


@pytest.fixture
def tricky(connection) -> sa.MetaData:
    metadata = tricky_model()
    build_with_mighub(connection, metadata)
    return metadata


def read(connection: sa.Connection, table: str, schema: str | None = None) -> dict[str, Any]:
    """Each kind the reader answers, for one table."""
    answers = read_schema(sa.inspect(connection), schema, None)
    return {kind: by_table[(schema, table)] for kind, by_table in answers.items()}


def test_a_schema_built_by_mighub_compares_clean(tricky, connection):
    assert found(connection, tricky) == []


def test_what_is_read(tricky, connection):
    item = read(connection, "item")
    columns = {c["name"]: c for c in item["columns"]}
    defaults = {name: c["default"] for name, c in columns.items()}
    assert defaults["label"] == "concat('x','-',1)"  # SQLAlchemy's reflection reads None
    assert defaults["quoted"] == "'it''s'"
    assert defaults["word"] == "'NULL'"
    assert defaults["owner_code"] is None
    assert defaults["changed"] == "current_timestamp() ON UPDATE current_timestamp()"
    assert defaults["touched"] == "current_timestamp(3) ON UPDATE current_timestamp(3)"
    assert defaults["stamped"] == "NULL ON UPDATE current_timestamp()"  # SQLAlchemy: None
    assert defaults["bits"] == "b'101'"  # SQLAlchemy: None
    assert list(columns["status"]["type"].enums) == ["new", "it's", "a,b"]
    assert set(columns["flags"]["type"].values) == {"p", "q"}
    assert isinstance(columns["id"]["type"], mysql.BIGINT)
    assert columns["id"]["type"].unsigned and columns["id"]["type"].zerofill
    assert columns["id"]["autoincrement"] is True
    assert columns["owner_id"]["autoincrement"] is False
    # a charset and collation only where they are not the table's
    assert (columns["sku"]["type"].charset, columns["sku"]["type"].collation) == (
        "latin1",
        "latin1_bin",
    )
    assert columns["key_"]["type"].collation == "utf8mb4_bin"
    assert columns["body"]["type"].collation is None
    assert columns["doubled"]["computed"] == {"sqltext": "(`price` * 2)", "persisted": False}
    assert columns["tag"]["computed"]["persisted"] is True
    assert columns["body"]["comment"] == "what it's about"
    assert item["table_comment"] == {"text": "what's sold"}
    assert item["pk_constraint"] == {"constrained_columns": ["id"], "name": None}
    assert item["foreign_keys"] == [
        {
            "name": "fk_item_owner",
            "constrained_columns": ["owner_id"],
            "referred_schema": None,
            "referred_table": "owner",
            "referred_columns": ["id"],
            "options": {"onupdate": "SET NULL", "ondelete": "CASCADE"},
        },
        {
            "name": "fk_item_owner_code",
            "constrained_columns": ["owner_code"],
            "referred_schema": None,
            "referred_table": "owner",
            "referred_columns": ["code"],
            "options": {},  # MariaDB says RESTRICT, also for what states nothing
        },
    ]
    indexes = {ix["name"]: ix for ix in item["indexes"]}
    assert indexes["ix_item_body"]["dialect_options"] == {"mysql_length": {"body": 12}}
    assert indexes["ix_item_sku_label"]["column_names"] == ["sku", "label"]
    assert indexes["ix_item_sku_label"]["dialect_options"] == {"mysql_length": {"label": 8}}
    assert indexes["ix_item_search"]["dialect_options"] == {"mysql_prefix": "FULLTEXT"}
    # no json_valid() check for the JSON column
    assert [ck["name"] for ck in item["check_constraints"]] == ["ck_item_price"]
    owner = read(connection, "owner")
    assert owner["unique_constraints"] == [
        {"name": "uq_owner_code", "column_names": ["code"], "duplicates_index": "uq_owner_code"}
    ]
    assert owner["table_comment"] == {"text": None}


def test_the_reader_reads_what_sqlalchemy_reads_and_more(tricky, connection):
    """Every kind for every table, against the inspector's own (per table) reflection."""
    inspector = sa.inspect(connection)
    mine = read_schema(inspector, None, None)
    beyond = {("item", "label"), ("item", "stamped"), ("item", "bits")}  # defaults it misses
    for kind, by_table in mine.items():
        theirs = getattr(inspector, f"get_multi_{kind}")()
        assert set(by_table) == set(theirs)
        for key, answer in by_table.items():
            if kind != "columns":
                assert answer == theirs[key], (kind, key)
                continue
            for column, sqlalchemy_column in zip(answer, theirs[key], strict=True):
                if (key[1], column["name"]) in beyond:
                    assert sqlalchemy_column["default"] is None
                    column = {**column, "default": None}
                # types compare by their repr: the same class and arguments
                assert {k: repr(v) for k, v in column.items()} == {
                    k: repr(v) for k, v in sqlalchemy_column.items()
                }


def test_real_changes_are_found(tricky, connection):
    metadata = tricky_model()
    item = metadata.tables["item"]
    item.c.label.server_default = sa.DefaultClause(sa.text("concat('y','-',1)"))
    item.c.changed.server_default = sa.DefaultClause(sa.text("CURRENT_TIMESTAMP"))
    item.c.status.type = mysql.ENUM("new", "it's")
    item.c.body.comment = "changed"
    item.comment = "changed"
    fk = next(c for c in item.constraints if getattr(c, "name", None) == "fk_item_owner")
    fk.ondelete = "SET NULL"
    ck = next(c for c in item.constraints if getattr(c, "name", None) == "ck_item_price")
    ck.sqltext = sa.text("price > 0")
    ix = next(i for i in item.indexes if i.name == "ix_item_body")
    ix.dialect_options["mysql"]["length"] = 10
    changes = found(connection, metadata)
    described = sorted(
        (
            type(o).__name__,
            getattr(o, "column_name", None)
            or getattr(o, "constraint_name", None)
            or getattr(o, "index_name", None),
        )
        for o in changes
    )
    assert described == [
        ("AlterColumnOp", "body"),
        ("AlterColumnOp", "changed"),
        ("AlterColumnOp", "label"),
        ("AlterColumnOp", "status"),
        ("CreateCheckConstraintOp", "ck_item_price"),
        ("CreateForeignKeyOp", "fk_item_owner"),
        ("CreateIndexOp", "ix_item_body"),
        ("CreateTableCommentOp", None),
        ("DropConstraintOp", "ck_item_price"),
        ("DropConstraintOp", "fk_item_owner"),
        ("DropIndexOp", "ix_item_body"),
    ]
    by_column = {o.column_name: o for o in changes if isinstance(o, AlterColumnOp)}
    assert by_column["label"].modify_server_default is item.c.label.server_default
    assert by_column["body"].modify_comment == "changed"
    assert any(isinstance(o, CreateTableCommentOp) for o in changes)
    assert any(isinstance(o, CreateCheckConstraintOp) for o in changes)
    assert (
        next(o for o in changes if isinstance(o, CreateForeignKeyOp)).kw["ondelete"] == "SET NULL"
    )
    assert next(o for o in changes if isinstance(o, CreateIndexOp)).kw["mysql_length"] == 10


def test_a_hand_written_schema(connection):
    """Column-level CHECKs and expression defaults, as MariaDB's own DDL writes them."""
    connection.exec_driver_sql(
        "CREATE TABLE box (id INT PRIMARY KEY, size INT CHECK (size > 0), "
        "made DATE DEFAULT curdate(), code VARCHAR(12) DEFAULT concat('b', 'x'), "
        "doc JSON) COMMENT 'boxes' DEFAULT CHARSET utf8mb4 COLLATE utf8mb4_general_ci"
    )
    metadata = sa.MetaData()
    box = sa.Table(
        "box",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("size", sa.Integer),
        sa.Column("made", sa.Date, server_default=sa.text("CURRENT_DATE")),
        sa.Column("code", sa.String(12), server_default=sa.text("concat('b','x')")),
        sa.Column("doc", sa.JSON),
        sa.CheckConstraint("size > 0"),
        comment="boxes",
        **TABLE_OPTIONS,
    )
    assert found(connection, metadata) == []
    box.constraints = {c for c in box.constraints if not isinstance(c, sa.CheckConstraint)}
    (drop,) = found(connection, metadata)
    assert isinstance(drop, DropConstraintOp) and drop.constraint_name == "size"


def test_another_database_and_references_across(connection, namespace):
    other = namespace.other_schema(connection)
    connection.exec_driver_sql("CREATE TABLE home (id INT PRIMARY KEY)")
    connection.exec_driver_sql(
        f"CREATE TABLE {other}.away (id INT PRIMARY KEY, home_id INT, away_id INT, "
        f"CONSTRAINT fk_home FOREIGN KEY (home_id) REFERENCES {namespace.name}.home (id), "
        f"CONSTRAINT fk_away FOREIGN KEY (away_id) REFERENCES {other}.away (id))"
    )
    inspector = sa.inspect(connection)
    answers = read_schema(inspector, other, ["away"])
    assert set(answers["columns"]) == {(other, "away")}
    referred = {
        fk["name"]: fk["referred_schema"] for fk in answers["foreign_keys"][(other, "away")]
    }
    assert referred == {"fk_home": namespace.name, "fk_away": other}
    assert answers["foreign_keys"] == inspector.get_multi_foreign_keys(schema=other)
    assert read_schema(inspector, None, ["nothing"])["columns"] == {}


# -- MySQL's information_schema, on the function that reads it -------------------------


def server(url: str, version: tuple[int, ...]) -> Server:
    dialect = sa.make_url(url).get_dialect()()
    dialect.server_version_info = version
    return Server(dialect)


MYSQL = server("mysql+pymysql://", (8, 0, 36))
MYSQL_57 = server("mysql+pymysql://", (5, 7, 44))
MARIADB = server("mariadb+pymysql://", (10, 11, 9))


@pytest.mark.parametrize(
    ("server_", "raw", "extra", "type_", "expected"),
    [
        (MYSQL, "it's", "", sa.String(), "'it''s'"),
        (MYSQL, "5", "", sa.Integer(), "'5'"),
        (MYSQL, None, "", sa.Integer(), None),
        (MYSQL, "CURRENT_TIMESTAMP", "DEFAULT_GENERATED", sa.DateTime(), "CURRENT_TIMESTAMP"),
        (
            MYSQL,
            "CURRENT_TIMESTAMP(3)",
            "DEFAULT_GENERATED on update CURRENT_TIMESTAMP(3)",
            sa.DateTime(),
            "CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)",
        ),
        (
            MYSQL,
            "concat(_utf8mb4\\'a\\',_utf8mb4\\'b\\')",
            "DEFAULT_GENERATED",
            sa.String(),
            "(concat(_utf8mb4'a',_utf8mb4'b'))",
        ),
        (MYSQL, "b'101'", "", mysql.BIT(3), "b'101'"),
        (
            MYSQL_57,
            "CURRENT_TIMESTAMP",
            "on update CURRENT_TIMESTAMP",
            mysql.TIMESTAMP(),
            "CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP",
        ),
        (MARIADB, "'it''s'", "", sa.String(), "'it''s'"),
        (MARIADB, "NULL", "", sa.String(), None),
        (MARIADB, "'NULL'", "", sa.String(), "'NULL'"),
        (MARIADB, "concat('a','b')", "", sa.String(), "concat('a','b')"),
        (
            MARIADB,
            None,
            "on update current_timestamp()",
            mysql.TIMESTAMP(),
            "NULL ON UPDATE current_timestamp()",
        ),
    ],
)
def test_defaults_of_both_servers(server_, raw, extra, type_, expected):
    assert column_default(raw, extra, type_, server_) == expected


def test_mysql_and_mariadb_read_one_default_alike():
    on_mysql = column_default(
        "concat(_utf8mb4\\'a\\',_utf8mb4\\'b\\')", "DEFAULT_GENERATED", sa.String(), MYSQL
    )
    assert defaults_match(on_mysql, column_default("concat('a','b')", "", sa.String(), MARIADB))


def test_what_each_server_can_tell():
    assert (MARIADB.has_checks, MARIADB.has_index_expressions) == (True, False)
    assert (MYSQL.has_checks, MYSQL.has_index_expressions) == (True, True)
    assert (MYSQL_57.has_checks, MYSQL_57.has_index_expressions) == (False, False)
    assert MARIADB.unstated_rules == {"NO ACTION", "RESTRICT"}
    assert MYSQL.unstated_rules == {"NO ACTION"}
    assert MYSQL.unescape("concat(\\'a\\')") == "concat('a')"
