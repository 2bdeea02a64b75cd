"""Every figure on a small region written by hand, with the answers worked out in the test.

The North store's twelve call-group members (campaign from Monday 2 November 2026, window 30
days, today Sunday 29 November, now 18:00; assigned on 1 November at 09:00):

    m1  Ann  3 Nov no answer, 5 Nov accepted (visit 8 Nov); bought 9 Nov 20.00, 20 Nov 10.00
    m2  Ann  4 Nov no answer, 6 Nov busy
    m3  Ann  never called
    m4  Bob  10 Nov not interested ("Too expensive")
    m5  Bob  12 Nov callback asked for 14 Nov 10:00, not made
    m6  Bob  12 Nov wrong number
    m7  Bob  13 Nov accepted (visit 15 Nov); never bought
    m8  Ann  16 Nov interested, 18 Nov accepted (visit 19 Nov), 24 Nov interested; bought 19 Nov
    m9  Ann  20 Nov do not call
    m10 Ann  21 Nov moved or deceased
    m11 Bob  22 Nov callback asked for 30 Nov 10:00 (after now)
    m12 Bob  23 Nov callback asked for 24 Nov, 25 Nov not interested (no reason)

and three holdout members, one of whom bought on 10 November.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lastmile_desktop.calling.outcomes import OUTCOMES
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.leaderboard.facts import ASKED_NOT_TO_BE_CALLED, NO_REASON, Figure
from lastmile_desktop.leaderboard.model import Figures, Leaderboard
from lastmile_desktop.leaderboard.periods import PeriodChoice, PeriodKind, parse_period
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
CAMPAIGN = PeriodChoice(PeriodKind.CAMPAIGN)
THIS_WEEK = PeriodChoice(PeriodKind.THIS_WEEK)


@pytest.fixture
def north(db: Database) -> dict[str, int]:
    with db.session() as session:
        region = Region(session)
        store = region.store("N1", "North")
        ann, bob = region.manager(store, "Ann"), region.manager(store, "Bob")
        region.campaign()
        owners = [ann, ann, ann, bob, bob, bob, bob, ann, ann, ann, bob, bob]
        m = [0] + [region.member(store, owner) for owner in owners]
        region.call(m[1], at(3), "no_answer")
        region.call(m[1], at(5), "accepted_offer", visit=date(2026, 11, 8))
        region.buy(m[1], at(9, 12), 2_000)
        region.buy(m[1], at(20, 12), 1_000)
        region.call(m[2], at(4), "no_answer")
        region.call(m[2], at(6), "busy")
        region.call(m[4], at(10), "not_interested", reason="price")
        region.call(m[5], at(12), "callback_requested", callback_at=at(14))
        region.call(m[6], at(12), "wrong_number")
        region.call(m[7], at(13), "accepted_offer", visit=date(2026, 11, 15))
        region.call(m[8], at(16), "interested")
        region.call(m[8], at(18), "accepted_offer", visit=date(2026, 11, 19))
        region.call(m[8], at(24), "interested")
        region.buy(m[8], at(19, 15), 1_500)
        region.call(m[9], at(20), "do_not_call")
        region.call(m[10], at(21), "moved_or_deceased")
        region.call(m[11], at(22), "callback_requested", callback_at=at(30))
        region.call(m[12], at(23), "callback_requested", callback_at=at(24))
        region.call(m[12], at(25), "not_interested")
        holdout = [region.member(store, holdout=True) for _ in range(3)]
        region.buy(holdout[0], at(10, 11), 500)
        return {"store": store, "ann": ann, "bob": bob, **{f"m{i}": m[i] for i in range(1, 13)}}


def names(north: dict[str, int], member_ids: list[int]) -> list[str]:
    """m1, m2... as the fixture calls the members."""
    by_id = {value: key for key, value in north.items() if key.startswith("m")}
    return [by_id[member_id] for member_id in member_ids]


def board(
    db: Database, period: PeriodChoice = CAMPAIGN, rate: Rate = Rate.WIN_BACK_RATE
) -> Leaderboard:
    return leaderboard(db, LEAD, period=period, rate=rate, today=TODAY, zone=UTC, now=NOW)


def only_store(result: Leaderboard) -> Figures:
    (row,) = result.stores
    return row.figures


def test_every_figure_of_the_campaign_to_date(db: Database, north: dict[str, int]) -> None:
    figures = only_store(board(db))

    assert figures.assigned == 12
    assert figures.attempted == 11  # all but m3
    assert figures.attempts == 16
    assert figures.reached == 8  # m1 m4 m5 m7 m8 m9 m11 m12
    assert figures.accepted == 2  # m1, m7; m8's latest reached outcome is "interested"
    assert figures.won_back == 2  # m1 (9 Nov), m8 (19 Nov)
    assert figures.revenue_won_back_cents == 4_500  # m1 20.00 + 10.00, m8 15.00
    assert figures.stayed_back == 1  # m1 bought again 11 days later
    assert figures.overdue_callbacks == 1  # m5; m11's is due tomorrow, m12 was called since
    # First calls 2 to 22 days (and an hour) after assignment: the 6th of 11 is m7's.
    assert figures.speed_to_first_call_days == pytest.approx(12 + 1 / 24)
    rates = {rate: value.value for rate, value in figures.rates.items()}
    assert rates == {
        Rate.COVERAGE: pytest.approx(11 / 12),
        Rate.CONTACT_RATE: pytest.approx(8 / 11),
        Rate.ACCEPTANCE_RATE: pytest.approx(2 / 8),
        Rate.WIN_BACK_RATE: pytest.approx(2 / 12),
        Rate.STAY_RATE: pytest.approx(1 / 2),
    }


def test_this_week_counts_the_weeks_calls_and_the_state_at_its_end(
    db: Database, north: dict[str, int]
) -> None:
    result = board(db, THIS_WEEK)
    figures = only_store(result)

    assert (result.period.first_day, result.period.last_day) == (date(2026, 11, 23), TODAY)
    assert figures.attempts == 3  # m8 on the 24th, m12 on the 23rd and 25th
    assert (figures.attempted, figures.reached, figures.accepted) == (2, 2, 0)
    assert (figures.won_back, figures.revenue_won_back_cents, figures.stayed_back) == (0, 0, 0)
    assert figures.overdue_callbacks == 1
    assert figures.speed_to_first_call_days == pytest.approx(22 + 1 / 24)  # m12 only


def test_gaps_split_the_shortfall_into_facts_largest_first(
    db: Database, north: dict[str, int]
) -> None:
    gaps = [(gap.kind.value, gap.count, gap.text) for gap in board(db).gaps]

    assert gaps == [
        ("not_attempted", 1, "North: 1 of 12 assigned customers (8%) not called yet"),
        ("not_reached", 1, "North: 1 customer called and not reached yet"),
        ("overdue_callbacks", 1, "North: 1 callback due and not made yet"),
        ("declined", 1, f'North: 1 declined, reason given: "{ASKED_NOT_TO_BE_CALLED}"'),
        ("declined", 1, f'North: 1 declined, reason given: "{NO_REASON}"'),
        ("declined", 1, 'North: 1 declined, reason given: "Too expensive"'),
        ("number_not_working", 1, "North: 1 number wrong or not in service"),
        ("moved_or_deceased", 1, "North: 1 moved away or deceased, as told on the call"),
        (
            "promised_not_seen",
            1,
            "North: 1 accepted with a visit day now past, no purchase seen since the call",
        ),
        ("not_seen_again", 1, "North: 1 came back once, no purchase seen on a later day"),
    ]


def test_the_customers_behind_each_figure_are_the_ones_it_counts(
    db: Database, north: dict[str, int]
) -> None:
    def behind(figure: Figure, **kwargs: object) -> list[str]:
        lines = customers_behind(
            db,
            LEAD,
            north["store"],
            figure,
            today=TODAY,
            zone=UTC,
            now=NOW,
            **kwargs,  # type: ignore[arg-type]
        )
        return names(north, [line.member_id for line in lines])

    assert behind(Figure.ACCEPTED) == ["m1", "m7"]
    assert behind(Figure.WON_BACK) == ["m1", "m8"]
    assert behind(Figure.OVERDUE_CALLBACKS) == ["m5"]
    assert behind(Figure.NOT_ATTEMPTED) == ["m3"]
    assert behind(Figure.DECLINED) == ["m4", "m9", "m12"]
    assert behind(Figure.DECLINED, reason="Too expensive") == ["m4"]
    assert behind(Figure.PROMISED_NOT_SEEN) == ["m7"]
    assert behind(Figure.REACHED, manager_id=north["ann"]) == ["m1", "m8", "m9"]
    lines = customers_behind(
        db, LEAD, north["store"], Figure.STAYED_BACK, today=TODAY, zone=UTC, now=NOW
    )
    assert [(line.customer_id, line.manager, line.last_outcome) for line in lines] == [
        ("C0001", "Ann", "Accepted offer")
    ]


def test_a_store_breaks_down_by_manager(db: Database, north: dict[str, int]) -> None:
    detail = store_detail(db, LEAD, north["store"], today=TODAY, zone=UTC, now=NOW)

    assert detail.store == "North"
    assert detail.figures.assigned == 12
    assert [
        (row.manager, row.figures.assigned, row.figures.attempted, row.figures.reached)
        for row in detail.managers
    ] == [("Ann", 6, 5, 3), ("Bob", 6, 6, 5)]
    assert sum(row.figures.attempts for row in detail.managers) == detail.figures.attempts == 16


def test_the_lift_compares_both_groups_since_the_campaign_began(
    db: Database, north: dict[str, int]
) -> None:
    lift = board(db).lift

    assert (lift.call_members, lift.call_returned) == (12, 2)
    assert (lift.holdout_members, lift.holdout_returned) == (3, 1)
    assert lift.points is None  # three in the holdout are too few to compare
    assert lift.note == (
        "Too few to compare: 12 in the call group and 3 in the holdout (20 in each are needed)."
    )


def test_reached_is_whatever_the_outcome_catalogue_says(db: Database) -> None:
    with db.session() as session:
        region = Region(session)
        store = region.store("R1", "Reach")
        region.campaign()
        for day, outcome in enumerate(OUTCOMES, start=3):
            region.call(region.member(store), at(day), outcome.code)

    figures = only_store(board(db))

    assert figures.attempted == len(OUTCOMES)
    assert figures.reached == sum(outcome.reached for outcome in OUTCOMES)


def test_purchases_on_the_edges_of_the_attribution_window(db: Database) -> None:
    """Window: the first call's day to 30 days after it, both included (UTC days)."""
    with db.session() as session:
        region = Region(session)
        store = region.store("W1", "Window")
        region.campaign(start=date(2026, 10, 1))
        first_call = datetime(2026, 10, 2, 15, 0, tzinfo=UTC)
        last_day, after, same_day, day_before = (region.member(store) for _ in range(4))
        for member in (last_day, after, same_day):
            region.call(member, first_call, "accepted_offer")
        region.call(day_before, datetime(2026, 10, 3, 9, 0, tzinfo=UTC), "accepted_offer")
        region.buy(last_day, datetime(2026, 11, 1, 23, 59, tzinfo=UTC))  # day 30: in
        region.buy(after, datetime(2026, 11, 2, 0, 0, tzinfo=UTC))  # day 31: out
        region.buy(same_day, datetime(2026, 10, 2, 9, 0, tzinfo=UTC))  # the call's day: in
        region.buy(day_before, datetime(2026, 10, 2, 23, 0, tzinfo=UTC))  # before it: out
        ids = {"last_day": last_day, "after": after, "same_day": same_day}

    figures = only_store(board(db))
    won = customers_behind(db, LEAD, store, Figure.WON_BACK, today=TODAY, zone=UTC, now=NOW)

    assert figures.won_back == 2
    assert {line.member_id for line in won} == {ids["last_day"], ids["same_day"]}


def test_staying_is_a_purchase_on_a_later_day_within_sixty_days(db: Database) -> None:
    with db.session() as session:
        region = Region(session)
        store = region.store("S1", "Stay")
        region.campaign(start=date(2026, 8, 3))
        day_60, day_61, same_day = (region.member(store) for _ in range(3))
        for member in (day_60, day_61, same_day):
            region.call(member, at(4, month=8), "accepted_offer")
            region.buy(member, at(5, 12, month=8))
        region.buy(day_60, at(4, 9, month=10))  # 5 Aug + 60 days
        region.buy(day_61, at(5, 9, month=10))  # 61 days
        region.buy(same_day, at(5, 17, month=8))  # a second receipt the same day

    figures = only_store(board(db))

    assert (figures.won_back, figures.stayed_back) == (3, 1)


def test_a_period_with_no_attempts_has_zeros_and_no_rates(
    db: Database, north: dict[str, int]
) -> None:
    result = board(db, parse_period("2026-11-27..2026-11-28"), Rate.CONTACT_RATE)
    (row,) = result.stores

    assert (row.figures.attempts, row.figures.attempted, row.figures.reached) == (0, 0, 0)
    assert row.figures.assigned == 12
    assert row.rate.value is None and row.rate.ci95 is None
    assert row.rank is None
    assert row.figures.speed_to_first_call_days is None
    assert result.best_now == []


def test_each_week_of_the_trend_is_that_weeks_leaderboard(
    db: Database, north: dict[str, int]
) -> None:
    for rate in Rate:
        trend = weekly_trend(db, LEAD, rate=rate, today=TODAY, zone=UTC, now=NOW)
        (series,) = trend.series
        assert [(w.first_day.day, w.last_day.day) for w in trend.weeks] == [
            (2, 8),
            (9, 15),
            (16, 22),
            (23, 29),
        ]
        for point in series.points:
            text = f"{point.week.first_day}..{point.week.last_day}"
            week_board = board(db, parse_period(text), rate)
            assert (point.rate.numerator, point.rate.denominator) == (
                week_board.stores[0].rate.numerator,
                week_board.stores[0].rate.denominator,
            ), (rate, text)
    contact = weekly_trend(db, LEAD, rate=Rate.CONTACT_RATE, today=TODAY, zone=UTC, now=NOW)
    assert [(p.rate.numerator, p.rate.denominator) for p in contact.series[0].points] == [
        (1, 2),  # m1 reached, m2 not
        (3, 4),  # m4 m5 m7 reached, m6 not
        (3, 4),  # m8 m9 m11 reached, m10 not
        (2, 2),  # m8, m12
    ]
