"""Custom column types for the round-trip models: generated scripts must import this module."""

from __future__ import annotations

import json
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator


class HexUUID(TypeDecorator[uuid.UUID]):
    """A UUID kept as 32 hexadecimal characters on every database."""

    impl = sa.CHAR(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else uuid.UUID(str(value)).hex

    def process_result_value(self, value: Any, dialect: Any) -> uuid.UUID | None:
        return None if value is None else uuid.UUID(value)


class JSONText(TypeDecorator[Any]):
    """JSON kept as text."""

    impl = sa.Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        return None if value is None else json.dumps(value)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        return None if value is None else json.loads(value)
