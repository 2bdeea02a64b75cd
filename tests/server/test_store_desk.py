"""The app on a store's login: the desk's writes pass the server's rules, a do-not-call
outcome reaches the stores the login cannot see, and what only the lead may do is refused
in a sentence."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from lastmile_desktop.calling.card import set_pinned_note
from lastmile_desktop.calling.log import log_outcome, undo_outcome
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.assignment import assign_campaign, hand_back, ownership_history
from lastmile_desktop.campaigns.campaigns import CampaignDraft, create_campaign
from lastmile_desktop.campaigns.do_not_call import list_entries
from lastmile_desktop.campaigns.stores import StoreDraft, get_store, update_store
from lastmile_desktop.storage.models import (
    Campaign,
    CampaignMember,
    Customer,
    DoNotCall,
    MemberStatus,
)
from lastmile_desktop.storage.server_roles import ServerRefusedError
from tests.calling.desk_data import CAMPAIGN, LEAD, uk_mobile, utc
from tests.server.chain import Chain

pytestmark = pytest.mark.postgres

MONDAY = utc(2025, 1, 13, 10, 0)
AUTUMN = "Autumn"


def ann_at_leeds_too(chain: Chain) -> uuid.UUID:
    """A second open campaign in which LON's Ann is LEE's customer, still to call."""
    region = chain.region
    info = create_campaign(region.db, CampaignDraft(AUTUMN, holdout_share=0.0), LEAD)
    with region.db.session() as session:
        customer = session.scalars(
            select(CampaignMember.customer_id).where(CampaignMember.uuid == region.members["Ann"])
        ).one()
        member = CampaignMember(
            campaign_id=info.id,
            customer_id=customer,
            store_id=region.stores["LEE"],
            status=MemberStatus.UNASSIGNED,
        )
        session.add(member)
        session.flush()
        key = member.uuid
    assign_campaign(region.db, info.id, LEAD, seed=1)
    return key


def status_of(chain: Chain, member: uuid.UUID) -> str:
    with chain.region.db.read_session() as session:
        return session.scalars(
            select(CampaignMember.status).where(CampaignMember.uuid == member)
        ).one()


def queued_names(chain: Chain, code: str, profile_name: str, campaign: str) -> list[str]:
    db = chain.open_as(code)
    queue = build_queue(db, chain.region.managers[profile_name], campaign=campaign, at=MONDAY)
    return sorted(entry.name.split()[0] for entry in queue.now)


def test_a_store_logs_and_undoes_its_own_calls(chain: Chain) -> None:
    region = chain.region
    lon = chain.open_as("LON")
    alice = region.managers["Alice"]
    logged = log_outcome(lon, alice, region.members["Ann"], "N", at=MONDAY)
    assert (logged.status, status_of(chain, region.members["Ann"])) == ("in_progress",) * 2
    set_pinned_note(lon, alice, region.members["Ann"], "New baby: Simon")

    undo_outcome(lon, alice, logged.attempt)

    assert status_of(chain, region.members["Ann"]) == MemberStatus.TO_CALL
    with region.db.read_session() as session:
        notes = session.scalars(
            select(Customer.pinned_note).where(Customer.pinned_note.is_not(None))
        )
        assert list(notes) == ["New baby: Simon"]


def test_a_do_not_call_outcome_at_one_store_takes_the_customer_off_every_stores_desk(
    chain: Chain,
) -> None:
    region = chain.region
    ann_at_leeds = ann_at_leeds_too(chain)
    assert queued_names(chain, "LEE", "Bob", AUTUMN) == ["Ann"]
    lon = chain.open_as("LON")

    logged = log_outcome(lon, region.managers["Alice"], region.members["Ann"], "D", at=MONDAY)

    # LON's login cannot see Ann's membership at LEE; the server suppressed it all the same.
    assert status_of(chain, ann_at_leeds) == MemberStatus.SUPPRESSED
    assert queued_names(chain, "LEE", "Bob", AUTUMN) == []
    (entry,) = list_entries(chain.open_as("LEE"), region.managers["Bob"])
    assert entry.phone == uk_mobile(1)

    undo_outcome(lon, region.managers["Alice"], logged.attempt)  # a wrong key

    assert status_of(chain, ann_at_leeds) == MemberStatus.TO_CALL
    assert queued_names(chain, "LEE", "Bob", AUTUMN) == ["Ann"]


def test_undoing_a_stores_entry_leaves_out_a_customer_another_entry_still_lists(
    chain: Chain,
) -> None:
    region = chain.region
    ann_at_leeds = ann_at_leeds_too(chain)
    lon = chain.open_as("LON")
    logged = log_outcome(lon, region.managers["Alice"], region.members["Ann"], "D", at=MONDAY)
    with region.db.session() as session:  # head office's list names her too, by id
        session.add(DoNotCall(customer_external_id="ho-ann", source="head office"))

    undo_outcome(lon, region.managers["Alice"], logged.attempt)

    assert status_of(chain, ann_at_leeds) == MemberStatus.SUPPRESSED


def test_a_store_hands_a_customer_back_and_edits_its_own_details(chain: Chain) -> None:
    region = chain.region
    lon = chain.open_as("LON")
    alice = region.managers["Alice"]
    member = region.member_id("Ben")

    change = hand_back(lon, alice, member, "moved near Leeds")

    assert (change.from_store_id, change.to_store_id) == (region.stores["LON"], None)
    assert [c.reason for c in ownership_history(region.db, LEAD, member)][-1] == "moved near Leeds"
    own = get_store(lon, region.stores["LON"])
    update_store(lon, own.id, StoreDraft("Camden High St", own.code, own.timezone), alice)
    assert get_store(region.db, own.id).name == "Camden High St"


def test_what_only_the_lead_may_do_is_refused_in_a_sentence(chain: Chain) -> None:
    lon = chain.open_as("LON")
    with pytest.raises(ServerRefusedError, match=r"refused this to the login store_lon_\w+"):
        create_campaign(lon, CampaignDraft("Rogue"), LEAD)
    with chain.region.db.read_session() as session:
        assert list(session.scalars(select(Campaign.name))) == [CAMPAIGN]
