"""``lastmile server add-store-login``: a login per store, its password shown once and
working, and what a second run does."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import make_url

from lastmile_desktop.campaigns.server_access import (
    LoginOutcome,
    add_store_login,
    default_login,
)
from lastmile_desktop.cli import main
from lastmile_desktop.errors import UserFacingError
from tests.conftest import run_admin_sql
from tests.postgres_server import PostgresServer
from tests.server.chain import Chain, drop_roles, unique_login

pytestmark = pytest.mark.postgres

PASSWORD_LINE = re.compile(r"^Its password: (\S+)$", re.MULTILINE)


@contextmanager
def passwords_required(server: PostgresServer, login: str) -> Iterator[None]:
    """The test server trusts everyone; for ``login`` it asks for the password (SCRAM)."""
    hba = server.data / "pg_hba.conf"
    trusting = hba.read_text()
    hba.write_text(f"host all {login} {server.host}/32 scram-sha-256\n{trusting}")
    run_admin_sql(server, "SELECT pg_reload_conf()")
    try:
        # The server reads the file again when it gets round to it: until a connection
        # without a password is refused, the old rules still hold.
        for _attempt in range(10_000):
            try:
                connect(server, login, None).close()
            except psycopg.OperationalError:
                break
        else:
            pytest.fail("the server never asked for a password")
        yield
    finally:
        hba.write_text(trusting)
        run_admin_sql(server, "SELECT pg_reload_conf()")


def connect(
    server: PostgresServer, login: str, password: str | None, database: str = "postgres"
) -> psycopg.Connection:
    return psycopg.connect(
        host=server.host, port=server.port, user=login, password=password, dbname=database
    )


def test_a_made_password_is_printed_once_and_lets_the_store_in(
    chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    login = unique_login("LEE")
    command = ["server", "add-store-login", "lee", "--login", login, "--db", chain.owner_url]
    try:
        assert main(command) == 0
        first = capsys.readouterr().out
        assert main(command) == 0
        second = capsys.readouterr().out

        found = PASSWORD_LINE.search(first)
        assert found is not None, first
        password = found[1]
        assert len(password) >= 20
        assert f"Created the login {login} for store LEE" in first
        assert "shown this once" in first
        assert password not in second and "Its password" not in second
        assert "nothing changed" in second
        with passwords_required(chain.server, login):
            with connect(chain.server, login, password) as connection:
                who = connection.execute("SELECT current_user").fetchone()
            with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
                connect(chain.server, login, password + "x")
        assert who == (login,)
    finally:
        drop_roles(chain.server, login)


def test_a_given_password_is_not_printed_and_works(
    chain: Chain, capsys: pytest.CaptureFixture[str]
) -> None:
    login = unique_login("LEE")
    try:
        command = ["server", "add-store-login", "LEE", "--login", login, "--json"]
        password = ["--password", "Shop-door-42-blue", "--db", chain.owner_url]
        assert main(command + password) == 0
        said = json.loads(capsys.readouterr().out)
        assert said == {"login": login, "store": "LEE", "outcome": "created"}
        database = str(make_url(chain.owner_url).database)
        with (
            passwords_required(chain.server, login),
            connect(chain.server, login, "Shop-door-42-blue", database) as connection,
        ):
            store = connection.execute("SELECT lastmile_login_store()").fetchone()
        assert store == (chain.region.stores["LEE"],)
    finally:
        drop_roles(chain.server, login)


def test_a_second_run_changes_the_password_only_when_asked(chain: Chain) -> None:
    login = chain.logins["LON"]
    again = add_store_login(chain.owner_url, "LON", login=login)
    renewed = add_store_login(chain.owner_url, "LON", login=login, new_password_wanted=True)
    given = add_store_login(chain.owner_url, "LON", login=login, password="Another-one-2025")

    assert (again.outcome, again.generated_password) == (LoginOutcome.UNCHANGED, None)
    assert "already the login of store LON" in again.describe()
    assert renewed.outcome is LoginOutcome.PASSWORD_CHANGED
    assert renewed.generated_password is not None
    assert renewed.generated_password in renewed.describe()
    assert (given.outcome, given.generated_password) == (LoginOutcome.PASSWORD_CHANGED, None)


def test_the_default_login_is_store_and_the_code_made_safe(chain: Chain) -> None:
    assert default_login(" Store 12/B ") == "store_store_12_b"
    made = add_store_login(chain.owner_url, "lon")
    try:
        assert (made.login, made.outcome) == ("store_lon", LoginOutcome.CREATED)
    finally:
        drop_roles(chain.server, "store_lon")


def test_a_login_of_another_store_or_another_role_is_refused(chain: Chain) -> None:
    other = f"clerk_{uuid.uuid4().hex[:8]}"
    run_admin_sql(chain.server, f"CREATE ROLE {other} LOGIN")
    try:
        with pytest.raises(UserFacingError, match="already the login of another store"):
            add_store_login(chain.owner_url, "LEE", login=chain.logins["LON"])
        with pytest.raises(UserFacingError, match="not a store's login"):
            add_store_login(chain.owner_url, "LEE", login=other)
        with pytest.raises(UserFacingError, match="not a store's login"):
            add_store_login(chain.owner_url, "LEE", login="postgres")
        with pytest.raises(UserFacingError, match="cannot be a login name"):
            add_store_login(chain.owner_url, "LEE", login="Store LEE; DROP")
        with pytest.raises(UserFacingError, match="at least 12 characters"):
            add_store_login(chain.owner_url, "LEE", login=unique_login("LEE"), password="short")
        with pytest.raises(UserFacingError, match='No store has the code "YRK"'):
            add_store_login(chain.owner_url, "YRK")
    finally:
        drop_roles(chain.server, other)


def test_a_database_not_set_up_says_to_run_init(db_url: str) -> None:
    with pytest.raises(UserFacingError, match="lastmile server init"):
        add_store_login(db_url, "LON")


def test_a_store_login_of_another_database_on_the_server_is_given_this_ones_store(
    chain: Chain,
) -> None:
    login = chain.logins["LEE"]
    database = str(make_url(chain.owner_url).database)
    run_admin_sql(chain.server, "DELETE FROM store_logins", database=database)  # as elsewhere

    mapped = add_store_login(chain.owner_url, "LEE", login=login)

    assert (mapped.outcome, mapped.generated_password) == (LoginOutcome.MAPPED, None)
    assert "now works for store LEE" in mapped.describe()
    with chain.sql_as("LEE") as sql:
        assert sql.execute("SELECT lastmile_login_store()").fetchone() == (
            chain.region.stores["LEE"],
        )
