"""SQLite: transactional DDL, and ALTER limited to what SQLite can do in place."""

from __future__ import annotations

from mighub.ddl.impl import DialectImpl


class SQLiteImpl(DialectImpl):
    name = "sqlite"
    transactional_ddl = True
