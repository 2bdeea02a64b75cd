"""The chain every server test works on (see chain.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lastmile_desktop.storage import Database
from tests.postgres_server import PostgresServer
from tests.server.chain import Chain, chain_on


@pytest.fixture
def chain(postgres_server: PostgresServer, db: Database, db_url: str) -> Iterator[Chain]:
    with chain_on(postgres_server, db, db_url) as built:
        yield built
