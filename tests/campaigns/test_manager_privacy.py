"""What a store manager's profile reads through the services: their own store's customers,
the holdout only as a count, and the do-not-call entries and managers of their store."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.campaigns.assignment import assign_campaign, ownership_history
from lastmile_desktop.campaigns.do_not_call import (
    EntryNotFound,
    add_entry,
    find_active_entry,
    list_entries,
)
from lastmile_desktop.campaigns.managers import get_manager, list_managers
from lastmile_desktop.campaigns.members import (
    MemberFilter,
    MemberSort,
    assignment_overview,
    count_members,
    member_page,
)
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import MemberGroup, MemberStatus
from tests.campaigns import campaign_data
from tests.campaigns.member_builders import (
    add_campaign,
    add_managers,
    add_members,
    add_store,
    random_customers,
)

LEAD = Profile.lead()


@dataclass(frozen=True)
class Shops:
    campaign: int
    leeds: int
    york: int
    alice: Profile  # manages Leeds
    dan: Profile  # manages York
    members: dict[str, int]  # member id by customer's first name


@pytest.fixture
def shops(db: Database) -> Shops:
    """Leeds and York, one campaign: customers in the call group, one in Leeds's holdout."""
    leeds, york = add_store(db, "1", "Leeds"), add_store(db, "2", "York")
    (alice,) = add_managers(db, leeds, "Alice")
    (dan,) = add_managers(db, york, "Dan")
    campaign = add_campaign(db, share=0.0)
    people = {
        # first name: (store, phone, other phone, head office id, group)
        "Lena": (leeds, "+447400100001", None, None, MemberGroup.CALL),
        "Luke": (leeds, "+447400100099", "+447400100002", None, MemberGroup.CALL),
        "Lily": (leeds, "+447400100098", None, "HO-7", MemberGroup.CALL),
        "Hana": (leeds, "+447400100004", None, "HO-8", MemberGroup.HOLDOUT),
        "Yusuf": (york, "+447400100003", None, "HO-9", MemberGroup.CALL),
    }
    members = {}
    with db.session() as session:
        for first, (store, phone, other, external_id, group) in people.items():
            customer = campaign_data.add_customer(
                session,
                first_name=first,
                last_name="Example",
                phone=phone,
                phone_alt=other,
                external_id=external_id,
                home_store_id=store,
            )
            holdout = group is MemberGroup.HOLDOUT
            members[first] = campaign_data.add_member(
                session,
                campaign,
                customer,
                store_id=store,
                manager_id=None if holdout else {leeds: alice, york: dan}[store],
                group=group,
                status=MemberStatus.HOLDOUT if holdout else MemberStatus.TO_CALL,
            )
    return Shops(
        campaign,
        leeds,
        york,
        Profile.manager("Alice", alice, leeds),
        Profile.manager("Dan", dan, york),
        members,
    )


def listed(db: Database, profile: Profile) -> set[str]:
    return {entry.phone or entry.customer_id or "" for entry in list_entries(db, profile)}


def test_a_manager_sees_do_not_call_entries_of_their_own_stores_customers_only(
    db: Database, shops: Shops
) -> None:
    for phone in ("+447400100001", "+447400100002", "+447400100003", "+447400100004"):
        add_entry(db, phone=phone, reason="asked", profile=LEAD)
    add_entry(db, customer_id="HO-7", reason="asked", profile=LEAD)
    add_entry(db, phone="+447400100555", reason="nobody we know", profile=LEAD)

    assert len(list_entries(db, LEAD)) == 6
    # Lena by phone, Luke by his other phone, Lily by head office's id; Hana is in the
    # holdout (never shown by name or number to a manager), Yusuf is York's.
    assert listed(db, shops.alice) == {"+447400100001", "+447400100002", "HO-7"}
    assert listed(db, shops.dan) == {"+447400100003"}
    with pytest.raises(EntryNotFound):
        find_active_entry(db, phone="+447400100003", profile=shops.alice)
    assert find_active_entry(db, customer_id="HO-7", profile=shops.alice).customer_id == "HO-7"
    assert find_active_entry(db, phone="+447400100555", profile=LEAD).reason == "nobody we know"


def test_a_manager_sees_holdout_members_only_as_a_count(db: Database, shops: Shops) -> None:
    everyone = MemberFilter(shops.campaign)
    alice = shops.alice
    for sort in MemberSort:
        rows = member_page(db, alice, everyone, sort, False, 0, 100)
        assert {row.customer_name for row in rows} == {
            "Lena Example",
            "Luke Example",
            "Lily Example",
        }
    assert count_members(db, alice, everyone) == 3
    for member_filter in (
        MemberFilter(shops.campaign, group=MemberGroup.HOLDOUT),
        MemberFilter(shops.campaign, status=MemberStatus.HOLDOUT),
        MemberFilter(shops.campaign, search="Hana"),
        MemberFilter(shops.campaign, search="07400 100004"),
    ):
        assert count_members(db, alice, member_filter) == 0
        assert member_page(db, alice, member_filter) == []
        assert count_members(db, LEAD, member_filter) == 1

    [leeds] = assignment_overview(db, alice, shops.campaign)
    assert (leeds.store_name, leeds.members, leeds.holdout, leeds.call_group) == (
        "Leeds",
        4,
        1,
        3,
    )
    with pytest.raises(AccessDenied, match="holdout is shown only as a count"):
        ownership_history(db, alice, shops.members["Hana"])
    assert ownership_history(db, alice, shops.members["Lena"]) == []


def test_the_overview_counts_a_managers_holdout_after_a_real_draw(db: Database) -> None:
    store = add_store(db, "1", "Leeds")
    (sam,) = add_managers(db, store, "Sam")
    campaign = add_campaign(db, share=0.2)
    add_members(db, campaign, store, random_customers(30))
    assign_campaign(db, campaign, LEAD, seed=3)
    manager = Profile.manager("Sam", sam, store)

    [as_lead] = assignment_overview(db, LEAD, campaign)
    [as_manager] = assignment_overview(db, manager, campaign)
    assert as_lead.holdout == 6
    assert as_manager == as_lead
    shown = member_page(db, manager, MemberFilter(campaign), MemberSort.NAME, False, 0, 100)
    assert len(shown) == 24
    assert {row.group for row in shown} == {MemberGroup.CALL}


def test_a_manager_lists_only_their_own_stores_managers(db: Database, shops: Shops) -> None:
    add_managers(db, shops.york, "Dora")
    assert [m.name for m in list_managers(db, LEAD)] == ["Alice", "Dan", "Dora"]
    assert [m.name for m in list_managers(db, shops.dan)] == ["Dan", "Dora"]
    assert [m.name for m in list_managers(db, shops.alice, store_id=shops.york)] == []
    with pytest.raises(AccessDenied, match="managers of your own store"):
        get_manager(db, shops.dan.manager_id or 0, shops.alice)
    assert get_manager(db, shops.alice.manager_id or 0, shops.alice).name == "Alice"
