"""How many statements, BEGINs and COMMITs showing the next customer costs: on a PostgreSQL
server each is a round trip, which every caller on a busy server waits for. The claim and
the card are one statement there; the card alone is one statement on both databases."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import Connection, event, select, update

from lastmile_desktop.calling.card import customer_card
from lastmile_desktop.calling.claims import claim_next
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.lookup import MemberNotFound
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.access import AccessDenied
from lastmile_desktop.campaigns.managers import deactivate_manager
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignMember, Manager, MemberClaim, ScriptVersion
from tests.calling.desk_data import LEAD, LONDON, Person, Region, build_region, uk_mobile, utc

AT = utc(2025, 1, 15, 12, 0)  # lunchtime in London: everyone is callable
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK")


@dataclass
class Sent:
    statements: list[str] = field(default_factory=list)
    # BEGIN, COMMIT and ROLLBACK sent to the database. SQLAlchemy fires its events on an
    # autocommit connection too, where the driver sends nothing: those are left out.
    transaction_control: list[str] = field(default_factory=list)


@contextmanager
def sent_to(db: Database) -> Iterator[Sent]:
    sent = Sent()

    def statement(*args: object) -> None:
        text = str(args[2])
        if not text.strip().upper().startswith(TRANSACTION_CONTROL):  # SQLite's own BEGIN
            sent.statements.append(text)

    def control(name: str) -> object:
        def record(connection: Connection) -> None:
            if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                sent.transaction_control.append(name)

        return record

    listeners = [
        ("before_cursor_execute", statement),
        ("begin", control("BEGIN")),
        ("commit", control("COMMIT")),
        ("rollback", control("ROLLBACK")),
    ]
    for name, listener in listeners:
        event.listen(db.engine, name, listener)
    try:
        yield sent
    finally:
        for name, listener in listeners:
            event.remove(db.engine, name, listener)


@pytest.fixture
def region(db: Database) -> Region:
    return build_region(
        db,
        [
            Person("Ann", uk_mobile(1), 90_000),
            Person("Ben", uk_mobile(2), 80_000),
            Person("Cat", uk_mobile(3), 70_000),
        ],
    )


def held_by(region: Region, desk: str) -> set[str]:
    names = {member: name for name, member in region.members.items()}
    with region.db.read_session() as session:
        held = session.scalars(
            select(CampaignMember.uuid)
            .join(MemberClaim, MemberClaim.member_id == CampaignMember.id)
            .where(MemberClaim.claimed_by == desk)
        )
        return {names[member] for member in held}


@pytest.mark.postgres
def test_the_leads_claim_of_the_next_customer_is_one_statement_with_no_begin_or_commit(
    region: Region,
) -> None:
    queue = build_queue(region.db, LEAD, store="LON", at=AT).now
    claim_next(region.db, LEAD, None, "desk A", candidates=queue, at=AT)  # one to let go of
    log_outcome(region.db, LEAD, region.members["Ann"], "no_answer", at=AT)
    queue = build_queue(region.db, LEAD, store="LON", at=AT).now
    with sent_to(region.db) as sent:
        claimed = claim_next(region.db, LEAD, None, "desk A", candidates=queue, at=AT)
    assert claimed is not None
    assert claimed.card.name == "Ben Example"
    assert len(sent.statements) == 1, sent.statements
    assert sent.transaction_control == []
    assert held_by(region, "desk A") == {"Ben"}  # Ann let go of in the same statement


@pytest.mark.postgres
def test_a_managers_claim_is_one_statement_too(region: Region) -> None:
    alice = region.managers["Alice"]
    queue = build_queue(region.db, alice, at=AT).now
    with sent_to(region.db) as sent:
        claimed = claim_next(region.db, alice, None, "desk A", candidates=queue, at=AT)
    assert claimed is not None
    assert len(sent.statements) == 1, sent.statements
    assert sent.transaction_control == []


def test_a_customer_card_is_one_statement(region: Region) -> None:
    log_outcome(region.db, LEAD, region.members["Ann"], "no_answer", at=AT)
    with sent_to(region.db) as sent:
        card = customer_card(region.db, region.managers["Alice"], region.members["Ann"], at=AT)
    assert [line.outcome for line in card.history] == ["no_answer"]
    assert len(sent.statements) == 1, sent.statements


@pytest.mark.postgres
def test_a_customer_card_sends_no_begin_or_commit_to_the_server(region: Region) -> None:
    with sent_to(region.db) as sent:
        customer_card(region.db, LEAD, region.members["Ann"], at=AT)
    assert sent.transaction_control == []


def test_the_card_carries_the_stores_time_zone_and_the_current_script_version(
    region: Region,
) -> None:
    with region.db.read_session() as session:
        newest = session.scalars(
            select(ScriptVersion.id)
            .where(ScriptVersion.campaign_id == region.campaign_id)
            .order_by(ScriptVersion.version.desc())
            .limit(1)
        ).first()
    card = customer_card(region.db, LEAD, region.members["Ann"], at=AT)
    assert card.seen is not None
    assert (card.seen.zones, card.seen.script_version_id) == ((LONDON,), newest)
    claimed = claim_next(region.db, LEAD, None, "desk A", store="LON", at=AT)
    assert claimed is not None and claimed.card.seen is not None
    assert (claimed.card.seen.zones, claimed.card.seen.script_version_id) == ((LONDON,), newest)


def test_a_customer_never_called_has_an_empty_history(region: Region) -> None:
    assert customer_card(region.db, LEAD, region.members["Ann"], at=AT).history == []


def test_a_deactivated_managers_claim_is_refused_and_keeps_the_desks_customer(
    region: Region,
) -> None:
    alice = region.managers["Alice"]
    assert claim_next(region.db, alice, None, "desk A", at=AT) is not None
    assert held_by(region, "desk A") == {"Ann"}
    assert alice.manager_id is not None
    deactivate_manager(region.db, alice.manager_id, LEAD)
    queue = build_queue(region.db, LEAD, store="LON", at=AT).now
    with pytest.raises(AccessDenied, match="no longer active"):
        claim_next(region.db, alice, None, "desk A", candidates=queue, at=AT)
    assert held_by(region, "desk A") == {"Ann"}


def test_a_manager_moved_to_another_store_is_told_to_pick_the_profile_again(
    region: Region,
) -> None:
    alice = region.managers["Alice"]
    with region.db.session() as session:
        session.execute(
            update(Manager)
            .where(Manager.id == alice.manager_id)
            .values(store_id=region.stores["LEE"])
        )
    queue = build_queue(region.db, LEAD, store="LON", at=AT).now
    with pytest.raises(AccessDenied, match="another store"):
        claim_next(region.db, alice, None, "desk A", candidates=queue, at=AT)
    with pytest.raises(AccessDenied, match="another store"):
        customer_card(region.db, alice, region.members["Ann"], at=AT)


def test_a_card_of_another_stores_customer_or_of_nobody_is_refused(region: Region) -> None:
    bob = region.managers["Bob"]
    with pytest.raises(AccessDenied, match="your own store"):
        customer_card(region.db, bob, region.members["Ann"], at=AT)
    with pytest.raises(MemberNotFound):
        customer_card(region.db, LEAD, uuid.UUID(int=1), at=AT)
