"""Fair ranking, heroes, neutral words, and what a store manager may see.

Five stores, contact rate, the week of 16-22 November 2026 against 9-15 November:

    Aston  before 5 of 20 reached, now 15 of 20   (rankable in both, up 50 points)
    Bury   before 10 of 10,        now 20 of 30   (too few before)
    Crewe  before 10 of 20,        now 12 of 20   (up 10 points)
    Derby  no calls before,        now 12 of 20   (the same as Crewe now)
    Ely    five customers, never called
"""

from __future__ import annotations

import re
from datetime import UTC

import pytest

from lastmile_desktop.campaigns.access import AccessDenied, Profile
from lastmile_desktop.leaderboard.facts import Figure
from lastmile_desktop.leaderboard.model import Leaderboard
from lastmile_desktop.leaderboard.names import letters, set_store_names_shown, store_names_shown
from lastmile_desktop.leaderboard.periods import parse_period
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.leaderboard.service import (
    customers_behind,
    leaderboard,
    store_detail,
    weekly_trend,
)
from lastmile_desktop.storage import Database
from tests.leaderboard.region import NOW, TODAY, Region, at

LEAD = Profile.lead()
WEEK = parse_period("2026-11-16..2026-11-22")
# Words that judge people or effort; none may appear in a hero or gap sentence (a reason a
# customer gave is quoted, and is theirs).
BLAMING_WORDS = {
    "bad", "poor", "poorly", "fail", "failed", "failing", "failure", "lazy", "worst", "worse",
    "weak", "slow", "slowest", "behind", "lagging", "laggard", "underperform", "underperforming",
    "underperformed", "neglect", "neglected", "ignored", "missed", "fault", "blame", "should",
    "must", "only", "just", "disappointing", "unacceptable", "shame", "sadly", "unfortunately",
    "struggling", "bottom", "last", "loser", "terrible", "awful", "careless",
}  # fmt: skip


@pytest.fixture
def stores(db: Database) -> dict[str, int]:
    with db.session() as session:
        region = Region(session)
        ids = {name: region.store(name[:3].upper(), name) for name in STORE_NAMES}
        managers = {
            name: region.manager(store, f"Manager of {name}") for name, store in ids.items()
        }
        region.campaign()

        def calls(store: str, day: int, reached: int, total: int) -> None:
            for number in range(total):
                member = region.member(ids[store], managers[store])
                outcome = "interested" if number < reached else "no_answer"
                region.call(member, at(day), outcome)

        calls("Aston", 10, 5, 20)
        calls("Aston", 17, 15, 20)
        calls("Bury", 10, 10, 10)
        calls("Bury", 17, 20, 30)
        calls("Crewe", 10, 10, 20)
        calls("Crewe", 17, 12, 20)
        calls("Derby", 17, 12, 20)
        for _ in range(5):
            region.member(ids["Ely"], managers["Ely"])
        return ids | {f"manager {name}": manager for name, manager in managers.items()}


STORE_NAMES = ("Aston", "Bury", "Crewe", "Derby", "Ely")


def board(db: Database, profile: Profile = LEAD) -> Leaderboard:
    return leaderboard(
        db, profile, period=WEEK, rate=Rate.CONTACT_RATE, today=TODAY, zone=UTC, now=NOW
    )


def test_stores_rank_by_the_lower_bound_and_equal_figures_share_a_rank(
    db: Database, stores: dict[str, int]
) -> None:
    rows = [
        (row.store, row.rank, row.rate.numerator, row.rate.denominator) for row in board(db).stores
    ]

    assert rows == [
        ("Aston", 1, 15, 20),
        ("Bury", 2, 20, 30),
        ("Crewe", 3, 12, 20),
        ("Derby", 3, 12, 20),
        ("Ely", None, 0, 0),  # an empty store: nothing to rank
    ]


def test_heroes_are_facts_with_their_base_interval_and_change(
    db: Database, stores: dict[str, int]
) -> None:
    result = board(db)

    assert [(hero.store, hero.text) for hero in result.best_now] == [
        ("Aston", "Aston: 75% of called customers reached (n=20, 95% 53-89%), up from 25%"),
        ("Bury", "Bury: 67% of called customers reached (n=30, 95% 49-81%), down from 100%"),
        ("Crewe", "Crewe: 60% of called customers reached (n=20, 95% 39-78%), up from 50%"),
        ("Derby", "Derby: 60% of called customers reached (n=20, 95% 39-78%)"),
    ]
    # Only stores rankable in both weeks can be the most improved: not Bury (10 before) nor
    # Derby (no calls before).
    assert [(hero.store, hero.text) for hero in result.most_improved] == [
        ("Aston", "Aston: 75% of called customers reached (n=20, 95% 53-89%), up from 25%"),
        ("Crewe", "Crewe: 60% of called customers reached (n=20, 95% 39-78%), up from 50%"),
    ]


def test_hero_and_gap_sentences_use_no_blaming_words(
    db: Database, stores: dict[str, int], north_like: None
) -> None:
    result = board(db)
    texts = [hero.text for hero in (*result.best_now, *result.most_improved)]
    texts += [gap.text for gap in result.gaps]
    assert result.gaps, "the region has gaps to describe"
    for text in texts:
        own_words = re.sub(r'"[^"]*"', "", text)  # a customer's quoted reason is theirs
        words = set(re.findall(r"[a-z]+", own_words.lower()))
        assert not words & BLAMING_WORDS, text


@pytest.fixture
def north_like(db: Database, stores: dict[str, int]) -> None:
    """Adds every kind of gap to Ely's customers, so each sentence is checked."""
    with db.session() as session:
        region = Region(session, campaign_id=1, customers=1_000)
        ely = stores["Ely"]
        kinds = [
            ("no_answer", {}),
            ("callback_requested", {"callback_at": at(18)}),
            ("not_interested", {"reason": "service"}),
            ("do_not_call", {}),
            ("wrong_number", {}),
            ("moved_or_deceased", {}),
            ("accepted_offer", {"visit": at(19).date()}),
        ]
        for outcome, details in kinds:
            region.call(region.member(ely, stores["manager Ely"]), at(16), outcome, **details)
        came_back = region.member(ely, stores["manager Ely"])
        region.call(came_back, at(16), "accepted_offer")
        region.buy(came_back, at(17))


def test_a_manager_sees_their_store_by_name_and_the_others_lettered_by_age(
    db: Database, stores: dict[str, int]
) -> None:
    crewe = Profile.manager("Manager of Crewe", stores["manager Crewe"], stores["Crewe"])
    lead_view, manager_view = board(db), board(db, crewe)

    assert [row.store for row in manager_view.stores] == [
        "Store A",  # Aston, the oldest store
        "Store B",  # Bury
        "Crewe",
        "Store C",  # Derby: the letters skip the manager's own store
        "Store D",  # Ely
    ]
    assert [row.store_id for row in manager_view.stores] == [
        None,
        None,
        stores["Crewe"],
        None,
        None,
    ]
    assert [row.own for row in manager_view.stores] == [False, False, True, False, False]
    # The facts are the same; only the names differ.
    assert [(r.rank, r.rate) for r in manager_view.stores] == [
        (r.rank, r.rate) for r in lead_view.stores
    ]
    assert manager_view.best_now[0].text.startswith("Store A: 75% of called customers reached")
    assert all("Aston" not in gap.text for gap in manager_view.gaps)
    trend = weekly_trend(db, crewe, rate=Rate.CONTACT_RATE, today=TODAY, zone=UTC, now=NOW)
    assert [series.store for series in trend.series] == [
        "Crewe",
        "Store A",
        "Store B",
        "Store C",
        "Store D",
    ]


def test_letters_stay_with_their_store_when_a_store_is_added(
    db: Database, stores: dict[str, int]
) -> None:
    crewe = Profile.manager("Manager of Crewe", stores["manager Crewe"], stores["Crewe"])
    before = {row.store: row.rate for row in board(db, crewe).stores}
    with db.session() as session:
        Region(session).store("ZZZ", "A new store")

    after = {row.store: row.rate for row in board(db, crewe).stores}

    assert after == before
    assert letters(0) == "A" and letters(25) == "Z" and letters(26) == "AA"


def test_the_lead_can_show_every_name_to_managers(db: Database, stores: dict[str, int]) -> None:
    crewe = Profile.manager("Manager of Crewe", stores["manager Crewe"], stores["Crewe"])
    with pytest.raises(AccessDenied):
        set_store_names_shown(db, crewe, True)

    assert not store_names_shown(db)

    set_store_names_shown(db, LEAD, True)

    assert store_names_shown(db)
    assert [row.store for row in board(db, crewe).stores] == list(STORE_NAMES)


def test_a_manager_cannot_drill_into_another_store(db: Database, stores: dict[str, int]) -> None:
    crewe = Profile.manager("Manager of Crewe", stores["manager Crewe"], stores["Crewe"])
    with pytest.raises(AccessDenied, match="your own store only"):
        store_detail(db, crewe, stores["Aston"], period=WEEK, today=TODAY, zone=UTC, now=NOW)
    with pytest.raises(AccessDenied, match="your own store only"):
        customers_behind(db, crewe, stores["Aston"], Figure.REACHED, period=WEEK, today=TODAY)

    own = customers_behind(
        db, crewe, stores["Crewe"], Figure.REACHED, period=WEEK, today=TODAY, zone=UTC, now=NOW
    )
    assert len(own) == 12
