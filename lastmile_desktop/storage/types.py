"""Column types shared by the models."""

from __future__ import annotations

import uuid as uuid_module
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Stores timezone-aware datetimes as naive UTC; always hands back aware UTC.

    SQLite has no time zone type, so the rule "the database holds UTC" is kept here,
    in one place, for every dialect.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone first")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC)


class UUIDString(TypeDecorator[uuid_module.UUID]):
    """A UUID kept as 36-character text, readable in any database browser."""

    impl = String(36)
    cache_ok = True

    def process_bind_param(
        self, value: uuid_module.UUID | str | None, dialect: Dialect
    ) -> str | None:
        if value is None:
            return None
        return str(value if isinstance(value, uuid_module.UUID) else uuid_module.UUID(value))

    def process_result_value(self, value: Any, dialect: Dialect) -> uuid_module.UUID | None:
        if value is None:
            return None
        return uuid_module.UUID(str(value))


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_uuid() -> uuid_module.UUID:
    return uuid_module.uuid4()
