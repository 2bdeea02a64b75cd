"""``lastmile queue``, ``log``, ``campaign`` and ``manager`` on the same services as the desk."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from lastmile_desktop.cli import main
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CallAttempt
from tests.calling.desk_data import Person, Region, build_region, uk_mobile


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(
        db,
        [
            Person("Ann", uk_mobile(1), 90_000, date(2024, 11, 2)),
            Person("Ben", uk_mobile(2), 10_000),
            Person("Olu", "+12125550123", 5_000),
        ],
    )


@pytest.fixture
def london_computer(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This computer's clock runs on London time (times typed without a zone are London's)."""
    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def run(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--db", db_url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def run_json(db_url: str, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    code, out, err = run(db_url, capsys, *args, "--json")
    assert code == 0, err
    return json.loads(out)


def attempts(db: Database) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(CallAttempt)) or 0


def test_queue_json_gives_every_entry_with_its_fields(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    queue = run_json(db_url, capsys, "queue", "--at", "2025-01-15T12:00:00+00:00")

    assert (queue["campaign"], queue["at"]) == ("Spring win-back", "2025-01-15T12:00:00+00:00")
    ann, ben = queue["now"]
    assert (ben["name"], ben["why"]) == ("Ben Example", "new")  # less spend: after Ann
    assert set(ann) == {
        "member", "version", "customer_id", "name", "phone", "store", "manager", "attempts",
        "lifetime_spend", "last_purchase", "timezone", "why", "until", "script",
    }  # fmt: skip
    assert (ann["member"], ann["name"], ann["phone"], ann["store"], ann["manager"]) == (
        str(region.members["Ann"]),
        "Ann Example",
        uk_mobile(1),
        "LON",
        "Alice Smith",
    )
    assert (ann["lifetime_spend"], ann["last_purchase"], ann["why"], ann["until"]) == (
        900.0,
        "2024-11-02",
        "new",
        None,
    )
    assert ann["timezone"] == "Europe/London"
    assert ann["script"].startswith("Hello Ann, it's London Camden")
    (olu,) = queue["later"]
    assert (olu["why"], olu["until"], olu["timezone"]) == (
        "outside_calling_hours",
        "2025-01-15T13:00:00+00:00",
        "America/New_York",
    )


def test_queue_at_a_time_without_a_zone_reads_it_as_this_computers_time(
    region: Region,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    london_computer: None,
) -> None:
    # 7 July: London is on summer time (UTC+1). 07:59 London is before calling hours.
    early = run_json(db_url, capsys, "queue", "--at", "2025-07-07T07:59")
    assert early["at"] == "2025-07-07T06:59:00+00:00"
    assert early["now"] == []
    assert {(e["why"], e["until"]) for e in early["later"] if e["store"] == "LON"} >= {
        ("outside_calling_hours", "2025-07-07T07:00:00+00:00")
    }
    on_time = run_json(db_url, capsys, "queue", "--at", "2025-07-07T08:00")
    assert [e["name"] for e in on_time["now"]] == ["Ann Example", "Ben Example"]
    last_minute = run_json(db_url, capsys, "queue", "--at", "2025-07-07T20:59")
    closed = run_json(db_url, capsys, "queue", "--at", "2025-07-07T21:00")
    assert len(last_minute["now"]) == 3  # New York too (15:59 there)
    assert [e["name"] for e in closed["now"]] == ["Olu Example"]


def test_queue_for_a_store_or_manager_and_as_text(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = run_json(db_url, capsys, "queue", "--manager", "Bob Jones", "--at", "2025-01-15T12:00Z")
    assert mine["now"] == [] and mine["later"] == []
    code, out, _ = run(db_url, capsys, "queue", "--store", "LON", "--at", "2025-01-15T12:00Z")
    assert code == 0
    assert "2 to call now, 1 later" in out and "Ann Example" in out


def test_log_json_reports_what_was_saved_and_booked(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    member = str(region.members["Ann"])
    logged = run_json(
        db_url,
        capsys,
        "log", member, "C",
        "--callback-at", "2025-01-16T17:30:00+00:00",
        "--at", "2025-01-15T12:00:00+00:00",
        "--as", "Alice Smith",
        "--expect-version", "2",
        "--note", "at work until five",
    )  # fmt: skip
    assert set(logged) == {
        "queued", "already_known", "attempt", "member", "outcome", "called_at", "status",
        "version", "next_due_at", "scheduled",
    }  # fmt: skip
    assert (logged["queued"], logged["already_known"]) == (False, False)
    assert (logged["member"], logged["outcome"], logged["status"], logged["version"]) == (
        member,
        "callback_requested",
        "in_progress",
        3,
    )
    assert logged["called_at"] == "2025-01-15T12:00:00+00:00"
    assert logged["next_due_at"] == "2025-01-16T17:30:00+00:00"
    assert logged["scheduled"] == {"kind": "callback", "at": "2025-01-16T17:30:00+00:00"}
    code, out, _ = run(db_url, capsys, "log", str(region.members["Ben"]), "no_answer")
    assert code == 0 and out.startswith("Saved no_answer at ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["00000000-0000-4000-8000-000000000000", "N"], "No campaign member has the id"),
        (["not-a-uuid", "N"], "is not a member id"),
        (["{Ann}", "callback_requested"], "needs the date and time"),
        (["{Ann}", "not_interested"], "needs a reason"),
        (["{Ann}", "N", "--expect-version", "1"], "Someone else logged"),
        (["{Ann}", "N", "--at", "yesterday"], "is not a time"),
        (["{Ann}", "N", "--at", "2024-06-01T10:00Z"], "before the campaign started"),
        (["{Ann}", "N", "--as", "Nobody Here"], "No manager is called"),
        (["{Max}", "N"], "finished"),
        (["{Ned}", "N"], "holdout"),
    ],
)
def test_log_refusals_exit_1_with_one_line_and_write_nothing(
    db: Database,
    db_url: str,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    region = build_region(
        db,
        [Person("Ann", uk_mobile(1)), Person("Max", uk_mobile(2)), Person("Ned", uk_mobile(3))],
    )
    code, _, _ = run(
        db_url, capsys, "log", str(region.members["Max"]), "X", "--reason", "moved",
        "--at", "2025-01-10T10:00Z",
    )  # fmt: skip
    assert code == 0
    region.hold_out("Ned")
    before = attempts(db)
    wanted = [arg.format(**{k: str(v) for k, v in region.members.items()}) for arg in args]

    code, out, err = run(db_url, capsys, "log", *wanted)

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and message in err
    assert attempts(db) == before


def test_campaign_set_show_and_list(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = run_json(
        db_url, capsys,
        "campaign", "set", "spring win-back",
        "--calling-hours", "09:30-20:00", "--max-attempts", "4", "--cool-down-hours", "30",
        "--attribution-days", "45", "--start", "2025-01-02", "--holdout-share", "5%",
    )  # fmt: skip
    assert (changed["calling_hours"], changed["max_attempts"], changed["cool_down_hours"]) == (
        "09:30-20:00",
        4,
        30,
    )
    assert (changed["attribution_days"], changed["start"], changed["holdout_share"]) == (
        45,
        "2025-01-02",
        0.05,
    )
    shown = run_json(db_url, capsys, "campaign", "show", "Spring win-back")
    assert shown == changed
    created = run_json(db_url, capsys, "campaign", "set", "Autumn", "--max-attempts", "2")
    assert (created["name"], created["calling_hours"], created["max_attempts"]) == (
        "Autumn",
        "08:00-21:00",
        2,
    )
    names = [c["name"] for c in run_json(db_url, capsys, "campaign", "list")]
    assert sorted(names) == ["Autumn", "Spring win-back"]
    # The new hours decide the queue: 09:00 London is now too early.
    queue = run_json(
        db_url, capsys, "queue", "--campaign", "Spring win-back", "--at", "2025-01-15T09:00Z"
    )
    assert queue["now"] == []


def test_the_holdout_share_is_locked_after_the_first_call(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url, capsys, "log", str(region.members["Ann"]), "B")[0] == 0
    code, _, err = run(
        db_url, capsys, "campaign", "set", "Spring win-back", "--holdout-share", "0.2"
    )
    assert code == 1 and "holdout share" in err
    code, _, err = run(
        db_url, capsys, "campaign", "set", "Spring win-back", "--calling-hours", "9-5"
    )
    assert code == 1 and "08:00-21:00" in err


def test_manager_add_list_and_leave(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    added = run_json(db_url, capsys, "manager", "add", "--store", "lee", "Cara  Diaz")
    assert (added["name"], added["store"], added["active"]) == ("Cara Diaz", "LEE", True)
    listed = run_json(db_url, capsys, "manager", "list")
    assert [(m["name"], m["store"]) for m in listed] == [
        ("Bob Jones", "LEE"),
        ("Cara Diaz", "LEE"),
        ("Alice Smith", "LON"),
    ]
    code, out, _ = run(db_url, capsys, "manager", "leave", "Alice Smith")
    assert code == 0 and "They still own 3 customers to call" in out
    assert [m["name"] for m in run_json(db_url, capsys, "manager", "list")] == [
        m["name"] for m in listed if m["name"] != "Alice Smith"
    ]
    everyone = run_json(db_url, capsys, "manager", "list", "--all")
    assert {m["name"]: m["active"] for m in everyone}["Alice Smith"] is False
    code, _, err = run(db_url, capsys, "manager", "add", "--store", "XYZ", "Dan")
    assert code == 1 and "No store has the code" in err


def test_queue_claim_gives_each_desk_its_own_next_customer_and_release_lets_go(
    region: Region, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def queue(*args: str) -> str:
        code = main(["--db", db_url, "queue", "--at", "2025-01-15T12:00:00+00:00", *args])
        out, err = capsys.readouterr()
        assert code == 0, err
        return out

    first = json.loads(queue("--claim", "till 1", "--json"))
    second = json.loads(queue("--claim", "till 2", "--json"))
    assert (first["desk"], first["claimed"]["name"]) == ("till 1", "Ann Example")
    assert (second["desk"], second["claimed"]["name"]) == ("till 2", "Ben Example")
    assert second["claimed"]["member"] == str(region.members["Ben"])
    # Olu is in New York, where it is 07:00: nobody else can be called now.
    assert queue("--claim", "till 3").startswith("Nobody to call now is free for till 3")

    assert json.loads(queue("--release", "till 1", "--json")) == {"desk": "till 1", "released": 1}
    assert queue("--claim", "till 3").startswith("till 3 holds Ann Example (+4479111")
