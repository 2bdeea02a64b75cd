"""``lastmile log`` keeps the call when the server cannot be reached, ``lastmile outbox`` lists and
sends what waits, and ``--attempt`` makes logging the same call twice record it once."""

from __future__ import annotations

import json
import socket
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from lastmile_desktop.cli import main
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember
from tests.calling.desk_data import Person, Region, build_region, uk_mobile
from tests.postgres_server import PostgresServer
from tests.server.tcp_proxy import TcpProxy

AT = "2025-01-13T10:00:00+00:00"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(db, [Person("Ann", uk_mobile(1)), Person("Ben", uk_mobile(2))])


def test_a_call_logged_twice_with_its_own_id_is_recorded_once(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    member, attempt = str(region.members["Ann"]), str(uuid.uuid4())
    args = ("log", member, "N", "--at", AT, "--attempt", attempt, "--db", db_url)

    first = run_json(capsys, *args)
    again = run_json(capsys, *args)
    code, out, _err = run(capsys, *args)

    assert (first["attempt"], first["already_known"], first["queued"]) == (attempt, False, False)
    assert (again["attempt"], again["already_known"], again["version"]) == (
        attempt,
        True,
        first["version"],
    )
    assert code == 0 and out.rstrip().endswith("It was recorded already: nothing changed.")
    code, _out, err = run(
        capsys, "log", member, "B", "--at", AT, "--attempt", attempt, "--db", db_url
    )
    assert code == 1
    assert "A call with this id is recorded already, with another outcome" in err


def test_a_call_for_a_server_out_of_reach_waits_in_the_outbox(
    capsys: pytest.CaptureFixture[str], isolated_data_dir: Path
) -> None:
    server = f"postgresql+psycopg://store_12@127.0.0.1:{closed_port()}/lastmile"
    member = str(uuid.uuid4())

    callback = ("--callback-at", "2025-01-14T17:30:00+00:00")
    kept = run_json(
        capsys, "log", member, "C", "--at", AT, *callback, "--note", "after work", "--db", server
    )
    listed = run_json(capsys, "outbox", "--db", server)
    code, out, err = run(capsys, "outbox", "--send", "--db", server)

    assert (kept["queued"], kept["member"], kept["outcome"], kept["waiting"]) == (
        True,
        member,
        "callback_requested",
        1,
    )
    assert listed["server"].startswith("store_12@127.0.0.1:")
    assert [(o["attempt"], o["member"], o["outcome"]) for o in listed["waiting"]] == [
        (kept["attempt"], member, "callback_requested")
    ]
    assert listed["refused"] == []
    assert code == 1 and out == ""
    assert err.startswith(
        "lastmile: The database server still cannot be reached: Offline: 1 outcome waiting."
    )
    assert (isolated_data_dir / "outbox.sqlite3").exists()


def test_a_call_missing_what_it_needs_is_refused_even_offline(
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = f"postgresql+psycopg://store_12@127.0.0.1:{closed_port()}/lastmile"

    code, _out, err = run(capsys, "log", str(uuid.uuid4()), "C", "--db", server)

    assert code == 1
    assert "Callback requested needs the date and time to call back" in err
    assert run_json(capsys, "outbox", "--db", server)["waiting"] == []


def test_a_database_file_needs_no_outbox(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _out, err = run(capsys, "outbox", "--db", str(tmp_path / "x.sqlite3"))

    assert code == 1
    assert "needs no outbox" in err


@pytest.mark.postgres
def test_what_waited_is_sent_once_the_server_is_back(
    region: Region,
    postgres_server: PostgresServer,
    db: Database,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with TcpProxy(postgres_server.host, postgres_server.port) as proxy:
        url = db.url.set(port=proxy.port).render_as_string(hide_password=False)
        proxy.cut()
        kept = [
            run_json(capsys, "log", str(region.members[name]), "N", "--at", AT, "--db", url)
            for name in ("Ann", "Ben")
        ]
        proxy.restore()
        sent = run_json(capsys, "outbox", "--send", "--db", url)
        again = run_json(capsys, "outbox", "--send", "--db", url)
        listed = run_json(capsys, "outbox", "--db", url)

    assert [k["queued"] for k in kept] == [True, True]
    assert (sent["recorded"], sent["already_known"], sent["refused"], sent["waiting"]) == (
        2,
        0,
        [],
        0,
    )
    assert (again["recorded"], again["waiting"]) == (0, 0)
    assert (listed["waiting"], listed["refused"]) == ([], [])
    with db.read_session() as session:
        recorded = session.execute(
            select(CallAttempt.uuid, CampaignMember.uuid, CallAttempt.outcome).join(
                CampaignMember, CampaignMember.id == CallAttempt.member_id
            )
        ).all()
    assert sorted((str(a), str(m), o) for a, m, o in recorded) == sorted(
        (k["attempt"], k["member"], "no_answer") for k in kept
    )
