from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.managers import list_managers
from lastmile_desktop.campaigns.members import (
    FORGOTTEN_NAME,
    MemberFilter,
    MemberRow,
    MemberSort,
    assignment_overview,
    count_members,
    member_page,
)
from lastmile_desktop.campaigns.profiles import available_profiles
from lastmile_desktop.campaigns.stores import list_stores, natural_sort_key, store_label
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    CampaignMember,
    Customer,
    MemberGroup,
    MemberStatus,
)
from lastmile_desktop.storage.search_key import customer_search_key, sql_search_key
from lastmile_desktop.storage.types import utcnow
from tests.campaigns.member_builders import (
    NewCustomer,
    add_campaign,
    add_managers,
    add_members,
    add_store,
    log_attempt,
    random_customers,
)

LEAD = Profile.lead()


def person(first: str, last: str, phone: str, spend: int | None = 1000) -> NewCustomer:
    return NewCustomer(first, last, phone, spend, date(2025, 3, 1))


def all_rows(db: Database, profile: Profile, member_filter: MemberFilter) -> list[MemberRow]:
    return member_page(db, profile, member_filter, MemberSort.NAME, False, 0, 10_000)


def names(rows: list[MemberRow]) -> list[str]:
    return [row.customer_name for row in rows]


@pytest.fixture
def region(db: Database) -> dict[str, int]:
    """Leeds (Alice, Bob) with 40 customers, York (Dan) with 20, 5 with no store; assigned."""
    leeds, york = add_store(db, "1", "Leeds"), add_store(db, "2", "York")
    alice, _bob = add_managers(db, leeds, "Alice", "Bob")
    (dan,) = add_managers(db, york, "Dan")
    campaign = add_campaign(db, share=0.10)
    add_members(db, campaign, leeds, random_customers(40, seed=1))
    add_members(db, campaign, york, random_customers(20, seed=2, start=100))
    add_members(db, campaign, None, random_customers(5, seed=3, start=200))
    assign_campaign(db, campaign, LEAD, seed=11)
    return {"campaign": campaign, "leeds": leeds, "york": york, "alice": alice, "dan": dan}


def test_filters_are_applied_in_the_count_and_the_page_alike(
    db: Database, region: dict[str, int]
) -> None:
    campaign = region["campaign"]
    cases = {
        MemberFilter(campaign): 65,
        MemberFilter(campaign, store_id=region["leeds"]): 40,
        MemberFilter(campaign, store_id=region["york"], group=MemberGroup.HOLDOUT): 2,
        MemberFilter(campaign, manager_id=region["alice"]): 18,
        MemberFilter(campaign, status=MemberStatus.UNASSIGNED): 5,
        MemberFilter(campaign, group=MemberGroup.CALL): 54,
    }
    for member_filter, expected in cases.items():
        assert count_members(db, LEAD, member_filter) == expected
        rows = all_rows(db, LEAD, member_filter)
        assert len(rows) == expected
    alices = all_rows(db, LEAD, MemberFilter(campaign, manager_id=region["alice"]))
    assert {(r.manager_name, r.store_name, r.group, r.status) for r in alices} == {
        ("Alice", "Leeds", MemberGroup.CALL, MemberStatus.TO_CALL)
    }


def test_search_finds_a_name_fragment_in_any_case_and_word_order(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(
        db,
        campaign,
        store,
        [
            person("Ann", "Achebe", "+447700900001"),
            person("Annabel", "Byrne", "+447700900002"),
            person("Joanne", "Costa", "+447700900003"),
            person("Bob", "Dunn", "+447700900004"),
            person("Zoë", "O'Brien", "+447700900005"),
        ],
    )

    def found(text: str) -> list[str]:
        member_filter = MemberFilter(campaign, search=text)
        rows = all_rows(db, LEAD, member_filter)
        assert count_members(db, LEAD, member_filter) == len(rows)
        return names(rows)

    assert found("ann") == ["Ann Achebe", "Annabel Byrne", "Joanne Costa"]
    assert found("ANN") == found("ann")
    assert found("achebe ann") == ["Ann Achebe"]
    assert found("  byr  ANNA ") == ["Annabel Byrne"]
    assert found("o'bri") == ["Zoë O'Brien"]
    assert found("zoë") == ["Zoë O'Brien"]
    assert found("smith") == []
    assert found("") == names(all_rows(db, LEAD, MemberFilter(campaign)))


def test_search_finds_a_phone_number_however_it_is_typed(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(
        db,
        campaign,
        store,
        [
            person("Ann", "Achebe", "+447700900123"),
            person("Bob", "Dunn", "+447700900456"),
        ],
    )

    for typed in (
        "07700 900123",
        "+44 7700 900123",
        "0044 7700 900 123",
        "900-123",
        "(0)7700900123",
    ):
        assert names(all_rows(db, LEAD, MemberFilter(campaign, search=typed))) == ["Ann Achebe"]
    assert count_members(db, LEAD, MemberFilter(campaign, search="07700 900")) == 2
    assert count_members(db, LEAD, MemberFilter(campaign, search="dunn 456")) == 1
    assert count_members(db, LEAD, MemberFilter(campaign, search="dunn 123")) == 0


def test_search_treats_wildcard_characters_as_plain_text(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(db, campaign, store, [person("Ann", "Achebe", "+447700900123")])

    for text in ("%", "_", "a%e", "\\"):
        assert count_members(db, LEAD, MemberFilter(campaign, search=text)) == 0


@pytest.mark.parametrize("sort", list(MemberSort))
@pytest.mark.parametrize("descending", [False, True])
def test_pages_follow_the_sort_and_show_every_member_exactly_once(
    db: Database, region: dict[str, int], sort: MemberSort, descending: bool
) -> None:
    campaign = region["campaign"]
    member_filter = MemberFilter(campaign)
    pages: list[MemberRow] = []
    for offset in range(0, 70, 8):
        pages += member_page(db, LEAD, member_filter, sort, descending, offset, 8)

    assert len(pages) == len({row.member_id for row in pages}) == 65
    if sort is MemberSort.LIFETIME_SPEND:
        spends = [row.lifetime_spend_cents or 0 for row in pages]
        assert spends == sorted(spends, reverse=descending)
    if sort is MemberSort.NAME:
        keys = [f"{row.customer_name.split()[-1]} {row.customer_name.split()[0]}" for row in pages]
        surnames = [key.split()[0].lower() for key in keys]
        assert surnames == sorted(surnames, reverse=descending)
    if sort is MemberSort.ATTEMPTS:
        assert pages == sorted(pages, key=lambda r: r.attempts, reverse=descending)


def test_a_name_sorted_page_lists_surnames_then_first_names(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(
        db,
        campaign,
        store,
        [
            person("Zed", "Achebe", "+447700900001"),
            person("ann", "achebe", "+447700900002"),
            person("Bob", "Byrne", "+447700900003"),
        ],
    )

    rows = member_page(db, LEAD, MemberFilter(campaign), MemberSort.NAME, False, 0, 10)
    assert names(rows) == ["ann achebe", "Zed Achebe", "Bob Byrne"]
    rows = member_page(db, LEAD, MemberFilter(campaign), MemberSort.NAME, True, 1, 1)
    assert names(rows) == ["Zed Achebe"]


def test_a_manager_sees_only_their_own_stores_customers(
    db: Database, region: dict[str, int]
) -> None:
    campaign = region["campaign"]
    dan = Profile.manager("Dan", region["dan"], region["york"])
    york_name = all_rows(db, dan, MemberFilter(campaign))[0].customer_name
    leeds_only = next(
        row.customer_name
        for row in all_rows(db, LEAD, MemberFilter(campaign, store_id=region["leeds"]))
        if row.customer_name != york_name
    )

    # York's 20 less its 2 holdout members, whom a manager sees only as a count.
    assert count_members(db, dan, MemberFilter(campaign)) == 18
    assert {row.store_name for row in all_rows(db, dan, MemberFilter(campaign))} == {"York"}
    assert count_members(db, dan, MemberFilter(campaign, store_id=region["leeds"])) == 0
    assert member_page(db, dan, MemberFilter(campaign, store_id=region["leeds"])) == []
    assert count_members(db, dan, MemberFilter(campaign, status=MemberStatus.UNASSIGNED)) == 0
    for sort in MemberSort:
        rows = member_page(db, dan, MemberFilter(campaign), sort, False, 0, 100)
        assert {row.store_id for row in rows} == {region["york"]}
    searched = all_rows(db, dan, MemberFilter(campaign, search=leeds_only))
    assert {row.store_name for row in searched} <= {"York"}


def test_the_overview_counts_list_holdout_called_and_left_per_store_and_manager(
    db: Database,
) -> None:
    store = add_store(db, "1", "Leeds")
    alice, bob = add_managers(db, store, "Alice", "Bob")
    campaign = add_campaign(db, share=0.10)
    add_members(db, campaign, store, random_customers(30))
    add_members(db, campaign, None, random_customers(2, start=100))
    assign_campaign(db, campaign, LEAD, seed=4)
    alices = [r.member_id for r in all_rows(db, LEAD, MemberFilter(campaign, manager_id=alice))]
    for member in alices[:3]:
        log_attempt(db, member)
    with db.session() as session:
        session.execute(
            update(CampaignMember)
            .where(CampaignMember.id == alices[0])
            .values(status=MemberStatus.DONE)
        )

    leeds, bucket = assignment_overview(db, LEAD, campaign)

    assert (leeds.store_name, leeds.members, leeds.holdout, leeds.call_group) == (
        "Leeds",
        30,
        3,
        27,
    )
    assert (leeds.called, leeds.left_to_call, leeds.without_manager) == (3, 26, 0)
    by_name = {m.name: m for m in leeds.managers}
    assert (by_name["Alice"].members, by_name["Alice"].called, by_name["Alice"].left_to_call) == (
        len(alices),
        3,
        len(alices) - 1,
    )
    assert by_name["Bob"].members == 27 - len(alices)
    assert by_name["Bob"].manager_id == bob
    assert bucket.is_unassigned_bucket
    assert (bucket.store_name, bucket.members) == ("Unassigned", 2)
    manager_view = assignment_overview(db, Profile.manager("Alice", alice, store), campaign)
    assert [o.store_name for o in manager_view] == ["Leeds"]


def test_an_active_manager_with_no_customers_yet_is_listed(db: Database) -> None:
    store = add_store(db, "1")
    add_managers(db, store, "Alice")
    campaign = add_campaign(db, share=0.0)
    add_members(db, campaign, store, random_customers(3))
    assign_campaign(db, campaign, LEAD, seed=1)
    add_managers(db, store, "Newcomer")
    add_managers(db, store, "Gone", active=False)

    (leeds,) = assignment_overview(db, LEAD, campaign)

    assert [(m.name, m.members) for m in leeds.managers] == [("Alice", 3), ("Newcomer", 0)]


def test_a_forgotten_customer_is_listed_without_a_name(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    (member,) = add_members(db, campaign, store, [person("Zebedee", "Quartermaine", "+4477")])
    with db.session() as session:
        session.execute(
            update(Customer).values(first_name=None, last_name=None, phone=None, erased_at=utcnow())
        )

    (row,) = all_rows(db, LEAD, MemberFilter(campaign))
    assert (row.member_id, row.customer_name, row.phone) == (member, FORGOTTEN_NAME, None)
    assert count_members(db, LEAD, MemberFilter(campaign, search="zebedee")) == 0


def test_the_search_follows_an_edited_name(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(db, campaign, store, [person("Ann", "Achebe", "+447700900001")])
    with db.session() as session:
        session.execute(update(Customer).values(last_name="Okafor"))

    assert count_members(db, LEAD, MemberFilter(campaign, search="achebe")) == 0
    assert names(all_rows(db, LEAD, MemberFilter(campaign, search="okaf"))) == ["Ann Okafor"]


def test_an_empty_or_negative_page_request_returns_nothing(db: Database) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(db, campaign, store, random_customers(3))

    assert member_page(db, LEAD, MemberFilter(campaign), MemberSort.NAME, False, 0, 0) == []
    assert len(member_page(db, LEAD, MemberFilter(campaign), MemberSort.NAME, False, -5, 2)) == 2


def test_the_search_key_is_the_same_whether_python_or_the_database_computes_it(
    db: Database,
) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(
        db,
        campaign,
        store,
        [
            person("ZOË", "O'Brien-SMITH", "+447700900001"),
            person("Øyvind", "Ødegård", "+4791234567"),
            NewCustomer("", "", "+447700900003", None, None),
        ],
    )
    in_sql = sql_search_key(
        Customer.first_name, Customer.last_name, Customer.phone, Customer.phone_alt
    )
    with db.read_session() as session:
        pairs = session.execute(select(Customer.search_key, in_sql).order_by(Customer.id)).all()
    assert [stored for stored, _ in pairs] == [computed for _, computed in pairs]
    assert pairs[0][0] == "o'brien-smith zoË +447700900001 "
    assert pairs[1][0] == "Ødegård Øyvind +4791234567 "


def test_the_database_rewrites_the_key_of_a_renamed_customer_as_python_would(
    db: Database,
) -> None:
    store = add_store(db, "1")
    campaign = add_campaign(db)
    add_members(db, campaign, store, [person("Ann", "Achebe", "+447400100001")])
    renamed = {"first_name": "ÉLODIE", "last_name": "DE LA CRUZ", "phone_alt": "+447400100002"}
    with db.session() as session:
        session.execute(update(Customer).values(**renamed))
    with db.read_session() as session:
        (key,) = session.execute(select(Customer.search_key)).scalars()
    expected = customer_search_key("ÉLODIE", "DE LA CRUZ", "+447400100001", "+447400100002")
    assert key == expected == "de la cruz Élodie +447400100001 +447400100002"


def test_the_unassigned_bucket_holds_only_customers_without_a_store_even_before_assigning(
    db: Database,
) -> None:
    leeds = add_store(db, "1", "Leeds")
    add_managers(db, leeds, "Alice")
    campaign = add_campaign(db, share=0.10)
    add_members(db, campaign, leeds, random_customers(8, seed=1))
    add_members(db, campaign, None, random_customers(3, seed=3, start=200))
    bucket = MemberFilter(campaign_id=campaign, no_store=True)

    # Before "Assign now" every member is still undrawn, with or without a store.
    assert count_members(db, LEAD, MemberFilter(campaign, status=MemberStatus.UNASSIGNED)) == 11
    assert count_members(db, LEAD, bucket) == 3
    assert {row.store_id for row in all_rows(db, LEAD, bucket)} == {None}

    assign_campaign(db, campaign, LEAD, seed=5)
    overview = assignment_overview(db, LEAD, campaign)
    unassigned = [store for store in overview if store.is_unassigned_bucket]
    assert count_members(db, LEAD, bucket) == 3
    assert [store.members for store in unassigned] == [3]


def test_stores_come_in_the_order_people_read_them_in_every_list(db: Database) -> None:
    """ "Store 3" before "Store 12" before "Store 100", whatever order they were created in."""
    stores = {code: add_store(db, code) for code in ("12", "100", "3")}
    for code, store in stores.items():
        add_managers(db, store, f"Manager of {code}")
    campaign = add_campaign(db, share=0.0)
    for position, store in enumerate(stores.values()):
        add_members(db, campaign, store, random_customers(2, seed=position, start=10 * position))
    assign_campaign(db, campaign, LEAD, seed=1)
    readable = ["Store 3", "Store 12", "Store 100"]

    assert [store.name for store in list_stores(db)] == readable
    assert [manager.store_name for manager in list_managers(db, LEAD)] == readable
    assert [p.name for p in available_profiles(db)][1:] == [
        "Manager of 3",
        "Manager of 12",
        "Manager of 100",
    ]
    assert [o.store_name for o in assignment_overview(db, LEAD, campaign)] == readable
    everyone = MemberFilter(campaign)
    rows = member_page(db, LEAD, everyone, MemberSort.STORE, False, 0, 100)
    assert [row.store_name for row in rows] == [name for name in readable for _ in range(2)]
    rows = member_page(db, LEAD, everyone, MemberSort.STORE, True, 0, 100)
    assert [row.store_name for row in rows] == [name for name in reversed(readable) for _ in "ab"]


def test_a_store_is_labelled_once_and_its_code_added_only_when_the_name_lacks_it() -> None:
    assert store_label("Store 3", "3") == "Store 3"
    assert store_label("store #12", "12") == "store #12"
    assert store_label("Store 31", "3") == "Store 31 (3)"
    assert store_label("Leeds Briggate", "LDS01") == "Leeds Briggate (LDS01)"
    assert natural_sort_key("Store 9") < natural_sort_key("store 10") < natural_sort_key("Store B")
