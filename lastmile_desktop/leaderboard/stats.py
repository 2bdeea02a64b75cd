"""Confidence intervals for rates and for the difference of two rates, and a fair rank.

- ``wilson_interval``: the Wilson score interval of a proportion (Wilson 1927; Newcombe 1998a,
  method 3). Unlike the textbook "p ± 1.96 SE" it stays inside 0..1 and is honest about small
  counts: 3 of 3 is not "100% ± 0".
- ``newcombe_difference``: the interval of p1 - p2 for two independent groups by Newcombe's
  hybrid score method (Newcombe 1998b, method 10), built from the two Wilson intervals.
- ``rank_by_lower_bound``: stores ordered by the lower bound of their rate's interval, so a
  store is not put first for 3 of 3 against another's 290 of 400. Too small a denominator
  gets no rank at all.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from typing import Generic, TypeVar

# Two-sided 95%: the 97.5th percentile of the standard normal distribution (1.95996...).
Z_95 = NormalDist().inv_cdf(0.975)
# Below this denominator a rate is shown but not ranked: "too few to rank".
MIN_TO_RANK = 20

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Interval:
    low: float
    high: float


def wilson_interval(successes: int, trials: int, z: float = Z_95) -> Interval | None:
    """The Wilson score interval for ``successes`` out of ``trials``; None when trials is 0.

    For 81 of 263 it gives 0.2553-0.3662, as Newcombe's worked example.
    """
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p = successes / trials
    z2 = z * z
    denominator = 1 + z2 / trials
    centre = (p + z2 / (2 * trials)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    # At 0 and at n the exact bound is 0 or 1; rounding must not put it a hair outside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return Interval(low, high)


def newcombe_difference(
    successes_1: int, trials_1: int, successes_2: int, trials_2: int, z: float = Z_95
) -> Interval | None:
    """The interval of p1 - p2 by Newcombe's hybrid score method; None if a group is empty.

    With (l1, u1) and (l2, u2) the Wilson intervals of the two proportions:
    low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2), high = d + sqrt((u1 - p1)^2 + (p2 - l2)^2).
    For 56/70 against 48/80 it gives 0.0524-0.3339, as Newcombe's worked example.
    """
    first = wilson_interval(successes_1, trials_1, z)
    second = wilson_interval(successes_2, trials_2, z)
    if first is None or second is None:
        return None
    p1, p2 = successes_1 / trials_1, successes_2 / trials_2
    difference = p1 - p2
    low = difference - math.hypot(p1 - first.low, second.high - p2)
    high = difference + math.hypot(first.high - p1, p2 - second.low)
    return Interval(max(-1.0, low), min(1.0, high))


@dataclass(frozen=True)
class Ranked(Generic[K]):
    key: K
    rank: int | None  # 1 is best; None: too few to rank
    lower_bound: float | None


def rank_by_lower_bound(
    entries: Sequence[tuple[K, int, int]], minimum: int = MIN_TO_RANK
) -> list[Ranked[K]]:
    """Rank ``(key, successes, trials)`` by the Wilson lower bound, highest first.

    Entries with fewer than ``minimum`` trials get no rank (and come last, in the order
    given). Equal lower bounds share a rank and the next rank skips (1, 2, 2, 4), so a tie is
    never broken by something other than the figures.
    """
    rankable: list[tuple[float, int, K]] = []
    unranked: list[Ranked[K]] = []
    for position, (key, successes, trials) in enumerate(entries):
        interval = wilson_interval(successes, trials)
        if interval is None or trials < minimum:
            unranked.append(Ranked(key, None, None if interval is None else interval.low))
        else:
            # Rounded so that equal rates over equal counts tie exactly.
            rankable.append((round(interval.low, 12), position, key))
    rankable.sort(key=lambda item: (-item[0], item[1]))
    ranked: list[Ranked[K]] = []
    for index, (bound, _, key) in enumerate(rankable):
        tied = index > 0 and bound == rankable[index - 1][0]
        rank = ranked[-1].rank if tied else index + 1
        ranked.append(Ranked(key, rank, bound))
    return ranked + unranked
