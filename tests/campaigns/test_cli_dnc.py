from __future__ import annotations

import json
from pathlib import Path

import pytest

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.do_not_call import list_entries
from lastmile_desktop.cli import main
from lastmile_desktop.data_settings import DEFAULT_REGION_KEY, set_setting
from lastmile_desktop.storage import open_database
from lastmile_desktop.storage.models import CampaignMember, MemberStatus
from tests.campaigns import campaign_data


@pytest.fixture
def db_file(db_url: str) -> str:
    """The URL of a database for the commands (``--db``), with its region set."""
    db, _ = open_database(db_url)
    with db.session() as session:
        set_setting(session, DEFAULT_REGION_KEY, "GB")
    db.dispose()
    return db_url


def run(db_file: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", db_file, "dnc", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_then_list_shows_the_entry_as_a_table_and_as_json(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(db_file, capsys, "add", "--phone", "07911 123456", "--reason", "asked")
    assert code == 0
    assert "Added +447911123456 to the do-not-call list" in out

    code, out, _ = run(db_file, capsys, "list")
    assert code == 0
    header, row = out.strip().splitlines()
    assert header.split() == ["ID", "Phone", "Customer", "id", "Added", "By", "Reason"]
    assert "+447911123456" in row and row.endswith("asked")

    code, out, _ = run(db_file, capsys, "list", "--json")
    entries = json.loads(out)
    assert [(e["phone"], e["reason"], e["active"]) for e in entries] == [
        ("+447911123456", "asked", True)
    ]
    assert entries[0]["added_by"] == "Regional lead (command line)"


def test_adding_suppresses_members_and_says_how_many(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    db, _ = open_database(db_file)
    with db.session() as session:
        campaign = campaign_data.add_campaign(session)
        customer = campaign_data.add_customer(session, external_id="HO-1")
        member = campaign_data.add_member(session, campaign, customer)
    db.dispose()

    code, out, _ = run(db_file, capsys, "add", "--customer-id", "HO-1", "--json")

    assert code == 0
    assert json.loads(out)["members_suppressed"] == 1
    db, _ = open_database(db_file)
    with db.read_session() as session:
        row = session.get(CampaignMember, member)
        assert row is not None and row.status == MemberStatus.SUPPRESSED
    db.dispose()


def test_remove_needs_a_reason(db_file: str, capsys: pytest.CaptureFixture[str]) -> None:
    run(db_file, capsys, "add", "--phone", "07911 123456")
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", db_file, "dnc", "remove", "--phone", "07911 123456"])
    assert exit_info.value.code == 2
    assert "--reason" in capsys.readouterr().err

    code, _, err = run(db_file, capsys, "remove", "--phone", "07911123456", "--reason", " ")
    assert code == 1
    assert err.startswith("lastmile: Give a reason")


def test_remove_by_phone_keeps_the_entry_with_its_reason(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(db_file, capsys, "add", "--phone", "07911 123456")
    code, out, _ = run(
        db_file, capsys, "remove", "--phone", "+44 7911 123456", "--reason", "added by mistake"
    )
    assert code == 0
    assert "Removed +447911123456" in out

    code, out, _ = run(db_file, capsys, "list")
    assert "empty" in out
    code, out, _ = run(db_file, capsys, "list", "--all", "--json")
    (entry,) = json.loads(out)
    assert (entry["active"], entry["removed_reason"]) == (False, "added by mistake")


def test_removing_something_not_listed_fails_with_a_message(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(db_file, capsys, "remove", "--id", "41", "--reason", "x")
    assert code == 1
    assert "Entry 41 is not on the do-not-call list" in err


NONSENSE_REFUSED = (
    '"nonsense" is not a valid GB phone number: check the digits, or write it with its '
    "country code (+44 for GB)."
)


def test_import_prints_the_counts_and_the_rejected_rows(
    db_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "optouts.csv"
    source.write_text("phone,reason\n07911 123456,STOP\nnonsense,\n", encoding="utf-8")

    code, out, _ = run(db_file, capsys, "import", str(source))

    assert code == 0
    assert out.splitlines()[0].startswith(
        "optouts.csv: 2 rows read, 1 added, 0 already listed, 1 rejected"
    )
    assert out.splitlines()[1] == f"  row 3: {NONSENSE_REFUSED}"

    code, out, _ = run(db_file, capsys, "import", str(source), "--json")
    counts = json.loads(out)
    assert (counts["added"], counts["already_listed"], counts["rejected"]) == (0, 1, 1)
    assert counts["problems"] == [{"row": 3, "reason": NONSENSE_REFUSED}]
    db, _ = open_database(db_file)
    assert [e.phone for e in list_entries(db, Profile.lead())] == ["+447911123456"]
    db.dispose()


def test_importing_a_missing_file_fails_with_a_message(
    db_file: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(db_file, capsys, "import", str(tmp_path / "nope.csv"))
    assert code == 1
    assert "nope.csv was not found" in err


def test_adding_a_number_that_is_not_valid_prints_one_line_and_stores_nothing(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(db_file, capsys, "add", "--phone", "7829 80572")

    assert code == 1
    assert out == ""
    assert err == (
        'lastmile: "7829 80572" is not a valid GB phone number: check the digits, or write it '
        "with its country code (+44 for GB).\n"
    )
    db, _ = open_database(db_file)
    assert list_entries(db, Profile.lead(), include_removed=True) == []
    db.dispose()


def test_adding_an_id_in_another_case_says_it_is_already_listed(
    db_file: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(db_file, capsys, "add", "--customer-id", "q3-00041")

    code, out, _ = run(db_file, capsys, "add", "--customer-id", "Q3-00041")

    assert code == 0
    assert out == "customer q3-00041 was already on the do-not-call list (entry 1).\n"
