from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from lastmile_desktop.calling.life import CALLBACK_GRACE
from lastmile_desktop.calling.outcomes import NOT_INTERESTED_REASONS, OUTCOMES, reached_codes
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import ownership_history
from lastmile_desktop.campaigns.holdout import draw_key, holdout_target
from lastmile_desktop.cli import main
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.errors import Cancelled, UserFacingError
from lastmile_desktop.settings import demo_db_path, to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    DoNotCall,
    Manager,
    MemberGroup,
    MemberStatus,
    Purchase,
    ScriptVersion,
    Store,
)
from lastmile_desktop.ui import application
from lastmile_desktop.ui.application import Controller
from tests.conftest import fresh_database_url

TODAY = date(2025, 3, 12)  # a Wednesday; fixed so runs compare equal
CUSTOMERS = 1500


def fresh_database(path: Path) -> Database:
    db, _ = open_database(to_url(path))
    return db


@pytest.fixture(scope="module")
def demo_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """One demo region shared by the read-only checks of its shape."""
    db, _ = open_database(fresh_database_url(request, tmp_path_factory.mktemp("demo"), "demo"))
    generate_demo(db, customers=CUSTOMERS, seed=7, today=TODAY)
    yield db
    db.dispose()


def count(db: Database, model: type) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_the_region_has_about_a_dozen_stores_with_two_to_four_managers(
    demo_db: Database,
) -> None:
    with demo_db.read_session() as session:
        per_store = session.execute(
            select(Store.code, func.count(Manager.id)).join(Manager).group_by(Store.code)
        ).all()
        zones = set(session.scalars(select(Store.timezone)))
        hours = session.scalars(select(Store.opening_hours)).all()
    assert 10 <= len(per_store) <= 14
    assert all(2 <= managers <= 4 for _, managers in per_store)
    assert zones == {"Europe/London"}
    assert all(day["mon"][0] < day["mon"][1] for day in hours if day is not None)


def test_it_makes_as_many_customers_as_asked_with_valid_uk_phone_numbers(
    demo_db: Database,
) -> None:
    with demo_db.read_session() as session:
        phones = session.scalars(select(Customer.phone)).all()
        alternates = session.scalars(
            select(Customer.phone_alt).where(Customer.phone_alt.is_not(None))
        ).all()
    assert len(phones) == CUSTOMERS
    numbers = [*phones, *alternates]
    assert len(set(numbers)) == len(numbers)  # nobody shares a number
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.region_code_for_number(parsed) == "GB"
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def test_customers_carry_what_makes_a_call_personal(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        customers = session.scalars(select(Customer)).all()
        campaign_start = session.scalar(select(Campaign.start_date))
        assert campaign_start is not None
        assert all(c.first_name and c.last_name for c in customers)
        assert all((c.lifetime_spend_cents or 0) > 0 and (c.visits or 0) >= 1 for c in customers)
        assert all(
            c.last_purchase_date is not None and c.last_purchase_date < campaign_start
            for c in customers
        )
        pinned = [c.pinned_note for c in customers if c.pinned_note]
    assert 0.01 * CUSTOMERS < len(pinned) < 0.1 * CUSTOMERS


def test_one_running_campaign_with_a_script_full_of_placeholders(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        (campaign,) = session.scalars(select(Campaign)).all()
        versions = session.scalars(select(ScriptVersion).order_by(ScriptVersion.version)).all()
        assert campaign.state == "open"
        assert campaign.offer_code
        for placeholder in (
            "{first_name}",
            "{store}",
            "{days_since_last_purchase}",
            "{offer_code}",
        ):
            assert placeholder in campaign.script
        assert [v.version for v in versions] == [1, 2]
        assert versions[-1].script == campaign.script
        assert campaign.start_date is not None
        assert (TODAY - campaign.start_date).days >= 21  # several weeks of history


def test_each_store_holds_out_a_tenth_of_its_list(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.store_id, CampaignMember.group, func.count())
            .where(CampaignMember.store_id.is_not(None))
            .where(CampaignMember.status != MemberStatus.SUPPRESSED)
            .group_by(CampaignMember.store_id, CampaignMember.group)
        ).all()
        holdout_statuses = set(
            session.scalars(
                select(CampaignMember.status).where(CampaignMember.group == MemberGroup.HOLDOUT)
            )
        )
    by_store: dict[int, Counter[str]] = {}
    for store_id, group, members in rows:
        by_store.setdefault(store_id, Counter())[group] = members
    assert len(by_store) >= 10
    for groups in by_store.values():
        size = groups[MemberGroup.CALL] + groups[MemberGroup.HOLDOUT]
        assert abs(groups[MemberGroup.HOLDOUT] - size * 0.10) <= 1
    assert holdout_statuses == {MemberStatus.HOLDOUT}


def test_the_recorded_seed_reproduces_the_holdout(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        seed = session.scalar(select(Campaign.holdout_seed))
        rows = session.execute(
            select(CampaignMember.store_id, CampaignMember.group, Customer.uuid)
            .join(Customer, Customer.id == CampaignMember.customer_id)
            .where(CampaignMember.group.is_not(None))
        ).all()
    assert seed is not None
    by_store: dict[int, list[tuple[int, str]]] = {}
    for store_id, group, customer_uuid in rows:
        by_store.setdefault(store_id, []).append((draw_key(seed, customer_uuid), group))
    for drawn in by_store.values():
        drawn.sort()
        target = holdout_target(0.10, len(drawn))
        assert {group for _, group in drawn[:target]} <= {MemberGroup.HOLDOUT}
        assert {group for _, group in drawn[target:]} <= {MemberGroup.CALL}


def test_the_call_group_is_shared_fairly_between_a_stores_managers(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        rows = session.execute(
            select(CampaignMember.store_id, CampaignMember.manager_id, func.count())
            .where(CampaignMember.group == MemberGroup.CALL)
            .group_by(CampaignMember.store_id, CampaignMember.manager_id)
        ).all()
        holdout_managers = session.scalars(
            select(CampaignMember.manager_id).where(CampaignMember.group == MemberGroup.HOLDOUT)
        ).all()
    per_store: dict[int, list[int]] = {}
    for store_id, manager_id, members in rows:
        assert manager_id is not None
        per_store.setdefault(store_id, []).append(members)
    assert all(max(sizes) - min(sizes) <= 1 for sizes in per_store.values())
    assert set(holdout_managers) == {None}  # nobody calls the holdout


def test_each_call_group_member_has_the_history_line_of_its_assignment(
    demo_db: Database,
) -> None:
    with demo_db.read_session() as session:
        members = session.execute(
            select(CampaignMember.id, CampaignMember.manager_id).where(
                CampaignMember.group == MemberGroup.CALL
            )
        ).all()
    some_member, its_manager = members[0]
    (line,) = ownership_history(demo_db, Profile.lead(), some_member)
    assert line.changed_by == "Regional lead"
    with demo_db.read_session() as session:
        recorded = dict(
            session.execute(
                select(AssignmentChange.member_id, AssignmentChange.to_manager_id)
            ).all()
        )
        manager_name = session.scalar(select(Manager.name).where(Manager.id == its_manager))
    assert recorded == dict(members)
    assert manager_name is not None
    assert line.to_manager == manager_name


def test_attempts_belong_to_call_group_members_and_use_catalogue_outcomes(
    demo_db: Database,
) -> None:
    with demo_db.read_session() as session:
        attempts = session.execute(
            select(
                CallAttempt.outcome,
                CallAttempt.called_at,
                CallAttempt.store_id,
                CampaignMember.store_id,
                CampaignMember.group,
                CallAttempt.manager_id,
                CampaignMember.manager_id,
            ).join(CampaignMember, CallAttempt.member_id == CampaignMember.id, isouter=True)
        ).all()
        total = count(demo_db, CallAttempt)
    assert len(attempts) == total > CUSTOMERS / 2
    codes = {outcome.code for outcome in OUTCOMES}
    midnight = datetime(TODAY.year, TODAY.month, TODAY.day, tzinfo=UTC)
    for outcome, called_at, store, member_store, group, manager, member_manager in attempts:
        assert outcome in codes
        assert group == MemberGroup.CALL
        assert store == member_store and manager == member_manager
        assert called_at.tzinfo is not None and called_at < midnight
    days = {called_at.date() for _, called_at, *_ in attempts}
    assert max(days) - min(days) >= timedelta(days=21)


def test_member_counters_agree_with_the_attempts(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        counted = dict(
            session.execute(
                select(CallAttempt.member_id, func.count())
                .where(CallAttempt.follow_up.is_(None))  # reminder calls are not attempts
                .group_by(CallAttempt.member_id)
            ).all()
        )
        members = session.execute(
            select(
                CampaignMember.id,
                CampaignMember.attempts,
                CampaignMember.status,
                CampaignMember.next_due_at,
                CampaignMember.scheduled_kind,
            )
        ).all()
    for member_id, attempts, status, due, kind in members:
        assert attempts == counted.get(member_id, 0)
        if status == MemberStatus.TO_CALL:
            assert attempts == 0
        if status in (MemberStatus.IN_PROGRESS, MemberStatus.DONE):
            assert attempts > 0
        if status == MemberStatus.IN_PROGRESS:  # an open member always has its next call booked
            assert due is not None and kind in ("retry", "callback")


def test_the_calls_follow_the_member_life_rules(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        campaign = session.scalars(select(Campaign)).one()
        members = session.execute(
            select(
                CampaignMember.status,
                CampaignMember.attempts,
                CampaignMember.last_outcome,
                CampaignMember.scheduled_kind,
                CampaignMember.next_due_at,
                CampaignMember.visit_date,
            )
        ).all()
        reminders = session.scalars(
            select(CallAttempt.called_at).where(CallAttempt.follow_up == "visit_reminder")
        ).all()
    for status, attempts, last, kind, due, visit in members:
        # The attempt limit closes a member, unless the customer asked to be called back.
        if attempts >= campaign.max_attempts and last != "callback_requested":
            assert status == MemberStatus.DONE
        assert attempts <= campaign.max_attempts + CALLBACK_GRACE
        if kind == "visit_reminder":  # the day before the visit, from the start of calling hours
            local = due.astimezone(ZoneInfo("Europe/London"))
            assert (local.date(), local.hour, local.minute) == (visit - timedelta(days=1), 8, 0)
    assert any(kind == "visit_reminder" for *_, kind, _, _ in members)
    assert reminders  # reminders that fell due before today were made


def test_outcomes_ask_for_their_details(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        rows = session.execute(
            select(
                CallAttempt.outcome,
                CallAttempt.planned_visit_date,
                CallAttempt.callback_at,
                CallAttempt.reason,
            ).where(CallAttempt.follow_up.is_(None))
        ).all()
        do_not_call = session.scalars(select(DoNotCall.phone)).all()
    assert all(visit is not None for outcome, visit, _, _ in rows if outcome == "accepted_offer")
    assert all(back is not None for outcome, _, back, _ in rows if outcome == "callback_requested")
    reasons = {reason for outcome, _, _, reason in rows if outcome == "not_interested"}
    assert reasons <= set(NOT_INTERESTED_REASONS) and len(reasons) > 1
    asked = sum(outcome == "do_not_call" for outcome, *_ in rows)
    assert len(do_not_call) >= asked > 0


def test_stores_differ_and_one_improves_week_by_week(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        rows = session.execute(
            select(Store.code, CallAttempt.outcome, CallAttempt.called_at).join(
                Store, CallAttempt.store_id == Store.id
            )
        ).all()
    reached = reached_codes()
    contact: dict[str, list[bool]] = {}
    for code, outcome, _ in rows:
        contact.setdefault(code, []).append(outcome in reached)
    rates = sorted(sum(flags) / len(flags) for flags in contact.values())
    assert rates[-1] - rates[0] > 0.15  # the best store reaches far more than the weakest

    first_week, last_week = min(r[2] for r in rows), max(r[2] for r in rows)
    improving: list[float] = []
    for code in contact:
        early = [
            o == "accepted_offer" for c, o, t in rows if c == code and (t - first_week).days < 14
        ]
        late = [
            o == "accepted_offer" for c, o, t in rows if c == code and (last_week - t).days < 14
        ]
        improving.append(sum(late) / max(1, len(late)) - sum(early) / max(1, len(early)))
    assert max(improving) > 0.08


def test_called_customers_come_back_more_often_than_the_holdout(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        start = session.scalar(select(Campaign.start_date))
        assert start is not None
        since = datetime(start.year, start.month, start.day, tzinfo=UTC)
        rows = session.execute(
            select(CampaignMember.group, func.count(func.distinct(Purchase.customer_id)))
            .join(Purchase, Purchase.customer_id == CampaignMember.customer_id, isouter=True)
            .where((Purchase.purchased_at >= since) | Purchase.id.is_(None))
            .group_by(CampaignMember.group)
        ).all()
        sizes = dict(
            session.execute(
                select(CampaignMember.group, func.count()).group_by(CampaignMember.group)
            ).all()
        )
    came_back = dict(rows)
    call_rate = came_back[MemberGroup.CALL] / sizes[MemberGroup.CALL]
    holdout_rate = came_back[MemberGroup.HOLDOUT] / sizes[MemberGroup.HOLDOUT]
    assert 0 < holdout_rate < call_rate


def test_every_record_that_travels_has_a_unique_uuid(demo_db: Database) -> None:
    with demo_db.read_session() as session:
        for model in (Customer, CampaignMember, CallAttempt, Purchase, Manager):
            uuids = session.scalars(select(model.uuid)).all()  # type: ignore[attr-defined]
            assert len(uuids) == len(set(uuids)) > 0


def test_the_same_seed_and_day_give_the_same_region(
    request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    dumps = []
    for name, seed in (("a", 11), ("b", 11), ("c", 12)):
        db, _ = open_database(fresh_database_url(request, tmp_path, name))
        generate_demo(db, customers=200, seed=seed, today=TODAY)
        with db.read_session() as session:
            dumps.append(
                (
                    session.execute(
                        select(Customer.uuid, Customer.first_name, Customer.phone).order_by(
                            Customer.id
                        )
                    ).all(),
                    session.execute(
                        select(
                            CallAttempt.uuid, CallAttempt.outcome, CallAttempt.called_at
                        ).order_by(CallAttempt.id)
                    ).all(),
                )
            )
        db.dispose()
    assert dumps[0] == dumps[1]
    assert dumps[0] != dumps[2]


def test_a_database_that_holds_customers_is_refused(db: Database) -> None:
    with db.session() as session:
        session.add(Customer(first_name="Grace", phone="+441632960001"))
    with pytest.raises(UserFacingError, match="already holds data"):
        generate_demo(db, customers=50, today=TODAY)
    assert count(db, Customer) == 1
    assert count(db, Store) == 0


class CancelAfter:
    def __init__(self, reports: int) -> None:
        self.left = reports
        self.messages: list[str] = []

    def report(self, done: int, total: int | None, message: str = "") -> None:
        self.messages.append(message)
        self.left -= 1
        if self.left < 0:
            raise Cancelled()


def test_cancel_while_writing_leaves_the_database_empty(
    db: Database, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    # Cancel at the last report before "Done": everything else has been written by then.
    probe = CancelAfter(10_000)
    scratch, _ = open_database(fresh_database_url(request, tmp_path, "probe"))
    generate_demo(scratch, customers=300, today=TODAY, progress=probe)
    scratch.dispose()
    assert any(m.startswith("Writing purchases") for m in probe.messages)

    cancelling = CancelAfter(len(probe.messages) - 2)
    with pytest.raises(Cancelled):
        generate_demo(db, customers=300, today=TODAY, progress=cancelling)
    assert cancelling.messages[-1].startswith("Writing")
    for model in (Store, Manager, Campaign, Customer, CampaignMember, CallAttempt, Purchase):
        assert count(db, model) == 0, model.__name__


def test_customer_counts_outside_the_range_are_refused(db: Database) -> None:
    with pytest.raises(UserFacingError, match="1 to 100,000"):
        generate_demo(db, customers=0)


def run_cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``lastmile ARGS`` as a separate program, the way a user runs it."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "LASTMILE_DATA_DIR": str(data_dir)}
    env.pop("LASTMILE_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "lastmile_desktop.cli", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_lastmile_demo_then_selftest_both_succeed(tmp_path: Path) -> None:
    demo = run_cli("demo", "--customers", "300", data_dir=tmp_path)
    assert demo.returncode == 0, demo.stderr
    demo_file = tmp_path / "demo.sqlite3"
    assert demo_file.exists()
    assert not (tmp_path / "lastmile.sqlite3").exists()  # the user's database is untouched
    assert f"lastmile --db {demo_file}" in demo.stdout
    assert "300 customers" in demo.stdout

    selftest = run_cli("selftest", data_dir=tmp_path)
    assert selftest.returncode == 0, selftest.stderr
    assert "ok   database" in selftest.stdout
    assert "ok   window" in selftest.stdout


def lastmile(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``lastmile ARGS`` in this process (the data folder is the test's own)."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_lastmile_demo_goes_where_db_points_and_reports_json(
    capsys: pytest.CaptureFixture[str], isolated_data_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "chosen.sqlite3"
    code, out, err = lastmile(
        capsys, "demo", "--customers", "120", "--seed", "3", "--json", "--db", str(target)
    )
    assert code == 0, err
    summary = json.loads(out)
    assert summary["customers"] == 120
    assert summary["database"] == str(target)
    assert not (isolated_data_dir / "demo.sqlite3").exists()
    db = fresh_database(target)
    assert count(db, Customer) == 120
    db.dispose()


def test_lastmile_demo_follows_the_lastmile_db_variable(
    capsys: pytest.CaptureFixture[str],
    isolated_data_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "from-env.sqlite3"
    monkeypatch.setenv("LASTMILE_DB", str(target))
    code, _, err = lastmile(capsys, "demo", "--customers", "50")
    assert code == 0, err
    assert target.exists()
    assert not (isolated_data_dir / "demo.sqlite3").exists()


def test_lastmile_demo_twice_says_how_to_open_or_replace_the_demo(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert lastmile(capsys, "demo", "--customers", "50")[0] == 0
    code, _, err = lastmile(capsys, "demo", "--customers", "50")
    assert code == 1
    assert "already holds a demo" in err and "--replace" in err

    code, out, err = lastmile(capsys, "demo", "--customers", "60", "--replace")
    assert code == 0, err
    assert "60 customers" in out


def test_replace_never_deletes_a_database_given_with_db(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "mine.sqlite3"
    target.write_bytes(b"")
    code, _, err = lastmile(capsys, "demo", "--replace", "--db", str(target))
    assert code == 1
    assert "never deletes" in err
    assert target.exists()


@pytest.fixture
def gui_controller(
    qtbot: QtBot, qsettings_isolated: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Controller]:
    """The app's controller opened on an empty database of the user's."""
    # The demo has managers, so the app would ask who is working; answer "the lead".
    monkeypatch.setattr(
        application, "choose_profile_at_start", lambda _db, _parent=None: Profile.lead()
    )
    monkeypatch.setattr(application, "DEMO_CUSTOMERS", 200)
    application.create_application()
    controller = Controller()
    assert controller.open(to_url(tmp_path / "mine.sqlite3"))
    yield controller
    task = controller._task
    if task is not None:
        qtbot.waitUntil(lambda: task.done, timeout=20_000)
    if controller.window is not None:
        controller.window.close()
        controller.window.deleteLater()
    if controller.db is not None:
        controller.db.dispose()


def test_explore_with_demo_data_builds_and_opens_the_separate_demo(
    gui_controller: Controller, qtbot: QtBot, tmp_path: Path
) -> None:
    controller = gui_controller
    first_window = controller.window
    assert first_window is not None and first_window.is_showing_first_run()

    first_window.first_run.demo_button.click()
    qtbot.waitUntil(lambda: controller.window is not first_window, timeout=20_000)

    assert controller.db is not None and controller.db.path == demo_db_path()
    assert controller.window is not None and not controller.window.is_showing_first_run()
    assert "demo.sqlite3" in controller.window.windowTitle()
    mine = fresh_database(tmp_path / "mine.sqlite3")
    assert count(mine, Customer) == 0  # the user's own database got nothing
    mine.dispose()


def test_cancelling_the_demo_build_leaves_no_demo_database(
    gui_controller: Controller, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    controller = gui_controller
    first_window = controller.window
    monkeypatch.setattr(application, "DEMO_CUSTOMERS", 100_000)  # long enough to cancel
    controller.open_demo()
    task = controller._task
    assert task is not None
    with qtbot.waitSignal(task.signals.cancelled, timeout=20_000):
        task.cancel()
    assert not demo_db_path().exists()
    assert controller.window is first_window
