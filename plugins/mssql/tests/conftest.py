"""SQL Server without a server: what the plugin emits, online and offline, and a T-SQL parser.

No SQL Server can run where mighub is developed, so these tests prove the
plugin by the SQL it emits:

- **offline**: operations write a script for the ``mssql`` dialect, as
  ``mighub upgrade --sql`` does;
- **online**: operations run on a real SQLAlchemy ``Connection`` of the
  ``mssql+pyodbc`` dialect whose DBAPI module is a stand-in (pyodbc is
  absent): SQLAlchemy compiles and executes as it would against a server,
  and the stand-in records what reaches the cursor. It answers only the
  queries SQLAlchemy asks when it connects, and whatever a test scripts;
- every statement is parsed as T-SQL by sqlglot, an independent parser
  (:func:`assert_tsql`), including the statements that dynamic T-SQL builds.
"""

from __future__ import annotations

import io
import re
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import mighub_mssql.plugin
import pytest
import sqlalchemy as sa
import sqlglot
from mighub_mssql.impl import MSSQLImpl
from sqlglot import exp

from mighub.host import PluginHost
from mighub.operations import Operations, use

# ---------------------------------------------------------------------------
# A DBAPI module that records statements instead of reaching a server
# ---------------------------------------------------------------------------

Answer = list[tuple[Any, ...]] | Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]] | None]

CONNECT_ANSWERS: list[tuple[str, Answer]] = [
    (r"SERVERPROPERTY\('ProductVersion'\)", [("16.0.1000.6",)]),
    (r"^SELECT schema_name\(\)$", [("dbo",)]),
    (r"test max support", [("test max support",)]),
    (r"FROM sys\.system_views", [("dm_exec_sessions",)]),
    (r"transaction_isolation_level", [("READ COMMITTED",)]),
]
"""What SQLAlchemy asks when it connects: SQL Server 2022, schema dbo, READ COMMITTED."""


@dataclass
class FakeServer:
    """Records every statement a cursor is given; answers queries from a script of answers."""

    statements: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    answers: list[tuple[str, Answer]] = field(default_factory=lambda: list(CONNECT_ANSWERS))
    connections: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    """(pattern, message): statements the server rejects with a ProgrammingError."""

    def answer(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]] | None:
        for pattern, rows in self.answers:
            if re.search(pattern, sql, re.S):
                return rows(sql, params) if callable(rows) else rows
        if sql.lstrip().upper().startswith("SELECT"):
            return []
        return None

    def sql(self) -> list[str]:
        """The statements, without the transaction markers, laid out as offline scripts are.

        SQLAlchemy sends ``CREATE TABLE`` with a tab before each column and
        some statements with a leading newline; offline scripts indent with
        four spaces and trim. Only that whitespace differs.
        """
        return [
            s.strip().replace(", \n\t", ",\n    ").replace("(\n\t", "(\n    ")
            for s, _ in self.statements
            if not s.startswith("<")
        ]

    def module(self) -> types.ModuleType:
        server = self
        module = types.ModuleType("pyodbc_stand_in")
        module.paramstyle = "qmark"  # type: ignore[attr-defined]
        module.apilevel = "2.0"  # type: ignore[attr-defined]
        module.threadsafety = 1  # type: ignore[attr-defined]
        module.version = "5.1.0"  # type: ignore[attr-defined]

        class Error(Exception):
            pass

        module.Warning = type("Warning", (Exception,), {})  # type: ignore[attr-defined]
        module.Error = Error  # type: ignore[attr-defined]
        module.InterfaceError = type("InterfaceError", (Error,), {})  # type: ignore[attr-defined]
        database_error = type("DatabaseError", (Error,), {})
        module.DatabaseError = database_error  # type: ignore[attr-defined]
        for name in (
            "DataError",
            "OperationalError",
            "IntegrityError",
            "InternalError",
            "ProgrammingError",
            "NotSupportedError",
        ):
            setattr(module, name, type(name, (database_error,), {}))
        module.SQL_VARCHAR = 12  # type: ignore[attr-defined]
        module.SQL_WVARCHAR = -9  # type: ignore[attr-defined]
        module.SQL_DBMS_VER = 18  # type: ignore[attr-defined]
        for name in ("STRING", "NUMBER", "DATETIME", "BINARY", "ROWID"):  # DBAPI type objects
            setattr(module, name, name)
        module.Binary = bytes  # type: ignore[attr-defined]
        module.BinaryNull = object()  # type: ignore[attr-defined]

        class Cursor:
            def __init__(self) -> None:
                self.description: list[tuple[Any, ...]] | None = None
                self.rowcount = -1
                self._rows: list[tuple[Any, ...]] = []

            def execute(self, sql: str, *args: Any) -> Cursor:
                params = (
                    tuple(args[0])
                    if len(args) == 1 and isinstance(args[0], (list, tuple))
                    else args
                )
                server.statements.append((sql, params))
                for pattern, message in server.failures:
                    if re.search(pattern, sql, re.S):
                        raise module.ProgrammingError(message)  # type: ignore[attr-defined]
                rows = server.answer(sql, params)
                if rows is None:
                    self.description, self._rows, self.rowcount = None, [], 1
                else:
                    width = len(rows[0]) if rows else 1
                    self.description = [
                        (f"c{i}", None, None, None, None, None, None) for i in range(width)
                    ]
                    self._rows, self.rowcount = list(rows), len(rows)
                return self

            def executemany(self, sql: str, seq: list[Any]) -> None:
                for params in seq:
                    self.execute(sql, params)

            def fetchone(self) -> tuple[Any, ...] | None:
                return self._rows.pop(0) if self._rows else None

            def fetchall(self) -> list[tuple[Any, ...]]:
                rows, self._rows = self._rows, []
                return rows

            def fetchmany(self, size: int = 1) -> list[tuple[Any, ...]]:
                rows, self._rows = self._rows[:size], self._rows[size:]
                return rows

            def nextset(self) -> bool:
                return False

            def setinputsizes(self, sizes: Any) -> None:
                pass

            def close(self) -> None:
                pass

        class Connection:
            autocommit = False

            def cursor(self) -> Cursor:
                return Cursor()

            def commit(self) -> None:
                server.statements.append(("<commit>", ()))

            def rollback(self) -> None:
                server.statements.append(("<rollback>", ()))

            def close(self) -> None:
                pass

            def add_output_converter(self, *args: Any) -> None:
                pass

            def getinfo(self, key: int) -> str:
                return "16.00.1000"

        def connect(*args: Any, **kwargs: Any) -> Connection:
            server.connections += 1
            return Connection()

        module.Cursor = Cursor  # type: ignore[attr-defined]
        module.connect = connect  # type: ignore[attr-defined]
        return module

    def engine(self) -> sa.Engine:
        return sa.create_engine(
            "mssql+pyodbc://mighub@sqlserver/app?driver=ODBC+Driver+18+for+SQL+Server",
            module=self.module(),
            poolclass=sa.pool.NullPool,
        )


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def connection(server: FakeServer) -> Iterator[sa.Connection]:
    """A connection of SQLAlchemy's mssql+pyodbc dialect; what it executes lands in ``server``."""
    engine = server.engine()
    with engine.connect() as conn:
        server.statements.clear()  # what SQLAlchemy asked while connecting
        yield conn
    engine.dispose()


# ---------------------------------------------------------------------------
# Running operations
# ---------------------------------------------------------------------------


def plugin_host() -> PluginHost:
    """The builtin plugins plus this one, as the CLI loads them."""
    host = PluginHost()
    host.load_builtins()
    host.register(mighub_mssql.plugin, "mssql", source="entry point")
    host.check_healthy()
    return host


@pytest.fixture
def host() -> PluginHost:
    return plugin_host()


def offline_script(fn: Callable[[], Any], **options: Any) -> str:
    """The script ``fn``'s operations write; ``options`` as ``context.configure()`` passes them."""
    from sqlalchemy.dialects import mssql

    host = plugin_host()
    buffer = io.StringIO()
    impl = MSSQLImpl(mssql.dialect(paramstyle="named"), as_sql=True, output=buffer, options=options)
    with use(Operations(impl, registry=host.operations)):
        fn()
    return buffer.getvalue()


def script_statements(script: str, separator: str | None = "GO") -> list[str]:
    """The statements of an offline script, checked to be ``;``-ended and each followed by GO."""
    chunks = [c for c in script.split("\n\n") if c.strip()]
    statements = []
    for i, chunk in enumerate(chunks):
        if separator and i % 2 == 1:
            assert chunk == separator, f"expected {separator} after {chunks[i - 1]!r}"
            continue
        assert chunk.endswith(";"), chunk
        statements.append(chunk[:-1])
    return statements


def online_statements(
    connection: sa.Connection, server: FakeServer, fn: Callable[[], Any], **options: Any
) -> list[str]:
    """What ``fn``'s operations send to the cursor on a SQL Server connection."""
    impl = MSSQLImpl(connection.dialect, connection, options=options)
    server.statements.clear()
    with use(Operations(impl, registry=plugin_host().operations)):
        fn()
    return server.sql()


@pytest.fixture
def emitted(connection: sa.Connection, server: FakeServer) -> Callable[..., list[str]]:
    """Run ``fn`` offline and online; both must emit the same statements, each valid T-SQL.

    Returns the statements, for the test to compare with what it expects.
    """

    def run(fn: Callable[[], Any]) -> list[str]:
        offline = script_statements(offline_script(fn))
        online = online_statements(connection, server, fn)
        assert online == offline
        for statement in offline:
            assert_tsql(statement)
        return offline

    return run


# ---------------------------------------------------------------------------
# T-SQL, checked by an independent parser
# ---------------------------------------------------------------------------


def _parse(sql: str) -> exp.Expression:
    return sqlglot.parse_one(sql, read="tsql", error_level=sqlglot.ErrorLevel.RAISE)


def _check_identifier(text: str) -> None:
    """A (possibly qualified, possibly bracketed) name: must parse as a table reference."""
    parsed = _parse(f"SELECT 1 FROM {text}")
    assert isinstance(parsed.args["from_"].this, exp.Table), text


def _check_expression(text: str) -> None:
    _parse(f"SELECT {text}")


# The few T-SQL forms sqlglot does not model and keeps as an opaque Command:
# each is matched to its grammar here, and its parts are parsed one by one.
_PART = r"(?:\[(?:[^\]]|\]\])+\]|[^\s.\[\]]+)"
_NAME = rf"{_PART}(?:\.{_PART})*"
_COMMAND_FORMS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], None]]] = [
    (
        re.compile(
            rf"ALTER TABLE (?P<table>{_NAME}) ADD (?:CONSTRAINT (?P<name>{_PART}) )?"
            rf"DEFAULT (?P<default>.+) FOR (?P<column>{_PART})",
            re.S,
        ),
        lambda m: (
            _check_identifier(m["table"]),
            m["name"] and _check_identifier(m["name"]),
            _check_expression(m["default"]),
            _check_identifier(m["column"]),
        ),
    ),
    (
        re.compile(rf"SET IDENTITY_INSERT (?P<table>{_NAME}) (?:ON|OFF)"),
        lambda m: _check_identifier(m["table"]),
    ),
]


def _dynamic_sql(value: exp.Expression) -> str | None:
    """The text a string concatenation builds, with sample values for the catalog columns.

    ``QUOTENAME(name)`` becomes a constraint name and ``definition`` a default
    as ``sys.default_constraints`` stores it; the variable being appended to
    starts empty. Returns ``None`` when ``value`` is not such a concatenation.
    """
    if isinstance(value, exp.National):
        return value.name
    if isinstance(value, exp.Anonymous) and value.name.upper() == "QUOTENAME":
        return "[DF__account__name__4F7CR4CK]"
    if isinstance(value, exp.Column) and value.name == "definition":
        return "((0))"
    if isinstance(value, exp.Parameter):
        return ""
    if isinstance(value, exp.Add):
        left, right = _dynamic_sql(value.this), _dynamic_sql(value.expression)
        if left is None or right is None:
            return None
        return left + right
    return None


def assert_tsql(sql: str) -> list[exp.Expression]:
    """Parse ``sql`` (one batch: one or more statements) as T-SQL, or fail the test.

    Statements that sqlglot keeps as an opaque ``Command`` must be one of the
    forms it does not model, and their parts must parse. The statements that
    dynamic T-SQL builds (``SELECT @v = N'ALTER TABLE ...' + QUOTENAME(name)``)
    are built with sample values and checked the same way.
    """
    expressions = [
        e
        for e in sqlglot.parse(sql, read="tsql", error_level=sqlglot.ErrorLevel.RAISE)
        if e is not None
    ]
    assert expressions, sql
    for expression in expressions:
        if isinstance(expression, exp.Command):
            text = expression.sql(dialect="tsql", comments=False)
            for pattern, check in _COMMAND_FORMS:
                match = pattern.fullmatch(text)
                if match:
                    check(match)
                    break
            else:
                raise AssertionError(f"sqlglot cannot parse this as T-SQL: {text}")
        for assignment in expression.find_all(exp.EQ):
            if isinstance(assignment.this, exp.Parameter) and isinstance(expression, exp.Select):
                built = _dynamic_sql(assignment.expression)
                if built and built.strip().upper().startswith("ALTER TABLE"):
                    for statement in filter(None, (s.strip() for s in built.split(";"))):
                        assert_tsql(statement)
    return expressions


# The helpers as fixtures: test modules cannot import conftest under --import-mode=importlib.


@pytest.fixture
def tsql() -> Callable[[str], list[exp.Expression]]:
    return assert_tsql


@pytest.fixture
def offline() -> Callable[..., str]:
    return offline_script


@pytest.fixture
def split() -> Callable[..., list[str]]:
    return script_statements


@pytest.fixture
def online(connection: sa.Connection, server: FakeServer) -> Callable[..., list[str]]:
    def run(fn: Callable[[], Any], **options: Any) -> list[str]:
        return online_statements(connection, server, fn, **options)

    return run
