"""Wilson and Newcombe intervals against the published worked examples; the fair rank."""

from __future__ import annotations

import pytest

from lastmile_desktop.leaderboard.stats import (
    Interval,
    newcombe_difference,
    rank_by_lower_bound,
    wilson_interval,
)


def rounded(interval: Interval | None) -> tuple[float, float]:
    assert interval is not None
    return round(interval.low, 4), round(interval.high, 4)


# Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of
# seven methods. Statistics in Medicine 17:857-872. Table I, method 3 (score, no correction).
@pytest.mark.parametrize(
    ("successes", "trials", "expected"),
    [
        (81, 263, (0.2553, 0.3662)),
        (15, 148, (0.0624, 0.1605)),
        (0, 20, (0.0, 0.1611)),
        (1, 29, (0.0061, 0.1718)),
    ],
)
def test_wilson_interval_matches_newcombes_worked_examples(
    successes: int, trials: int, expected: tuple[float, float]
) -> None:
    assert rounded(wilson_interval(successes, trials)) == expected


# Newcombe RG (1998). Interval estimation for the difference between independent proportions:
# comparison of eleven methods. Statistics in Medicine 17:873-890. Table II, method 10.
@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
        ((6, 7), (2, 7), (0.0582, 0.8062)),
        ((5, 56), (0, 29), (-0.0381, 0.1926)),
        ((0, 10), (0, 20), (-0.1611, 0.2775)),
        ((0, 10), (0, 10), (-0.2775, 0.2775)),
        ((10, 10), (0, 20), (0.6791, 1.0)),
        ((10, 10), (0, 10), (0.6075, 1.0)),
    ],
)
def test_newcombe_hybrid_score_matches_the_published_examples(
    first: tuple[int, int], second: tuple[int, int], expected: tuple[float, float]
) -> None:
    assert rounded(newcombe_difference(*first, *second)) == expected


def test_intervals_of_nothing_are_none_and_impossible_counts_are_refused() -> None:
    assert wilson_interval(0, 0) is None
    assert newcombe_difference(3, 10, 0, 0) is None
    with pytest.raises(ValueError, match="11 successes out of 10"):
        wilson_interval(11, 10)


def test_all_and_none_give_the_exact_bound() -> None:
    assert wilson_interval(0, 7) == Interval(0.0, pytest.approx(0.3543, abs=1e-4))
    assert wilson_interval(7, 7) == Interval(pytest.approx(0.6457, abs=1e-4), 1.0)


def test_a_high_rate_on_few_customers_ranks_below_a_lower_one_on_many() -> None:
    ranked = rank_by_lower_bound([("lucky", 16, 20), ("steady", 290, 400), ("low", 60, 100)])

    assert [(entry.key, entry.rank) for entry in ranked] == [
        ("steady", 1),  # 72.5% of 400: lower bound 0.679
        ("lucky", 2),  # 80% of 20: lower bound 0.584
        ("low", 3),  # 60% of 100: lower bound 0.502
    ]
    assert [(e.key, e.rank) for e in rank_by_lower_bound([("big", 290, 400), ("three", 3, 3)])] == [
        ("big", 1),
        ("three", None),  # 3 of 3 is too few to rank, however perfect
    ]


def test_equal_figures_share_a_rank_and_the_next_rank_is_skipped() -> None:
    ranked = rank_by_lower_bound(
        [("a", 10, 40), ("b", 30, 40), ("c", 30, 40), ("d", 5, 40), ("e", 1, 19)]
    )

    assert [(entry.key, entry.rank) for entry in ranked] == [
        ("b", 1),
        ("c", 1),
        ("a", 3),
        ("d", 4),
        ("e", None),
    ]


def test_a_store_with_no_denominator_is_not_ranked() -> None:
    ranked = rank_by_lower_bound([("empty", 0, 0), ("full", 10, 20)])

    assert [(entry.key, entry.rank, entry.lower_bound) for entry in ranked] == [
        ("full", 1, pytest.approx(0.2993, abs=1e-4)),
        ("empty", None, None),
    ]
