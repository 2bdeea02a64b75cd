"""A small chain on the test run's PostgreSQL server: the desk region of tests/calling (stores
LON with Alice and LEE with Bob), set up with ``lastmile server init`` and one login per store.

Logins are roles of the whole server, shared by every test database of the run: each chain
gets logins of its own (a random suffix) and drops them when the test ends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from sqlalchemy import make_url

from lastmile_desktop.campaigns.server_access import add_store_login, set_up_server
from lastmile_desktop.storage import Database, open_database
from tests.calling.desk_data import Person, Region, build_region, uk_mobile
from tests.conftest import run_admin_sql
from tests.postgres_server import PostgresServer

PEOPLE = [
    Person("Ann", uk_mobile(1)),
    Person("Ben", uk_mobile(2)),
    Person("Zed", uk_mobile(9), store="LEE"),
    Person("Yas", uk_mobile(8), store="LEE"),
]


@dataclass
class Chain:
    server: PostgresServer
    owner_url: str  # the superuser's
    region: Region  # opened with the owner's login
    logins: dict[str, str]  # store code -> its login
    opened: list[Database] = field(default_factory=list)

    def url(self, login: str) -> str:
        return make_url(self.owner_url).set(username=login).render_as_string(hide_password=False)

    def store_url(self, code: str) -> str:
        return self.url(self.logins[code])

    def open_as(self, code: str) -> Database:
        """The app's database as a store's PC opens it: with the store's login."""
        db, _ = open_database(self.store_url(code))
        self.opened.append(db)
        return db

    @contextmanager
    def sql_as(self, code: str) -> Iterator[psycopg.Connection[Any]]:
        """A plain connection with the store's login, in autocommit: SQL, not the app."""
        database = make_url(self.owner_url).database
        with psycopg.connect(
            host=self.server.host,
            port=self.server.port,
            user=self.logins[code],
            dbname=database,
            autocommit=True,
        ) as connection:
            yield connection

    def close(self) -> None:
        for db in self.opened:
            db.dispose()


def unique_login(code: str) -> str:
    return f"store_{code.lower()}_{uuid.uuid4().hex[:8]}"


def drop_roles(server: PostgresServer, *roles: str) -> None:
    for role in roles:
        run_admin_sql(server, f'DROP ROLE IF EXISTS "{role}"')


@contextmanager
def chain_on(server: PostgresServer, db: Database, db_url: str) -> Iterator[Chain]:
    region = build_region(db, PEOPLE)
    set_up_server(db_url)
    logins = {
        code: add_store_login(db_url, code, login=unique_login(code)).login
        for code in region.stores
    }
    chain = Chain(server, db_url, region, logins)
    try:
        yield chain
    finally:
        chain.close()
        drop_roles(server, *logins.values())
