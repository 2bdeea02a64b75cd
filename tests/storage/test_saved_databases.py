"""Databases saved by earlier versions of the app must open, migrate and keep their data.

Each file under tests/data/databases was written by the version its name gives; when a
migration is added, these are what it is tested against. Add a new file per schema version.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import case, func, select

from lastmile_desktop.calling.member_facts import (
    FACT_COLUMNS,
    recomputed_days,
    recomputed_facts,
)
from lastmile_desktop.calling.store_tallies import KEY, span_rows
from lastmile_desktop.campaigns.identities import DIGEST_KEY_SETTING, load_forgotten
from lastmile_desktop.overview import is_empty
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import open_database
from lastmile_desktop.storage.migrate import MIGRATIONS_DIR, head_revision
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    Customer,
    MemberDay,
    MemberGroup,
    MemberStatus,
    StoreTally,
)

# Databases saved by older versions are SQLite files.
pytestmark = pytest.mark.sqlite_only

SAVED = sorted((Path(__file__).parent.parent / "data" / "databases").glob("*.sqlite3"))
TABLES_THAT_TRAVEL = ("customers", "campaign_members", "call_attempts")
# "schema-0002-demo-120.sqlite3" was written at revision 0002.
SAVED_NAME = re.compile(r"schema-(?P<revision>[^-]+)-.+\.sqlite3")


def query(path: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(sql).fetchall()
    connection.close()
    return rows


def raw_rows(path: Path, table: str) -> list[tuple[object, ...]]:
    return query(path, f"SELECT uuid FROM {table} ORDER BY id")


ERASED_CUSTOMER_IDS = "SELECT external_id FROM customers WHERE erased_at IS NOT NULL"
ERASED_IDENTITIES = "SELECT kind, digest FROM erased_identities ORDER BY id"
DIGEST_KEY = f"SELECT value FROM settings WHERE key = '{DIGEST_KEY_SETTING}'"


def holds_forgotten_people(path: Path) -> bool:
    tables = {name for (name,) in query(path, "SELECT name FROM sqlite_master")}
    return "erased_identities" in tables and query(path, ERASED_IDENTITIES) != []


WITH_FORGOTTEN = [path for path in SAVED if holds_forgotten_people(path)]


def saved_revision(path: Path) -> str:
    match = SAVED_NAME.fullmatch(path.name)
    assert match is not None, f"{path.name} does not say its schema version (schema-NNNN-...)"
    return match["revision"]


def shipped_revisions() -> list[str]:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()]


def test_there_is_at_least_one_saved_database() -> None:
    assert SAVED, "tests/data/databases holds no saved database"


def test_every_older_schema_version_has_a_saved_database() -> None:
    saved = {saved_revision(path) for path in SAVED}
    older = set(shipped_revisions()) - {head_revision()}
    assert older <= saved, f"save a database at each of {sorted(older - saved)}"


@pytest.mark.parametrize("saved", SAVED, ids=[p.name for p in SAVED])
def test_a_saved_database_is_at_the_version_its_name_gives(saved: Path) -> None:
    with sqlite3.connect(saved) as connection:
        (revision,) = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    connection.close()
    assert revision == saved_revision(saved)


@pytest.mark.parametrize("saved", SAVED, ids=[p.name for p in SAVED])
def test_a_saved_database_migrates_to_head_and_keeps_every_record(
    saved: Path, tmp_path: Path
) -> None:
    copy = tmp_path / saved.name
    shutil.copyfile(saved, copy)
    before = {table: raw_rows(copy, table) for table in TABLES_THAT_TRAVEL}
    erased = len(query(copy, ERASED_CUSTOMER_IDS))

    db, report = open_database(to_url(copy))
    try:
        assert report.to_revision == head_revision()
        if report.changed:
            assert report.backup_path is not None and report.backup_path.exists()
        empty = is_empty(db)
        with db.read_session() as session:
            customers = session.scalar(select(func.count()).select_from(Customer))
            attempts = session.scalar(select(func.count()).select_from(CallAttempt))
            named = session.scalar(
                select(func.count()).select_from(Customer).where(Customer.first_name.is_not(None))
            )
    finally:
        db.dispose()

    assert not empty
    assert customers == len(before["customers"])
    assert attempts == len(before["call_attempts"])
    assert named == customers - erased
    for table, rows in before.items():
        assert raw_rows(copy, table) == rows, f"{table} changed its records while migrating"


def test_a_saved_database_remembers_someone_forgotten() -> None:
    assert WITH_FORGOTTEN, "save a database in which a customer was forgotten"


@pytest.mark.parametrize("saved", WITH_FORGOTTEN, ids=[p.name for p in WITH_FORGOTTEN])
def test_forgotten_people_stay_recognised_after_migrating(saved: Path, tmp_path: Path) -> None:
    copy = tmp_path / saved.name
    shutil.copyfile(saved, copy)
    digests, key = query(copy, ERASED_IDENTITIES), query(copy, DIGEST_KEY)
    erased_ids = query(copy, ERASED_CUSTOMER_IDS)

    db, _ = open_database(to_url(copy))
    try:
        with db.read_session() as session:
            forgotten = load_forgotten(session)
    finally:
        db.dispose()

    assert query(copy, ERASED_IDENTITIES) == digests
    assert query(copy, DIGEST_KEY) == key
    assert forgotten.phone_digests
    assert erased_ids
    assert all(forgotten.recognise([(str(cid).lower(), ()) for (cid,) in erased_ids]))


@pytest.mark.parametrize("saved", SAVED, ids=[p.name for p in SAVED])
def test_a_saved_database_gets_what_the_call_desk_needs(saved: Path, tmp_path: Path) -> None:
    copy = tmp_path / saved.name
    shutil.copyfile(saved, copy)
    db, _ = open_database(to_url(copy))
    try:
        with db.read_session() as session:
            hours = session.execute(
                select(Campaign.calling_hours_start, Campaign.calling_hours_end)
            ).all()
            open_members = session.execute(
                select(CampaignMember.next_due_at, CampaignMember.scheduled_kind).where(
                    CampaignMember.status == MemberStatus.IN_PROGRESS
                )
            ).all()
            promised = session.execute(
                select(CampaignMember.visit_date, CampaignMember.promised_at).where(
                    CampaignMember.last_outcome == "accepted_offer"
                )
            ).all()
    finally:
        db.dispose()
    assert hours and set(hours) == {(8 * 60, 21 * 60)}  # 08:00-21:00, the default
    # Every member still being called has its next call booked, and says what kind it is.
    assert open_members
    assert all(due is not None and kind in ("retry", "callback") for due, kind in open_members)
    assert promised and all((visit is None) == (when is None) for visit, when in promised), (
        "a promised visit keeps when it was promised"
    )
    assert any(visit is not None for visit, _ in promised)


@pytest.mark.parametrize("saved", SAVED, ids=[p.name for p in SAVED])
def test_a_saved_database_gets_the_leaderboards_facts_as_its_rows_give_them(
    saved: Path, tmp_path: Path
) -> None:
    copy = tmp_path / saved.name
    shutil.copyfile(saved, copy)
    db, _ = open_database(to_url(copy))
    everyone = [CampaignMember.id.is_not(None)]
    try:
        with db.read_session() as session:
            kept = session.execute(
                select(
                    CampaignMember.id, *(CampaignMember.__table__.c[c] for c in FACT_COLUMNS)
                ).order_by(CampaignMember.id)
            ).all()
            facts = recomputed_facts(everyone)
            again = session.execute(
                select(facts.c.member_id, *(facts.c[c] for c in FACT_COLUMNS)).order_by(
                    facts.c.member_id
                )
            ).all()
            days = session.execute(
                select(MemberDay.member_id, MemberDay.day, MemberDay.attempts).order_by(
                    MemberDay.member_id, MemberDay.day
                )
            ).all()
            days_again = sorted(
                (row.member_id, row.day, row.attempts)
                for row in session.execute(recomputed_days(everyone))
            )
    finally:
        db.dispose()
    assert [tuple(row) for row in kept] == [tuple(row) for row in again]
    assert any(row.first_attempt_at is not None for row in kept)
    assert [tuple(row) for row in days] == days_again and days


@pytest.mark.parametrize("saved", SAVED, ids=[p.name for p in SAVED])
def test_a_saved_database_gets_its_store_tallies_as_its_rows_give_them(
    saved: Path, tmp_path: Path
) -> None:
    copy = tmp_path / saved.name
    shutil.copyfile(saved, copy)
    db, _ = open_database(to_url(copy))
    everyone = [CampaignMember.id.is_not(None)]
    member = CampaignMember
    in_call = case(
        ((member.group == MemberGroup.CALL.value) & member.store_id.is_not(None), member.store_id)
    )
    try:
        with db.read_session() as session:
            kept = {
                tuple(getattr(row, column) for column in KEY): (row.members, row.attempts)
                for row in session.scalars(select(StoreTally))
            }
            spans = span_rows(recomputed_days(everyone).subquery(), in_call, everyone)
            again = {
                tuple(row[column] for column in KEY): (row["members"], row["attempts"])
                for row in session.execute(spans).mappings()
            }
            reasons = session.execute(
                select(MemberDay.member_id, MemberDay.day, MemberDay.declined_reason).order_by(
                    MemberDay.member_id, MemberDay.day
                )
            ).all()
            reasons_again = sorted(
                (row.member_id, row.day, row.declined_reason)
                for row in session.execute(recomputed_days(everyone))
            )
    finally:
        db.dispose()
    assert kept == again and kept
    assert [tuple(row) for row in reasons] == reasons_again
    assert any(reason is not None for _, _, reason in reasons)
