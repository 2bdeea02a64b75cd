"""The heroes' and the gaps' sentences: facts in plain, neutral words, never a verdict.

A hero sentence says the rate, its base and its interval, and how it moved:
"Store 12: 31% of reached customers accepted (n=120, 95% 23-40%), up from 18%".
A gap sentence says how many customers are where, in words that describe the customer's
situation and not anyone's effort: "Store 12: 41 called and not reached yet". A reason a
customer gave is quoted as they gave it.
"""

from __future__ import annotations

import enum

from lastmile_desktop.leaderboard.facts import Figure
from lastmile_desktop.leaderboard.rates import Rate, RateValue


def percent(fraction: float) -> str:
    """0.314 -> "31%": whole percents, halves rounded up."""
    return f"{int(fraction * 100 + 0.5)}%"


def _whole(fraction: float) -> int:
    return int(fraction * 100 + 0.5)


def rate_fact(store: str, rate: Rate, value: RateValue) -> str:
    """ "Store 12: 31% of reached customers accepted (n=120, 95% 23-40%)"."""
    assert value.value is not None and value.ci95 is not None
    interval = value.ci95
    return (
        f"{store}: {rate.phrase(percent(value.value))} (n={value.denominator:,}, "
        f"95% {_whole(interval.low)}-{_whole(interval.high)}%)"
    )


def hero_sentence(store: str, rate: Rate, now: RateValue, before: RateValue | None) -> str:
    """The rate as a fact, and how it compares with the previous period when it had one."""
    sentence = rate_fact(store, rate, now)
    if before is None or before.value is None or now.value is None:
        return sentence
    was, now_percent = percent(before.value), percent(now.value)
    if now_percent == was:
        return f"{sentence}, as in the previous period"
    direction = "up" if now.value > before.value else "down"
    return f"{sentence}, {direction} from {was}"


class GapKind(enum.StrEnum):
    """The kinds of shortfall a store's gaps are split into; the values are the JSON's."""

    NOT_ATTEMPTED = "not_attempted"
    NOT_REACHED = "not_reached"
    OVERDUE_CALLBACKS = "overdue_callbacks"
    DECLINED = "declined"
    NUMBER_NOT_WORKING = "number_not_working"
    MOVED_OR_DECEASED = "moved_or_deceased"
    PROMISED_NOT_SEEN = "promised_not_seen"
    NOT_SEEN_AGAIN = "not_seen_again"

    @property
    def figure(self) -> Figure:
        return Figure(self.value)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count:,} {one if count == 1 else many}"


def gap_sentence(
    store: str, kind: GapKind, count: int, assigned: int, reason: str | None = None
) -> str:
    """One gap as a fact about customers; ``reason`` is the customers' own, for declines."""
    if kind is GapKind.NOT_ATTEMPTED:
        share = f" ({percent(count / assigned)})" if assigned else ""
        what = f"{count:,} of {assigned:,} assigned customers{share} not called yet"
    elif kind is GapKind.NOT_REACHED:
        what = f"{_plural(count, 'customer', 'customers')} called and not reached yet"
    elif kind is GapKind.OVERDUE_CALLBACKS:
        what = f"{_plural(count, 'callback', 'callbacks')} due and not made yet"
    elif kind is GapKind.DECLINED:
        what = f'{count:,} declined, reason given: "{reason or "none"}"'
    elif kind is GapKind.NUMBER_NOT_WORKING:
        what = f"{_plural(count, 'number', 'numbers')} wrong or not in service"
    elif kind is GapKind.MOVED_OR_DECEASED:
        what = f"{count:,} moved away or deceased, as told on the call"
    elif kind is GapKind.PROMISED_NOT_SEEN:
        what = f"{count:,} accepted with a visit day now past, no purchase seen since the call"
    else:
        what = f"{count:,} came back once, no purchase seen on a later day"
    return f"{store}: {what}"
