"""``lastmile forget``: a privacy request handled from the command line."""

from __future__ import annotations

import io
import json
import sqlite3

import pytest
from sqlalchemy import make_url, select

from lastmile_desktop.cli import main
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting
from lastmile_desktop.storage import database as database_module
from lastmile_desktop.storage import open_database
from lastmile_desktop.storage.models import Customer
from tests.campaigns import campaign_data


class Terminal(io.StringIO):
    """Standard input as a person at a terminal types it."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def db_file(db_url: str) -> str:
    """The URL of a database for the commands (``--db``), with its region set."""
    db, _ = open_database(db_url)
    with db.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, "GB")
        store = campaign_data.add_store(session, "12")
        campaign = campaign_data.add_campaign(session)
        for external_id, first, phone in (
            ("HO-1042", "Zebedee", "+447400100123"),
            ("HO-2001", "Olive", "+447400100999"),
        ):
            customer = campaign_data.add_customer(
                session, external_id=external_id, first_name=first, phone=phone
            )
            member = campaign_data.add_member(session, campaign, customer, store_id=store)
            campaign_data.add_attempt(session, member, note=f"{first} said call back")
    db.dispose()
    return db_url


def lastmile(db_file: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", db_file, "forget", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def first_names(db_file: str) -> list[str | None]:
    db, _ = open_database(db_file)
    try:
        with db.read_session() as session:
            return list(session.scalars(select(Customer.first_name).order_by(Customer.id)))
    finally:
        db.dispose()


def test_forget_by_id_with_yes_erases_and_reports_it_as_json(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = lastmile(db_file, capsys, "--customer-id", "ho-1042", "--yes", "--json")

    assert (code, err) == (0, "")
    payload = json.loads(out)
    assert payload["erasure_complete"] is True
    assert payload["already_forgotten"] == []
    (erased,) = payload["erased"]
    assert erased["external_id"] == "HO-1042"
    assert (erased["attempts_kept"], erased["attempt_notes_erased"]) == (1, 1)
    assert first_names(db_file) == [None, "Olive"]


def test_forget_by_phone_written_the_national_way_says_what_was_erased_and_kept(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = lastmile(db_file, capsys, "--phone", "07400 100123", "--yes")

    assert code == 0
    assert out.startswith("Erased the personal data of Zebedee Example (id HO-1042, +447400100123)")
    assert "Kept so they are not called again: their head-office id." in out
    assert first_names(db_file) == [None, "Olive"]


def test_forget_asks_at_a_terminal_and_erases_only_after_the_word_is_typed(
    db_file: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    code, _, err = lastmile(db_file, capsys, "--customer-id", "HO-1042")
    assert code == 1
    assert "Zebedee Example (id HO-1042, +447400100123)" in err
    assert err.endswith("lastmile: Nothing was erased.\n")
    assert first_names(db_file) == ["Zebedee", "Olive"]

    monkeypatch.setattr("sys.stdin", Terminal("FORGET\n"))
    code, out, _ = lastmile(db_file, capsys, "--customer-id", "HO-1042")
    assert code == 0
    assert "Erased the personal data of Zebedee" in out
    assert first_names(db_file) == [None, "Olive"]


def test_forget_without_a_terminal_and_without_yes_refuses_in_one_line(
    db_file: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("FORGET\n"))
    code, out, err = lastmile(db_file, capsys, "--customer-id", "HO-1042")
    assert (code, out) == (1, "")
    assert err == (
        "lastmile: Forgetting a customer cannot be undone: add --yes to confirm (there is no "
        "terminal here to ask on).\n"
    )
    assert first_names(db_file) == ["Zebedee", "Olive"]


def test_forget_of_someone_unknown_or_already_forgotten_says_so(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = lastmile(db_file, capsys, "--customer-id", "HO-9999", "--yes", "--json")
    assert code == 1
    assert json.loads(out)["error"].startswith("No customer has the id HO-9999.")
    assert err.count("\n") == 1

    assert lastmile(db_file, capsys, "--customer-id", "HO-1042", "--yes")[0] == 0
    code, out, _ = lastmile(db_file, capsys, "--customer-id", "HO-1042", "--yes")
    assert code == 0
    assert out.startswith("Customer 1 was already forgotten on ")


@pytest.mark.sqlite_only
def test_forget_while_another_program_reads_reports_the_erasure_as_not_yet_complete(
    db_file: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "CLOSE_WAIT_MS", 0)
    reader = sqlite3.connect(str(make_url(db_file).database), isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM customers").fetchone()
    try:
        code, out, _ = lastmile(db_file, capsys, "--customer-id", "HO-1042", "--yes", "--json")
        assert code == 0
        assert json.loads(out)["erasure_complete"] is False
        code, out, _ = lastmile(db_file, capsys, "--customer-id", "HO-2001", "--yes")
        assert "Another window or program is reading the database" in out
    finally:
        reader.close()
