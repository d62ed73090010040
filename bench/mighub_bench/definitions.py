"""The data every scenario is built from: revision graphs, tables and SQL.

Both tools get revision scripts rendered from these definitions by one
template (see :mod:`mighub_bench.projects`) that differs only in the line
``from mighub import op`` / ``from alembic import op``. Revision ids are fixed
(derived from a counter), so both tools see the identical graph, run after run.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


def rev_id(family: str, n: int) -> str:
    """A fixed, Alembic-looking 12-hex-digit id for revision ``n`` of ``family``."""
    return hashlib.sha1(f"{family}:{n}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Revision:
    """One revision script: its header and the Python statements of its two functions."""

    rev: str
    down: tuple[str, ...]
    message: str
    upgrade: tuple[str, ...]
    downgrade: tuple[str, ...]
    #: the SQL statements ``upgrade()`` runs, when it runs plain SQL (for the floors)
    sql: tuple[str, ...] = ()


def sql_revision(
    rev: str, down: tuple[str, ...], message: str, up: tuple[str, ...], back: tuple[str, ...]
) -> Revision:
    """A revision whose functions are ``op.execute(...)`` of the given statements."""
    return Revision(
        rev,
        down,
        message,
        tuple(f"op.execute({s!r})" for s in up),
        tuple(f"op.execute({s!r})" for s in back),
        up,
    )


# --------------------------------------------------------------------------
# S1, S2, S3: trivial revisions in a chain or a wide graph
# --------------------------------------------------------------------------

COUNTER_UP = (
    "CREATE TABLE bench_counter (n INTEGER NOT NULL)",
    "INSERT INTO bench_counter (n) VALUES (0)",
)
COUNTER_DOWN = ("DROP TABLE bench_counter",)
STEP_UP = ("UPDATE bench_counter SET n = n + 1",)
STEP_DOWN = ("UPDATE bench_counter SET n = n - 1",)


def _step(rev: str, down: tuple[str, ...], message: str) -> Revision:
    if not down:
        return sql_revision(rev, down, message, COUNTER_UP, COUNTER_DOWN)
    return sql_revision(rev, down, message, STEP_UP, STEP_DOWN)


def chain(size: int) -> list[Revision]:
    """A linear history of ``size`` trivial revisions.

    The root creates a one-row table ``bench_counter``; every later revision
    runs one ``UPDATE bench_counter SET n = n + 1``. Chains of every size share
    their ids, so a shorter chain is a prefix of a longer one.
    """
    out = []
    for i in range(size):
        down = (rev_id("chain", i - 1),) if i else ()
        out.append(_step(rev_id("chain", i), down, f"step {i}"))
    return out


@dataclass(frozen=True)
class WideShape:
    """The shape of the wide graph (see :func:`wide_graph`)."""

    waves: int = 20
    trunk: int = 9
    width: int = 10
    length: int = 9

    @property
    def size(self) -> int:
        return self.waves * (self.trunk + self.width * self.length + 1)

    @property
    def branches(self) -> int:
        return self.waves * self.width


def wide_graph(shape: WideShape) -> list[Revision]:
    """A graph of waves in which many branches split off and are merged back.

    Each wave is ``trunk`` revisions in a line (the first follows the previous
    wave's merge, or is the root), the last of which is a branch point for
    ``width`` parallel branches of ``length`` revisions each, joined by one
    merge revision whose ``down_revision`` is the tuple of the branch tips.
    The default, 20 waves of 9 + 10 x 9 + 1, is 2,000 revisions with 200
    merged branches and a single head.
    """
    out: list[Revision] = []
    counter = 0

    def add(down: tuple[str, ...], message: str) -> str:
        nonlocal counter
        rev = rev_id("wide", counter)
        counter += 1
        out.append(_step(rev, down, message))
        return rev

    tip: tuple[str, ...] = ()
    for w in range(shape.waves):
        for t in range(shape.trunk):
            tip = (add(tip, f"wave {w} trunk {t}"),)
        branch_point = tip
        tips = []
        for b in range(shape.width):
            btip = branch_point
            for s in range(shape.length):
                btip = (add(btip, f"wave {w} branch {b} step {s}"),)
            tips.append(btip[0])
        tip = (add(tuple(tips), f"merge wave {w}"),)
    return out


def offline_statements(revisions: list[Revision], version_table: str) -> list[str]:
    """What an online upgrade of a chain from base must execute, as SQL, in order.

    The version table is created, gets the root's row, and is moved once per
    revision; used by the S2 floor (the same statements, run directly).
    """
    out = [
        f"CREATE TABLE {version_table} (version_num VARCHAR(32) NOT NULL, "
        f"CONSTRAINT {version_table}_pkc PRIMARY KEY (version_num))"
    ]
    for r in revisions:
        out.extend(r.sql)
        if not r.down:
            out.append(f"INSERT INTO {version_table} (version_num) VALUES ('{r.rev}')")
        else:
            out.append(
                f"UPDATE {version_table} SET version_num='{r.rev}' "
                f"WHERE {version_table}.version_num = '{r.down[0]}'"
            )
    return out


# --------------------------------------------------------------------------
# S4, S6: tables (as models for autogenerate, and as create_table revisions)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class TableDef:
    """A table of the schema scenarios: a few typed columns, a unique constraint,
    an index and a foreign key to the previous table.

    ``simple`` chooses the plain variant: the primary key and the unique
    constraint declared on the columns (``primary_key=True``, ``unique=True``)
    and no foreign key. The default writes the constraints as objects after
    the columns (``sa.PrimaryKeyConstraint(...)``), as autogenerate does.
    """

    name: str
    parent: str | None
    simple: bool = False

    def args(self) -> list[str]:
        """Python source of the Column and constraint arguments of the table."""
        n = self.name
        if self.simple:
            return [
                'sa.Column("id", sa.Integer(), primary_key=True)',
                'sa.Column("name", sa.String(length=50), nullable=False)',
                'sa.Column("email", sa.String(length=120), unique=True, nullable=True)',
                'sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=True)',
                'sa.Column("created_at", sa.DateTime(), nullable=False)',
            ]
        cols = [
            'sa.Column("id", sa.Integer(), nullable=False)',
            'sa.Column("name", sa.String(length=50), nullable=False)',
            'sa.Column("email", sa.String(length=120), nullable=True)',
            'sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=True)',
            'sa.Column("created_at", sa.DateTime(), nullable=False)',
        ]
        cons = [
            f'sa.PrimaryKeyConstraint("id", name="pk_{n}")',
            f'sa.UniqueConstraint("email", name="uq_{n}_email")',
        ]
        if self.parent:
            cols.append('sa.Column("parent_id", sa.Integer(), nullable=True)')
            cons.append(
                f'sa.ForeignKeyConstraint(["parent_id"], ["{self.parent}.id"], '
                f'name="fk_{n}_parent_id")'
            )
        return cols + cons

    @property
    def index(self) -> str:
        return f"ix_{self.name}_name"

    def create_ops(self) -> tuple[str, ...]:
        args = ",\n        ".join(self.args())
        return (
            f'op.create_table(\n        "{self.name}",\n        {args},\n    )',
            f'op.create_index("{self.index}", "{self.name}", ["name"])',
        )

    def drop_ops(self) -> tuple[str, ...]:
        return (
            f'op.drop_index("{self.index}", table_name="{self.name}")',
            f'op.drop_table("{self.name}")',
        )


def tables(count: int, simple: bool = False) -> list[TableDef]:
    """``count`` tables ``t_0000``..., each referring to the one before it (unless ``simple``)."""
    names = [f"t_{i:04d}" for i in range(count)]
    return [TableDef(n, names[i - 1] if i else None, simple) for i, n in enumerate(names)]


def models_module(defs: list[TableDef]) -> str:
    """Source of a models module: ``metadata`` holding every table, as an application has."""
    lines = ['"""Models of a bench scenario (generated)."""', "", "import sqlalchemy as sa", ""]
    lines.append("metadata = sa.MetaData()")
    for t in defs:
        args = ",\n    ".join(t.args())
        lines.append("")
        lines.append(f'{t.name} = sa.Table(\n    "{t.name}",\n    metadata,\n    {args},\n)')
        lines.append(f'sa.Index("{t.index}", {t.name}.c.name)')
    return "\n".join(lines) + "\n"


def schema_in_one_revision(family: str, defs: list[TableDef]) -> list[Revision]:
    """A single root revision that creates every table (the S4 starting point)."""
    up = tuple(op for t in defs for op in t.create_ops())
    down = tuple(op for t in reversed(defs) for op in t.drop_ops())
    return [Revision(rev_id(family, 0), (), f"create {len(defs)} tables", up, down)]


def table_per_revision(family: str, defs: list[TableDef]) -> list[Revision]:
    """One revision per table, in a chain (the S6 migration)."""
    out = []
    for i, t in enumerate(defs):
        down = (rev_id(family, i - 1),) if i else ()
        out.append(
            Revision(rev_id(family, i), down, f"create {t.name}", t.create_ops(), t.drop_ops())
        )
    return out


# --------------------------------------------------------------------------
# S5: a big table changed in batch mode
# --------------------------------------------------------------------------

ITEMS = "bench_items"


def batch_revisions() -> list[Revision]:
    """Two revisions: create ``bench_items``; then change it in batch mode.

    The second widens ``name`` from 50 to 100 characters and adds a column,
    with ``recreate="always"``: on SQLite that is the move and copy (create a
    new table, copy every row, drop the old one, rename, re-create the index).
    """
    create = (
        f'op.create_table(\n        "{ITEMS}",\n'
        '        sa.Column("id", sa.Integer(), nullable=False),\n'
        '        sa.Column("name", sa.String(length=50), nullable=False),\n'
        '        sa.Column("value", sa.Integer(), nullable=False),\n'
        f'        sa.PrimaryKeyConstraint("id", name="pk_{ITEMS}"),\n    )',
        f'op.create_index("ix_{ITEMS}_name", "{ITEMS}", ["name"])',
    )
    drop = (f'op.drop_index("ix_{ITEMS}_name", table_name="{ITEMS}")', f'op.drop_table("{ITEMS}")')
    batch_up = (
        f'with op.batch_alter_table("{ITEMS}", recreate="always") as batch_op:\n'
        "        batch_op.alter_column(\n"
        '            "name", existing_type=sa.String(length=50), type_=sa.String(length=100),\n'
        "            existing_nullable=False,\n"
        "        )\n"
        '        batch_op.add_column(sa.Column("note", sa.String(length=20), nullable=True))',
    )
    batch_down = (
        f'with op.batch_alter_table("{ITEMS}", recreate="always") as batch_op:\n'
        '        batch_op.drop_column("note")\n'
        "        batch_op.alter_column(\n"
        '            "name", existing_type=sa.String(length=100), type_=sa.String(length=50),\n'
        "            existing_nullable=False,\n"
        "        )",
    )
    r0, r1 = rev_id("batch", 0), rev_id("batch", 1)
    return [
        Revision(r0, (), f"create {ITEMS}", create, drop),
        Revision(r1, (r0,), f"widen {ITEMS}.name and add note, in batch", batch_up, batch_down),
    ]


def fill_items_sql(rows: int) -> str:
    """Fill ``bench_items`` with ``rows`` rows (run by the bench with sqlite3)."""
    return (
        f"INSERT INTO {ITEMS} (id, name, value) "
        f"WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {rows}) "
        "SELECT i, 'item-' || i, i % 1000 FROM c"
    )


def batch_floor_sql(version_table: str, old: str, new: str) -> list[str]:
    """The raw move and copy that the batch revision amounts to on SQLite."""
    return [
        f"CREATE TABLE _{ITEMS}_new (id INTEGER NOT NULL, name VARCHAR(100) NOT NULL, "
        f"value INTEGER NOT NULL, note VARCHAR(20), CONSTRAINT pk_{ITEMS} PRIMARY KEY (id))",
        f"INSERT INTO _{ITEMS}_new (id, name, value) SELECT id, name, value FROM {ITEMS}",
        f"DROP TABLE {ITEMS}",
        f"ALTER TABLE _{ITEMS}_new RENAME TO {ITEMS}",
        f"CREATE INDEX ix_{ITEMS}_name ON {ITEMS} (name)",
        f"UPDATE {version_table} SET version_num='{new}' WHERE version_num = '{old}'",
    ]
