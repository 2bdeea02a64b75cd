"""Every service that hands out customers' personal data takes the profile, and every service
that takes a profile refuses a store manager who was deactivated since it was picked.

The first test walks the public service functions of the feature packages (a service takes
the ``Database`` first) and reads their return annotations: one that returns a DTO holding
personal fields (the customer columns "Forget this customer" erases, and the names the DTOs
give them), or writes a file (an export), must take a ``profile``.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import typing
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

import pytest
from sqlalchemy import select

from lastmile_desktop.calling.card import customer_card, set_pinned_note
from lastmile_desktop.calling.claims import claim_next
from lastmile_desktop.calling.log import log_outcome, undo_outcome
from lastmile_desktop.calling.my_day import my_day
from lastmile_desktop.calling.outbox import Outbox, log_or_queue, server_key, take_back
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.access import INACTIVE_MANAGER, AccessDenied, Profile
from lastmile_desktop.campaigns.assignment import (
    assign_campaign,
    campaign_to_assign,
    hand_back,
    hand_back_members,
    move_work,
    ownership_history,
    reassign_members,
    rebalance,
    resolve_unassigned,
    stores_without_manager,
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
from lastmile_desktop.campaigns.do_not_call import (
    add_entry,
    find_active_entry,
    list_entries,
    remove_entry,
)
from lastmile_desktop.campaigns.managers import (
    ManagerDraft,
    add_manager,
    deactivate_manager,
    get_manager,
    list_managers,
    reactivate_manager,
    update_manager,
)
from lastmile_desktop.campaigns.members import (
    MemberFilter,
    assignment_overview,
    count_members,
    member_page,
)
from lastmile_desktop.campaigns.privacy import (
    KEPT_CUSTOMER_COLUMNS,
    find_customers_to_forget,
    forget_customer,
    forget_customers,
)
from lastmile_desktop.campaigns.stores import StoreDraft, add_store, update_store
from lastmile_desktop.exporting.results import export_results
from lastmile_desktop.importing.model import ImportOptions
from lastmile_desktop.importing.rejects import (
    export_rejected_rows,
    rejected_rows,
    rejected_rows_table,
)
from lastmile_desktop.importing.sales import import_sales, inspect_sales_file
from lastmile_desktop.importing.service import inspect_file, list_batches, run_import
from lastmile_desktop.importing.suppression_list import import_suppression_file
from lastmile_desktop.leaderboard.facts import Figure
from lastmile_desktop.leaderboard.names import set_store_names_shown
from lastmile_desktop.leaderboard.service import (
    customers_behind,
    leaderboard,
    store_detail,
    weekly_trend,
)
from lastmile_desktop.packs.pack_in import import_pack
from lastmile_desktop.packs.pack_out import export_pack
from lastmile_desktop.packs.results_in import import_store_results
from lastmile_desktop.packs.results_out import export_store_results
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignMember, Customer, DoNotCall
from lastmile_desktop.storage.outbox_store import OUTBOX_FILE_NAME, OutboxStore
from tests.importing.service_support import (
    customer,
    dump,
    import_list,
    store_codes,
    write_list,
)

FEATURE_PACKAGES = ("importing", "campaigns", "calling", "leaderboard", "exporting", "packs")
# Personal data: the customer columns "Forget this customer" erases, and the names DTOs give
# what they hold ("Ann Smith", a rejected row's cells, reasons and notes people write).
PERSONAL_FIELDS = frozenset(
    column.key for column in Customer.__table__.columns if column.key not in KEPT_CUSTOMER_COLUMNS
) | {"customer_name", "values", "reason", "note"}
EXPORT = "(writes a file: an export)"

# Services that hand out personal data and yet need no profile, each with the reason.
# Empty on purpose: even the command line's helpers take the local lead's profile. A new
# entry needs a reason a reviewer accepts; a stale one fails the test below.
NEEDS_NO_PROFILE: dict[str, str] = {}

LEAD = Profile.lead()


def service_functions() -> dict[str, Callable[..., Any]]:
    """Public functions of the feature packages taking the database first, by dotted name."""
    found: dict[str, Callable[..., Any]] = {}
    for package_name in FEATURE_PACKAGES:
        package = importlib.import_module(f"lastmile_desktop.{package_name}")
        modules = [package] + [
            importlib.import_module(info.name)
            for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
        ]
        for module in modules:
            for name, value in vars(module).items():
                if name.startswith("_") or not inspect.isfunction(value):
                    continue
                if value.__module__ != module.__name__:
                    continue  # imported from elsewhere: counted where it is defined
                # Read as written: some helpers' annotations only evaluate for the type checker.
                first = next(iter(inspect.signature(value).parameters.values()), None)
                if first is not None and first.annotation in ("Database", Database):
                    short = module.__name__.removeprefix("lastmile_desktop.")
                    found[f"{short}.{name}"] = value
    return found


def personal_data_in(annotation: object, seen: set[type] | None = None) -> set[str]:
    """The personal fields a value of this type can carry, nested DTOs and containers too."""
    seen = set() if seen is None else seen
    if isinstance(annotation, type) and issubclass(annotation, PurePath):
        return {EXPORT}
    if isinstance(annotation, type) and dataclasses.is_dataclass(annotation):
        if annotation in seen:
            return set()
        seen.add(annotation)
        hints = typing.get_type_hints(annotation)
        found = {field.name for field in dataclasses.fields(annotation)} & PERSONAL_FIELDS
        for field in dataclasses.fields(annotation):
            found |= personal_data_in(hints[field.name], seen)
        return found
    found = set()
    for argument in typing.get_args(annotation):
        found |= personal_data_in(argument, seen)
    return found


def hands_out_personal_data(function: Callable[..., Any]) -> set[str]:
    return personal_data_in(typing.get_type_hints(function).get("return"))


def takes_profile(function: Callable[..., Any]) -> bool:
    return "profile" in inspect.signature(function).parameters


def test_every_service_handing_out_customer_data_takes_the_profile() -> None:
    services = service_functions()
    without_profile = {
        name: sorted(fields)
        for name, function in services.items()
        if (fields := hands_out_personal_data(function)) and not takes_profile(function)
    }
    assert without_profile == {
        name: sorted(hands_out_personal_data(services[name])) for name in NEEDS_NO_PROFILE
    }, "take the profile and filter by it (campaigns/access.py decides what it may see)"


def test_the_check_recognises_the_services_that_hand_out_customer_data() -> None:
    """The walk and the type reading find what they must, so the test above can fail."""
    services = service_functions()
    found = {name: hands_out_personal_data(f) for name, f in services.items()}
    assert {"customer_name", "phone"} <= found["campaigns.members.member_page"]
    assert {"phone", "reason"} <= found["campaigns.do_not_call.list_entries"]
    assert {"phone", "email"} <= found["campaigns.managers.list_managers"]
    assert found["importing.rejects.rejected_rows"] == {"reason"}
    assert found["importing.rejects.export_rejected_rows"] == {EXPORT}
    assert {"reason", "values"} & found["importing.service.run_import"]
    assert found["campaigns.stores.list_stores"] == set()
    assert found["campaigns.members.count_members"] == set()


# --- a deactivated manager ------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    tmp: Path
    workbook: Path
    suppression: Path
    batch: int
    campaign: int
    store: int
    other_store: int
    member: int
    customer: int
    alex: int
    sam: Profile  # deactivated
    entry: int


def member_uuid(db: Database, member: int) -> uuid.UUID:
    with db.read_session() as session:
        found = session.scalar(select(CampaignMember.uuid).where(CampaignMember.id == member))
    assert found is not None
    return found


@pytest.fixture
def world(db: Database, tmp_path: Path) -> World:
    """An imported, assigned list at stores 1-3; Sam (store 1) has been deactivated."""
    workbook = write_list(
        tmp_path / "list.xlsx", [customer(n) for n in range(1, 10)] + [customer(10, phone="1")]
    )
    summary = import_list(db, workbook)
    stores = {code: store_id for store_id, code in store_codes(db).items()}
    store, other = stores["1"], stores["2"]
    sam = add_manager(db, ManagerDraft("Sam", store), LEAD)
    alex = add_manager(db, ManagerDraft("Alex", store), LEAD)
    add_manager(db, ManagerDraft("Priya", other), LEAD)
    campaign = campaign_to_assign(db)
    assign_campaign(db, campaign, LEAD, seed=1)
    deactivate_manager(db, sam.id, LEAD)
    entry = add_entry(db, phone="+447400100555", reason="asked", profile=LEAD).entry.id
    with db.read_session() as session:
        member, customer_id = session.execute(
            CampaignMember.__table__.select()
            .with_only_columns(CampaignMember.id, CampaignMember.customer_id)
            .where(CampaignMember.store_id == store, CampaignMember.manager_id == alex.id)
            .limit(1)
        ).one()
    suppression = tmp_path / "opt-outs.csv"
    suppression.write_text("Phone\n+447400100556\n", encoding="utf-8")
    return World(
        tmp=tmp_path,
        workbook=workbook,
        suppression=suppression,
        batch=summary.batch_id,
        campaign=campaign,
        store=store,
        other_store=other,
        member=member,
        customer=customer_id,
        alex=alex.id,
        sam=Profile.manager("Sam", sam.id, store),
        entry=entry,
    )


Call = Callable[[Database, World, Profile], object]


def outbox_of(db: Database, world: World) -> Outbox:
    """The outbox a window on this database keeps (on a server), in the test's folder."""
    return Outbox(OutboxStore(world.tmp / OUTBOX_FILE_NAME), server_key(db.url))


# Every service that takes a profile, called as that profile would call it.
PROFILE_CALLS: dict[str, Call] = {
    "importing.service.inspect_file": lambda d, w, p: inspect_file(d, w.workbook, profile=p),
    "importing.service.run_import": lambda d, w, p: run_import(
        d, w.workbook, ImportOptions(region="GB", allow_repeat=True), profile=p
    ),
    "importing.service.list_batches": lambda d, w, p: list_batches(d, p),
    "importing.rejects.rejected_rows": lambda d, w, p: rejected_rows(d, w.batch, p),
    "importing.rejects.rejected_rows_table": lambda d, w, p: rejected_rows_table(d, w.batch, p),
    "importing.rejects.export_rejected_rows": lambda d, w, p: export_rejected_rows(
        d, w.batch, w.tmp / "rejects.csv", p
    ),
    "campaigns.assignment.assign_campaign": lambda d, w, p: assign_campaign(d, w.campaign, p),
    "campaigns.assignment.resolve_unassigned": lambda d, w, p: resolve_unassigned(
        d, p, [w.member], w.store
    ),
    "campaigns.assignment.reassign_members": lambda d, w, p: reassign_members(
        d, p, [w.member], w.alex, "mine now"
    ),
    "campaigns.assignment.move_work": lambda d, w, p: move_work(d, p, w.alex, "left"),
    "campaigns.assignment.rebalance": lambda d, w, p: rebalance(d, p, w.campaign),
    "campaigns.assignment.hand_back": lambda d, w, p: hand_back(d, p, w.member, "moved"),
    "campaigns.assignment.hand_back_members": lambda d, w, p: hand_back_members(
        d, p, [w.member], "moved"
    ),
    "campaigns.assignment.stores_without_manager": lambda d, w, p: stores_without_manager(
        d, w.campaign, p
    ),
    "campaigns.assignment.ownership_history": lambda d, w, p: ownership_history(d, p, w.member),
    "campaigns.campaigns.create_campaign": lambda d, w, p: create_campaign(
        d, CampaignDraft("Sam's"), p
    ),
    "campaigns.campaigns.update_campaign": lambda d, w, p: update_campaign(
        d, w.campaign, CampaignDraft("Sam's"), p
    ),
    "campaigns.campaigns.close_campaign": lambda d, w, p: close_campaign(d, w.campaign, p),
    "campaigns.campaigns.reopen_campaign": lambda d, w, p: reopen_campaign(d, w.campaign, p),
    "calling.queue.build_queue": lambda d, w, p: build_queue(d, p),
    "calling.claims.claim_next": lambda d, w, p: claim_next(d, p, None, "desk 1"),
    "calling.card.customer_card": lambda d, w, p: customer_card(d, p, member_uuid(d, w.member)),
    "calling.card.set_pinned_note": lambda d, w, p: set_pinned_note(
        d, p, member_uuid(d, w.member), "new baby: Simon"
    ),
    "calling.log.log_outcome": lambda d, w, p: log_outcome(d, p, member_uuid(d, w.member), "busy"),
    # Refused before the attempt is looked up, so any id will do.
    "calling.log.undo_outcome": lambda d, w, p: undo_outcome(d, p, uuid.uuid4()),
    "calling.outbox.log_or_queue": lambda d, w, p: log_or_queue(
        d, outbox_of(d, w), p, member_uuid(d, w.member), "busy"
    ),
    "calling.outbox.take_back": lambda d, w, p: take_back(d, outbox_of(d, w), p, uuid.uuid4()),
    "calling.my_day.my_day": lambda d, w, p: my_day(d, p),
    "campaigns.database_settings.save_database_settings": lambda d, w, p: save_database_settings(
        d, DatabaseSettings("FR", 0, None), p
    ),
    "campaigns.database_settings.save_default_region": lambda d, w, p: save_default_region(
        d, "FR", p
    ),
    "campaigns.do_not_call.add_entry": lambda d, w, p: add_entry(
        d, phone="+447400100557", profile=p
    ),
    "campaigns.do_not_call.remove_entry": lambda d, w, p: remove_entry(
        d, w.entry, reason="mistake", profile=p
    ),
    "campaigns.do_not_call.list_entries": lambda d, w, p: list_entries(d, p),
    "campaigns.do_not_call.find_active_entry": lambda d, w, p: find_active_entry(
        d, phone="+447400100555", profile=p
    ),
    "importing.suppression_list.import_suppression_file": lambda d, w, p: import_suppression_file(
        d, w.suppression, p
    ),
    "campaigns.managers.list_managers": lambda d, w, p: list_managers(d, p),
    "campaigns.managers.get_manager": lambda d, w, p: get_manager(d, w.alex, p),
    "campaigns.managers.add_manager": lambda d, w, p: add_manager(
        d, ManagerDraft("Kim", w.store), p
    ),
    "campaigns.managers.update_manager": lambda d, w, p: update_manager(
        d, w.alex, ManagerDraft("Alex B", w.store), p
    ),
    "campaigns.managers.deactivate_manager": lambda d, w, p: deactivate_manager(d, w.alex, p),
    "campaigns.managers.reactivate_manager": lambda d, w, p: reactivate_manager(
        d, p.manager_id or 0, p
    ),
    "campaigns.members.count_members": lambda d, w, p: count_members(
        d, p, MemberFilter(w.campaign)
    ),
    "campaigns.members.member_page": lambda d, w, p: member_page(d, p, MemberFilter(w.campaign)),
    "campaigns.members.assignment_overview": lambda d, w, p: assignment_overview(d, p, w.campaign),
    "campaigns.privacy.forget_customer": lambda d, w, p: forget_customer(d, w.customer, p),
    "campaigns.privacy.forget_customers": lambda d, w, p: forget_customers(d, [w.customer], p),
    "campaigns.privacy.find_customers_to_forget": lambda d, w, p: find_customers_to_forget(
        d, p, external_id="HO-1"
    ),
    "campaigns.stores.add_store": lambda d, w, p: add_store(d, StoreDraft("Sam's", "99"), p),
    "campaigns.stores.update_store": lambda d, w, p: update_store(
        d, w.store, StoreDraft("Sam's shop", "1"), p
    ),
    "importing.sales.inspect_sales_file": lambda d, w, p: inspect_sales_file(
        d, w.workbook, profile=p
    ),
    "importing.sales.import_sales": lambda d, w, p: import_sales(d, w.workbook, profile=p),
    "leaderboard.names.set_store_names_shown": lambda d, w, p: set_store_names_shown(d, p, True),
    "leaderboard.service.leaderboard": lambda d, w, p: leaderboard(d, p),
    "leaderboard.service.weekly_trend": lambda d, w, p: weekly_trend(d, p),
    "leaderboard.service.store_detail": lambda d, w, p: store_detail(d, p, w.store),
    "leaderboard.service.customers_behind": lambda d, w, p: customers_behind(
        d, p, w.store, Figure.ASSIGNED
    ),
    "exporting.results.export_results": lambda d, w, p: export_results(
        d, p, w.tmp / "results.xlsx"
    ),
    "packs.results_out.export_store_results": lambda d, w, p: export_store_results(
        d, p, w.tmp / "store-results.xlsx"
    ),
    "packs.pack_out.export_pack": lambda d, w, p: export_pack(
        d, p, w.tmp / "store-pack.xlsx", store="1"
    ),
    # Refused before the file is read, so any file will do.
    "packs.pack_in.import_pack": lambda d, w, p: import_pack(d, p, w.workbook),
    # Lead only: refused before the file is read, so any file will do.
    "packs.results_in.import_store_results": lambda d, w, p: import_store_results(d, p, w.workbook),
}


def test_the_refusal_test_calls_every_service_that_takes_a_profile() -> None:
    taking = {name for name, f in service_functions().items() if takes_profile(f)}
    assert taking == set(PROFILE_CALLS)


@pytest.mark.parametrize("service", sorted(PROFILE_CALLS))
def test_a_deactivated_managers_profile_is_refused_by_every_service(
    db: Database, world: World, service: str
) -> None:
    before = dump(db)
    with pytest.raises(AccessDenied) as refused:
        PROFILE_CALLS[service](db, world, world.sam)
    sentence = str(refused.value)
    # Lead-only work says so before looking further; everything else names the reason.
    assert sentence == INACTIVE_MANAGER.format(name="Sam") or sentence.startswith(
        "Only the regional lead can "
    )
    assert dump(db) == before
    assert not (world.tmp / "rejects.csv").exists()
    assert not (world.tmp / "results.xlsx").exists()
    assert not (world.tmp / "store-results.xlsx").exists()
    assert not (world.tmp / "store-pack.xlsx").exists()


def test_what_a_deactivated_manager_could_do_before_is_refused_with_the_reason(
    db: Database, world: World
) -> None:
    active_before = Profile.manager("Alex", world.alex, world.store)
    assert count_members(db, active_before, MemberFilter(world.campaign)) > 0
    deactivate_manager(db, world.alex, LEAD)
    sentence = INACTIVE_MANAGER.format(name="Alex")
    for service in (
        "campaigns.members.member_page",
        "campaigns.do_not_call.add_entry",
        "campaigns.stores.update_store",
        "importing.rejects.rejected_rows",
    ):
        with pytest.raises(AccessDenied) as refused:
            PROFILE_CALLS[service](db, world, active_before)
        assert str(refused.value) == sentence
    with db.read_session() as session:
        assert session.query(DoNotCall).count() == 1


def test_a_manager_moved_to_another_store_picks_the_profile_again(
    db: Database, world: World
) -> None:
    kim = add_manager(db, ManagerDraft("Kim", world.store), LEAD)
    at_first_store = Profile.manager("Kim", kim.id, world.store)
    assert list_managers(db, at_first_store)
    update_manager(db, kim.id, ManagerDraft("Kim", world.other_store), LEAD)
    with pytest.raises(AccessDenied, match="now works at another store"):
        member_page(db, at_first_store, MemberFilter(world.campaign))
