"""How mighub speaks MariaDB/MySQL."""

from __future__ import annotations

from mighub.ddl.impl import DialectImpl


class MySQLImpl(DialectImpl):
    name = "mysql"
    transactional_ddl = False
