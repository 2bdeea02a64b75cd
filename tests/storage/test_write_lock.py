"""Another window or program holding the write lock: every writing service waits for it,
and past the busy timeout says so in one sentence, having changed nothing.

On SQLite the lock is held by a plain SQLite connection (``BEGIN IMMEDIATE``), as another
copy of the app, the command line or a database browser would hold it. On PostgreSQL, where
writers only wait for each other's rows, another session holds every table of the app in
EXCLUSIVE mode (reading stays open, any change waits), as a long maintenance job would.
"""

from __future__ import annotations

import ast
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pytest
from sqlalchemy import make_url, select

import lastmile_desktop
from lastmile_desktop.calling.card import set_pinned_note
from lastmile_desktop.calling.claims import claim_next, release, renew
from lastmile_desktop.calling.log import log_outcome, undo_outcome
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import (
    assign_campaign,
    hand_back_members,
    move_work,
    reassign_members,
    rebalance,
    resolve_unassigned,
)
from lastmile_desktop.campaigns.campaigns import (
    CampaignDraft,
    close_campaign,
    create_campaign,
    reopen_campaign,
    update_campaign,
)
from lastmile_desktop.campaigns.database_settings import (
    DatabaseSettings,
    save_database_settings,
    save_default_region,
)
from lastmile_desktop.campaigns.do_not_call import add_entry, remove_entry
from lastmile_desktop.campaigns.managers import (
    ManagerDraft,
    add_manager,
    deactivate_manager,
    reactivate_manager,
    update_manager,
)
from lastmile_desktop.campaigns.privacy import forget_customers
from lastmile_desktop.campaigns.stores import StoreDraft, add_store, update_store
from lastmile_desktop.cli import main
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.errors import DatabaseBusyError
from lastmile_desktop.importing.model import ImportOptions
from lastmile_desktop.importing.sales import import_sales
from lastmile_desktop.importing.sales_model import SalesImportOptions
from lastmile_desktop.importing.service import run_import
from lastmile_desktop.importing.suppression_list import import_suppression_file
from lastmile_desktop.leaderboard.names import set_store_names_shown
from lastmile_desktop.packs.pack_in import import_pack
from lastmile_desktop.packs.pack_out import export_pack
from lastmile_desktop.packs.results_in import import_store_results
from lastmile_desktop.packs.results_out import export_store_results
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.database import BUSY_MESSAGE, BUSY_TIMEOUT_ENV_VAR
from lastmile_desktop.storage.models import Base, CampaignMember, Customer, MemberStatus
from tests.campaigns import member_builders as build
from tests.conftest import copy_of_database, fresh_database_url
from tests.importing.service_support import customer, dump, write_list

LEAD = Profile.lead()
PACKAGE = Path(lastmile_desktop.__file__).parent
# Long enough that a lock let go of after RELEASE_AFTER_S is always waited for.
PATIENT_TIMEOUT_MS = 20_000
RELEASE_AFTER_S = 0.2
IMPATIENT_TIMEOUT_MS = 100


@dataclass(frozen=True)
class World:
    """A small region with something for every writing service to act on."""

    url: str
    campaign_id: int
    store_a: int
    store_b: int
    ann: int  # holds every customer of store A
    bo: int
    cy: int  # store B's manager
    eve: int  # left store B
    closed_campaign_id: int
    ann_members: list[int]
    waiting_members: list[int]  # imported after the first Assign, not yet assigned
    homeless_member: int  # no store: in the Unassigned bucket
    forgettable_customer: int
    callable_phone: str  # a customer's number, waiting for a call
    dnc_entry: int
    suppression_file: Path
    customer_list: Path
    sales_file: Path  # one sale of a known customer
    member_to_call: uuid.UUID  # one of Ann's customers, not called yet
    logged_attempt: uuid.UUID  # a call already logged, to undo
    store_results: Path  # a store's results holding a call this region does not have yet
    store_pack: Path  # store 1's pack, as the region exported it


def _build_world(request: pytest.FixtureRequest, url: str, folder: Path) -> World:
    db, _ = open_database(url)
    store_a, store_b = build.add_store(db, "1"), build.add_store(db, "2")
    ann, bo = build.add_managers(db, store_a, "Ann Lee", "Bo Chan")
    (cy,) = build.add_managers(db, store_b, "Cy Dale")
    (eve,) = build.add_managers(db, store_b, "Eve Hart", active=False)
    campaign_id = build.add_campaign(db, share=0.0)
    closed = close_campaign(db, build.add_campaign(db, "Last winter"), LEAD).id
    members = build.add_members(db, campaign_id, store_a, build.random_customers(6))
    assign_campaign(db, campaign_id, LEAD, seed=1)
    reassign_members(db, LEAD, members, ann, "all to Ann")
    waiting = build.add_members(
        db, campaign_id, store_a, build.random_customers(2, seed=2, start=100)
    )
    (homeless,) = build.add_members(
        db, campaign_id, None, build.random_customers(1, seed=3, start=200)
    )
    entry = add_entry(db, phone="+447400100888", reason="asked", profile=LEAD).entry.id
    with db.read_session() as session:
        uuids = session.scalars(
            select(CampaignMember.uuid).where(CampaignMember.id.in_(members[:2]))
        ).all()
    logged = log_outcome(db, LEAD, uuids[1], "no_answer")
    claim_next(db, LEAD, None, "desk 1")  # a desk holds a customer: to renew, to release
    with db.read_session() as session:
        rows = session.execute(
            select(Customer.id, Customer.phone)
            .join(CampaignMember)
            .where(CampaignMember.id.in_(members))
            .order_by(Customer.id)
        ).all()
    first, last = rows[0], rows[-1]
    db.dispose()
    store_results = _store_results(request, folder, url, uuids[0])
    store_pack = _store_pack(request, folder, url)
    suppression = folder / "opt-outs.csv"
    suppression.write_text("Phone\n+447911123456\n+447911123457\n", encoding="utf-8")
    sales = folder / "sales.csv"
    sales.write_text(f"Phone,Date,Amount\n{last[1]},2026-01-05,12.50\n", encoding="utf-8")
    return World(
        url=url,
        campaign_id=campaign_id,
        store_a=store_a,
        store_b=store_b,
        ann=ann,
        bo=bo,
        cy=cy,
        eve=eve,
        closed_campaign_id=closed,
        ann_members=members,
        waiting_members=waiting,
        homeless_member=homeless,
        forgettable_customer=first[0],
        callable_phone=str(last[1]),
        dnc_entry=entry,
        suppression_file=suppression,
        customer_list=write_list(folder / "list.xlsx", [customer(1), customer(2)]),
        sales_file=sales,
        member_to_call=uuids[0],
        logged_attempt=logged.attempt,
        store_results=store_results,
        store_pack=store_pack,
    )


def _store_pack(request: pytest.FixtureRequest, folder: Path, region: str) -> Path:
    """Store 1's pack, exported from a copy of the region (the region itself stays as built)."""
    (folder / "pack-copy").mkdir()
    db, _ = open_database(copy_of_database(request, region, folder / "pack-copy"))
    try:
        return export_pack(db, LEAD, folder / "store-1-pack.xlsx", store="1").file
    finally:
        db.dispose()


def _store_results(
    request: pytest.FixtureRequest, folder: Path, region: str, member: uuid.UUID
) -> Path:
    """Store 1's results from a copy of the region where one more call was logged."""
    (folder / "store-1").mkdir()
    db, _ = open_database(copy_of_database(request, region, folder / "store-1"))
    try:
        log_outcome(db, LEAD, member, "no_answer")
        return export_store_results(db, LEAD, folder / "results.xlsx", store="1").file
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def world_template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> World:
    folder = tmp_path_factory.mktemp("world")
    return _build_world(request, fresh_database_url(request, folder, "world"), folder)


@pytest.fixture
def world(request: pytest.FixtureRequest, world_template: World, tmp_path: Path) -> World:
    """A fresh copy of the region for each test (built once, copied: quick)."""
    copy = copy_of_database(request, world_template.url, tmp_path)
    return World(**{**world_template.__dict__, "url": copy})


Service = Callable[[Database, World], object]

SERVICES: dict[str, Service] = {
    "save_database_settings": lambda db, w: save_database_settings(
        db, DatabaseSettings("FR", 0, None), LEAD
    ),
    "save_default_region": lambda db, w: save_default_region(db, "FR", LEAD),
    "add_entry": lambda db, w: add_entry(db, phone=w.callable_phone, reason="asked", profile=LEAD),
    "remove_entry": lambda db, w: remove_entry(db, w.dnc_entry, reason="mistake", profile=LEAD),
    "import_suppression_file": lambda db, w: import_suppression_file(db, w.suppression_file, LEAD),
    "assign_campaign": lambda db, w: assign_campaign(db, w.campaign_id, LEAD),
    "reassign_members": lambda db, w: reassign_members(
        db, LEAD, w.ann_members[:2], w.bo, "closer to Bo"
    ),
    "move_work": lambda db, w: move_work(db, LEAD, w.ann, "Ann left"),
    "rebalance": lambda db, w: rebalance(db, LEAD, w.campaign_id),
    "hand_back_members": lambda db, w: hand_back_members(
        db, Profile.manager("Ann Lee", w.ann, w.store_a), w.ann_members[:1], "moved away"
    ),
    "resolve_unassigned": lambda db, w: resolve_unassigned(
        db, LEAD, [w.homeless_member], w.store_b
    ),
    "forget_customers": lambda db, w: forget_customers(db, [w.forgettable_customer], LEAD),
    "create_campaign": lambda db, _w: create_campaign(db, CampaignDraft(name="Autumn"), LEAD),
    "update_campaign": lambda db, w: update_campaign(
        db, w.campaign_id, CampaignDraft(name="Spring, renamed", holdout_share=0.0), LEAD
    ),
    "close_campaign": lambda db, w: close_campaign(db, w.campaign_id, LEAD),
    "reopen_campaign": lambda db, w: reopen_campaign(db, w.closed_campaign_id, LEAD),
    "add_store": lambda db, _w: add_store(db, StoreDraft(name="Store 9", code="9"), LEAD),
    "update_store": lambda db, w: update_store(
        db, w.store_b, StoreDraft(name="Harbour Street", code="2"), LEAD
    ),
    "add_manager": lambda db, w: add_manager(db, ManagerDraft("Di Fox", w.store_b), LEAD),
    "update_manager": lambda db, w: update_manager(
        db, w.cy, ManagerDraft("Cy Dale-Evans", w.store_b), LEAD
    ),
    "deactivate_manager": lambda db, w: deactivate_manager(db, w.cy, LEAD),
    "reactivate_manager": lambda db, w: reactivate_manager(db, w.eve, LEAD),
    "log_outcome": lambda db, w: log_outcome(db, LEAD, w.member_to_call, "busy"),
    "undo_outcome": lambda db, w: undo_outcome(db, LEAD, w.logged_attempt),
    "set_pinned_note": lambda db, w: set_pinned_note(db, LEAD, w.member_to_call, "new baby"),
    "claim_next": lambda db, w: claim_next(db, LEAD, None, "desk 1"),
    "release": lambda db, w: release(db, "desk 1"),
    "renew": lambda db, w: renew(db, "desk 1"),
    "run_import": lambda db, w: run_import(db, w.customer_list, ImportOptions(region="GB")),
    "import_sales": lambda db, w: import_sales(db, w.sales_file, SalesImportOptions(region="GB")),
    "set_store_names_shown": lambda db, _w: set_store_names_shown(db, LEAD, True),
    "import_store_results": lambda db, w: import_store_results(db, LEAD, w.store_results),
    "export_pack": lambda db, w: export_pack(
        db, LEAD, w.store_pack.parent / "store-pack-again.xlsx", store="1"
    ),
    # Into the region it was exported from: only the record of the pack imported changes.
    "import_pack": lambda db, w: import_pack(db, LEAD, w.store_pack),
}


def _writing_services() -> set[str]:
    """Public functions of the package that open a write transaction, directly or through a
    private helper of their module (the user interface and the commands call these)."""
    found: set[str] = set()
    for source in PACKAGE.rglob("*.py"):
        if source.parts[len(PACKAGE.parts)] in {"ui", "commands", "storage"}:
            continue
        functions = {
            node.name: node
            for node in ast.walk(ast.parse(source.read_text(encoding="utf-8")))
            if isinstance(node, ast.FunctionDef)
        }

        def calls(node: ast.FunctionDef) -> set[str]:
            return {
                (call.func.attr if isinstance(call.func, ast.Attribute) else call.func.id)
                for call in ast.walk(node)
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute | ast.Name)
            }

        writers = {
            name
            for name, node in functions.items()
            if calls(node) & {"session", "write_connection"}
        }
        helpers = {name for name in writers if name.startswith("_")}
        for name, node in functions.items():
            if not name.startswith("_") and (name in writers or calls(node) & helpers):
                found.add(name)
    return found


def test_every_writing_service_is_tried_against_a_held_lock() -> None:
    missing = _writing_services() - set(SERVICES) - {"generate_demo"}
    assert not missing, f"add these to SERVICES: {sorted(missing)}"
    assert "generate_demo" in _writing_services()  # tried below, on an empty database


class LockHolder(Protocol):
    def rollback(self) -> None: ...


class _SqliteHolder:
    def __init__(self, path: Path) -> None:
        self.connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.connection.execute("BEGIN IMMEDIATE")

    def rollback(self) -> None:
        if self.connection.in_transaction:
            self.connection.execute("ROLLBACK")

    def close(self) -> None:
        self.rollback()
        self.connection.close()


class _PostgresHolder:
    def __init__(self, url: str) -> None:
        import psycopg

        parsed = make_url(url)
        self.connection = psycopg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, dbname=parsed.database
        )
        tables = ", ".join(table.name for table in Base.metadata.sorted_tables)
        self.connection.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")  # type: ignore[arg-type]

    def rollback(self) -> None:
        self.connection.rollback()

    def close(self) -> None:
        self.connection.rollback()
        self.connection.close()


@contextmanager
def lock_held(url: str) -> Iterator[LockHolder]:
    """Another program's write transaction, rolled back at the latest on exit."""
    parsed = make_url(url)
    holder: _SqliteHolder | _PostgresHolder
    if parsed.get_backend_name() == "sqlite":
        assert parsed.database
        holder = _SqliteHolder(Path(parsed.database))
    else:
        holder = _PostgresHolder(url)
    try:
        yield holder
    finally:
        holder.close()


@contextmanager
def lock_let_go_soon(url: str) -> Iterator[None]:
    """The lock is held now and let go of RELEASE_AFTER_S later, from another thread."""
    with lock_held(url) as holder:
        release = threading.Timer(RELEASE_AFTER_S, holder.rollback)
        release.start()
        try:
            yield
        finally:
            release.join()


@contextmanager
def opened(url: str, timeout_ms: int) -> Iterator[Database]:
    db, _ = open_database(url, timeout_ms=timeout_ms)
    try:
        yield db
    finally:
        db.dispose()


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_write_waits_for_a_lock_let_go_within_the_busy_timeout(name: str, world: World) -> None:
    with opened(world.url, PATIENT_TIMEOUT_MS) as db:
        before = dump(db)
        with lock_let_go_soon(world.url):
            SERVICES[name](db, world)
        assert dump(db) != before


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_a_write_past_the_busy_timeout_says_so_in_one_sentence_and_changes_nothing(
    name: str, world: World
) -> None:
    with opened(world.url, IMPATIENT_TIMEOUT_MS) as db:
        before = dump(db)
        with lock_held(world.url), pytest.raises(DatabaseBusyError) as caught:
            SERVICES[name](db, world)
        assert str(caught.value) == BUSY_MESSAGE
        assert dump(db) == before


def test_a_do_not_call_entry_added_while_another_program_writes_stops_the_calls(
    world: World,
) -> None:
    with opened(world.url, PATIENT_TIMEOUT_MS) as db:
        with lock_let_go_soon(world.url):
            result = add_entry(db, phone=world.callable_phone, reason="asked", profile=LEAD)
        assert result.members_suppressed == 1
        with db.read_session() as session:
            status = session.scalars(
                select(CampaignMember.status)
                .join(Customer)
                .where(Customer.phone == world.callable_phone)
            ).one()
        assert status == MemberStatus.SUPPRESSED


def test_the_demo_waits_for_the_lock_and_past_the_timeout_writes_nothing(db_url: str) -> None:
    with opened(db_url, IMPATIENT_TIMEOUT_MS) as db:
        with lock_held(db_url), pytest.raises(DatabaseBusyError):
            generate_demo(db, customers=20)
        assert not any(dump(db).values())
    with opened(db_url, PATIENT_TIMEOUT_MS) as db:
        with lock_let_go_soon(db_url):
            summary = generate_demo(db, customers=20)
        assert summary.customers == 20


def test_the_command_line_says_busy_in_one_line_and_exits_1_with_nothing_listed(
    world: World, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(BUSY_TIMEOUT_ENV_VAR, str(IMPATIENT_TIMEOUT_MS))
    argv = ["--db", str(world.url), "dnc", "add", "--phone", world.callable_phone]
    with lock_held(world.url):
        code = main(argv)
    captured = capsys.readouterr()
    assert (code, captured.out, captured.err) == (1, "", f"lastmile: {BUSY_MESSAGE}\n")
    assert main(["--db", str(world.url), "dnc", "list", "--json"]) == 0
    assert world.callable_phone not in capsys.readouterr().out
