"""Alembic environment: runs on the connection the app hands over (see storage.migrate)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from lastmile_desktop.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations run through lastmile_desktop.storage.migrate only")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
