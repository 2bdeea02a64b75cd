"""The five rates a store is ranked by: which figure over which, and how a sentence says it."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from lastmile_desktop.leaderboard.facts import STAY_DAYS, Figure
from lastmile_desktop.leaderboard.stats import Interval, wilson_interval


class Rate(enum.StrEnum):
    """The values are the command line's words and the JSON keys."""

    COVERAGE = "coverage"  # attempted / assigned
    CONTACT_RATE = "contact_rate"  # reached / attempted
    ACCEPTANCE_RATE = "acceptance_rate"  # accepted / reached
    WIN_BACK_RATE = "win_back_rate"  # won back / assigned
    STAY_RATE = "stay_rate"  # stayed back / won back

    @property
    def numerator(self) -> Figure:
        return _PARTS[self][0]

    @property
    def denominator(self) -> Figure:
        return _PARTS[self][1]

    @property
    def label(self) -> str:
        return _LABELS[self]

    def phrase(self, percent: str) -> str:
        """ "31% of reached customers accepted": the rate as the start of a fact sentence."""
        return _PHRASES[self].format(percent=percent)


DEFAULT_RATE = Rate.WIN_BACK_RATE

_PARTS: dict[Rate, tuple[Figure, Figure]] = {
    Rate.COVERAGE: (Figure.ATTEMPTED, Figure.ASSIGNED),
    Rate.CONTACT_RATE: (Figure.REACHED, Figure.ATTEMPTED),
    Rate.ACCEPTANCE_RATE: (Figure.ACCEPTED, Figure.REACHED),
    Rate.WIN_BACK_RATE: (Figure.WON_BACK, Figure.ASSIGNED),
    Rate.STAY_RATE: (Figure.STAYED_BACK, Figure.WON_BACK),
}
_LABELS: dict[Rate, str] = {
    Rate.COVERAGE: "Coverage",
    Rate.CONTACT_RATE: "Contact rate",
    Rate.ACCEPTANCE_RATE: "Acceptance rate",
    Rate.WIN_BACK_RATE: "Win-back rate",
    Rate.STAY_RATE: "Stay rate",
}
_PHRASES: dict[Rate, str] = {
    Rate.COVERAGE: "{percent} of assigned customers called",
    Rate.CONTACT_RATE: "{percent} of called customers reached",
    Rate.ACCEPTANCE_RATE: "{percent} of reached customers accepted",
    Rate.WIN_BACK_RATE: "{percent} of assigned customers came back",
    Rate.STAY_RATE: f"{{percent}} of returning customers bought again within {STAY_DAYS} days",
}


@dataclass(frozen=True)
class RateValue:
    """A rate with its parts: ``value`` and ``ci95`` are None when the denominator is 0."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def ci95(self) -> Interval | None:
        return wilson_interval(self.numerator, self.denominator)


def rate_value(rate: Rate, counts: dict[Figure, int]) -> RateValue:
    return RateValue(counts.get(rate.numerator, 0), counts.get(rate.denominator, 0))
