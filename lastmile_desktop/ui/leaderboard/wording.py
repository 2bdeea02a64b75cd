"""How the Leaderboard page writes figures: percentages with their interval, the lift, ranks.

The services give fractions from 0 to 1 and intervals; the screen shows whole percents
(``sentences.percent``, the rule the heroes' sentences use) so a cell and a sentence about
the same figure never disagree.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from lastmile_desktop.leaderboard.model import Leaderboard, Lift
from lastmile_desktop.leaderboard.periods import PeriodKind
from lastmile_desktop.leaderboard.rates import RateValue
from lastmile_desktop.leaderboard.sentences import percent
from lastmile_desktop.leaderboard.stats import MIN_TO_RANK

TOO_FEW_TO_RANK = "too few to rank"
TOO_FEW_TIP = f"Fewer than {MIN_TO_RANK} customers behind this rate: it is shown but not ranked."
NO_FIGURE = "–"  # a rate over nobody
NO_BEST = "No store has enough customers behind this rate to be ranked yet."
NO_RISE = "No store ranked in both periods has risen."
NO_GAPS = "No gaps in this period."

PERIOD_LABELS: dict[PeriodKind, str] = {
    PeriodKind.THIS_WEEK: "This week",
    PeriodKind.LAST_4_WEEKS: "Last 4 weeks",
    PeriodKind.CAMPAIGN: "Campaign to date",
    PeriodKind.CUSTOM: "Custom dates",
}


def whole_percent(fraction: float) -> str:
    """0.23 -> "23": the number without its sign, rounded as ``percent`` rounds."""
    return percent(fraction).removesuffix("%")


def rate_with_interval(value: RateValue) -> str:
    """ "31% (23-40)": the rate and its 95% interval; a dash when nobody is behind it."""
    if value.value is None or value.ci95 is None:
        return NO_FIGURE
    low, high = whole_percent(value.ci95.low), whole_percent(value.ci95.high)
    return f"{percent(value.value)} ({low}-{high})"


def rate_alone(value: RateValue) -> str:
    """ "31%": the rate without its interval; a dash when nobody is behind it."""
    return NO_FIGURE if value.value is None else percent(value.value)


def rate_tooltip(label: str, value: RateValue) -> str:
    """ "Win-back rate: 43 of 202 = 21%, 95% interval 16-27%"."""
    if value.value is None or value.ci95 is None:
        return f"{label}: nobody to count yet (0 in the denominator)"
    return (
        f"{label}: {count(value.numerator)} of {count(value.denominator)} = "
        f"{percent(value.value)}, 95% interval {whole_percent(value.ci95.low)}-"
        f"{percent(value.ci95.high)}"
    )


def rank_text(rank: int | None) -> str:
    return TOO_FEW_TO_RANK if rank is None else str(rank)


# Numbers are written as the services' sentences write them ("1,749"), so a cell and a
# sentence about the same figure read alike.


def count(number: int) -> str:
    return f"{number:,}"


def money(cents: int) -> str:
    return f"{cents / 100:,.2f}"


def days(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def points(value: float) -> str:
    """ "+7.0" / "-1.3": percentage points with their sign."""
    return f"{value:+.1f}"


def lift_cell(lift: Lift) -> str:
    """ "+14.1 (-6.4 to 25.1)" in percentage points, or "too few to compare"."""
    if lift.points is None or lift.ci95 is None:
        return "too few to compare"
    return f"{points(lift.points)} ({points(lift.ci95.low)} to {points(lift.ci95.high)})"


def lift_sentence(lift: Lift) -> str:
    """The lift over the holdout as one sentence of facts, or the service's note."""
    call, holdout = lift.call_return_rate, lift.holdout_return_rate
    if lift.points is None or lift.ci95 is None or call is None or holdout is None:
        return f"Lift over the holdout: {lift.note or 'nothing to compare yet.'}"
    return (
        f"Lift over the holdout: {percent(call)} of the call group came back "
        f"({count(lift.call_returned)} of {count(lift.call_members)}) against {percent(holdout)} "
        f"of the holdout ({count(lift.holdout_returned)} of {count(lift.holdout_members)}): "
        f"{points(lift.points)} points (95% interval {points(lift.ci95.low)} to "
        f"{points(lift.ci95.high)})."
    )


def without_store(text: str, store: str) -> str:
    """A gap's sentence under its store's heading: "Leeds: 41 called..." -> "41 called..."."""
    prefix = f"{store}: "
    return text[len(prefix) :] if text.startswith(prefix) else text


def ranking_note(board: Leaderboard) -> str:
    """What the table ranks by, over which days, and what "too few to rank" means."""
    return (
        f"{board.period.describe()}: ranked by {board.rate.label.lower()}, by the lower end "
        "of its 95% interval (in brackets); fewer than 20 behind a rate is too few to rank."
    )


def most_improved_title(board: Leaderboard) -> str:
    return f"Most improved since {board.previous.describe()}"


def no_most_improved(
    board: Leaderboard, campaign_start: date | None, *, on_screen: bool = True
) -> str:
    """Why nobody is most improved; ``campaign_start``: the campaign's first day, if known.
    On screen it also says which picker changes that (paper has no pickers)."""
    if campaign_start is not None and board.previous.last_day < campaign_start:
        advice = " Pick a shorter period (Alt+D)." if on_screen else ""
        return (
            "Nothing to compare with: the period before this one, of the same length, "
            f"ends before the campaign's first day.{advice}"
        )
    return NO_RISE


def as_of(moment: datetime, zone: tzinfo | None) -> str:
    """ "29 Nov 2026, 18:00": when figures were read, in ``zone`` (None: the computer's)."""
    local = moment.astimezone(zone) if zone is not None else moment.astimezone()
    return f"{local.day} {local:%b %Y}, {local:%H:%M}"
