"""The throwaway PostgreSQL server the PostgreSQL runs use: each test gets its own database."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from lastmile_desktop.storage import Database

pytestmark = pytest.mark.postgres


def test_each_test_database_starts_migrated_and_empty(db: Database) -> None:
    with db.read_session() as session:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        customers = session.execute(text("SELECT count(*) FROM customers")).scalar_one()
    assert db.url.get_backend_name() == "postgresql"
    assert revision.isdigit()
    assert customers == 0
