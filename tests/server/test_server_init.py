"""``lastmile server init``: on an empty server, on one already set up, and who may run it."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import make_url

from lastmile_desktop.campaigns.server_access import set_up_server
from lastmile_desktop.cli import main
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.storage.server_roles import LEAD_ROLE, STORE_ROLE
from tests.conftest import run_admin_sql
from tests.postgres_server import PostgresServer
from tests.server.chain import drop_roles

pytestmark = pytest.mark.postgres

ACCESS_STATE = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       coalesce(array_to_string(c.relacl, ','), ''),
       (SELECT string_agg(p.polname || ':' || pg_get_expr(p.polqual, p.polrelid, true), ';'
                          ORDER BY p.polname)
        FROM pg_policy p WHERE p.polrelid = c.oid)
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
ORDER BY c.relname
"""


@pytest.fixture
def empty_database(postgres_server: PostgresServer) -> Iterator[str]:
    name = f"empty_{uuid.uuid4().hex[:12]}"
    run_admin_sql(postgres_server, f"CREATE DATABASE {name}")
    yield postgres_server.url(name).render_as_string(hide_password=False)
    run_admin_sql(postgres_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def access_state(server: PostgresServer, url: str) -> list[tuple[object, ...]]:
    database = make_url(url).database
    with psycopg.connect(
        host=server.host, port=server.port, user="postgres", dbname=database
    ) as connection:
        return list(connection.execute(ACCESS_STATE).fetchall())


def test_init_on_an_empty_server_creates_the_schema_the_roles_and_the_rules(
    postgres_server: PostgresServer, empty_database: str
) -> None:
    setup = set_up_server(empty_database)

    assert setup.changed and setup.schema_changed and setup.rules_installed
    assert setup.schema == "A new database was created."
    assert setup.tables_without_rule == []
    state = {row[0]: row for row in access_state(postgres_server, empty_database)}
    assert {"customers", "call_attempts", "store_logins"} <= set(state)
    for table in ("customers", "campaign_members", "call_attempts", "purchases", "do_not_call"):
        _name, enabled, forced, grants, policies = state[table]
        assert (enabled, forced) == (True, True), table
        assert f"{STORE_ROLE}=r" in str(grants) or f"{STORE_ROLE}=ar" in str(grants), table
        assert "lastmile_store_read:" in str(policies), table
    assert "lastmile_store_read" not in str(state["rejected_rows"][4])
    with psycopg.connect(
        host=postgres_server.host, port=postgres_server.port, user="postgres", dbname="postgres"
    ) as connection:
        roles = connection.execute(
            "SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname LIKE 'lastmile%%' "
            "ORDER BY rolname"
        ).fetchall()
    assert roles == [(LEAD_ROLE, False), (STORE_ROLE, False)]


def test_init_again_changes_nothing_and_says_so(
    postgres_server: PostgresServer, empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["server", "init", empty_database, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    before = access_state(postgres_server, empty_database)

    assert main(["server", "init", empty_database]) == 0
    said = capsys.readouterr().out
    assert main(["server", "init", empty_database, "--json"]) == 0
    again = json.loads(capsys.readouterr().out)

    assert first["changed"] is True and first["rules_installed"] is True
    assert "already set up for a chain: nothing changed" in said
    assert (again["changed"], again["schema_changed"], again["rules_installed"]) == (
        False,
        False,
        False,
    )
    assert access_state(postgres_server, empty_database) == before


def test_an_owner_who_is_not_a_superuser_sets_up_and_still_sees_everything(
    postgres_server: PostgresServer,
) -> None:
    owner = f"owner_{uuid.uuid4().hex[:8]}"
    database = f"owned_{uuid.uuid4().hex[:8]}"
    run_admin_sql(
        postgres_server,
        f"CREATE ROLE {owner} LOGIN CREATEROLE",
        f"CREATE DATABASE {database} OWNER {owner}",
    )
    url = postgres_server.url(database, user=owner).render_as_string(hide_password=False)
    try:
        setup = set_up_server(url)
        with psycopg.connect(
            host=postgres_server.host, port=postgres_server.port, user=owner, dbname=database
        ) as connection:
            connection.execute(
                "INSERT INTO stores (code, name, created_at) VALUES ('12', 'Leeds', now())"
            )
            # The tables are forced: the owner reads them as a lead, through the policies.
            stores = connection.execute("SELECT code FROM stores").fetchall()
        assert setup.owner_made_lead == owner
        assert stores == [("12",)]
        assert not set_up_server(url).changed
    finally:
        run_admin_sql(postgres_server, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        drop_roles(postgres_server, owner)


def test_a_login_that_may_not_create_roles_is_told_whose_to_use(
    postgres_server: PostgresServer, empty_database: str
) -> None:
    login = f"clerk_{uuid.uuid4().hex[:8]}"
    run_admin_sql(postgres_server, f"CREATE ROLE {login} LOGIN")
    try:
        url = make_url(empty_database).set(username=login)
        with pytest.raises(UserFacingError, match=f"{login} may not create roles"):
            set_up_server(url)
    finally:
        drop_roles(postgres_server, login)


def test_a_database_file_is_not_a_server(tmp_path_factory: pytest.TempPathFactory) -> None:
    path = tmp_path_factory.mktemp("file") / "local.sqlite3"
    with pytest.raises(UserFacingError, match="works on a PostgreSQL server"):
        set_up_server(f"sqlite:///{path}")
    assert not path.exists()
