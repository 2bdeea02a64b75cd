"""What the leaderboard services hand to the page, the command line and exports: dataclasses.

Stores appear by the label the viewer may see (``names``): the facts are the same for
everyone, the names are not. Counts are whole numbers; rates are fractions from 0 to 1 with
their 95% Wilson interval; money is in cents.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from lastmile_desktop.leaderboard.periods import Period
from lastmile_desktop.leaderboard.rates import Rate, RateValue
from lastmile_desktop.leaderboard.sentences import GapKind
from lastmile_desktop.leaderboard.stats import Interval


@dataclass(frozen=True)
class Lift:
    """Return rates of the call group and the holdout, and their difference in points.

    ``points`` and ``ci95`` (Newcombe's hybrid score interval, in points) are None when a
    group is too small to compare; ``note`` then says so.
    """

    call_members: int
    call_returned: int
    holdout_members: int
    holdout_returned: int
    points: float | None
    ci95: Interval | None  # in percentage points
    note: str | None = None

    @property
    def call_return_rate(self) -> float | None:
        return self.call_returned / self.call_members if self.call_members else None

    @property
    def holdout_return_rate(self) -> float | None:
        return self.holdout_returned / self.holdout_members if self.holdout_members else None


@dataclass(frozen=True)
class Figures:
    """The figures of one store or one manager over a period."""

    assigned: int
    attempted: int
    attempts: int
    reached: int
    accepted: int
    won_back: int
    revenue_won_back_cents: int
    stayed_back: int
    overdue_callbacks: int
    speed_to_first_call_days: float | None
    rates: dict[Rate, RateValue]


@dataclass(frozen=True)
class StoreRow:
    store: str  # the label the viewer sees
    store_id: int | None  # None when the viewer may not know which store it is
    own: bool  # the viewer's own store
    figures: Figures
    rate: RateValue  # the chosen rate
    rank: int | None  # by the Wilson lower bound; None: too few to rank
    lift: Lift


@dataclass(frozen=True)
class Hero:
    store: str
    text: str


@dataclass(frozen=True)
class Gap:
    store: str
    kind: GapKind
    count: int
    text: str
    reason: str | None = None  # for declines: the reason the customers gave


@dataclass(frozen=True)
class Leaderboard:
    campaign: str
    campaign_id: int
    period: Period
    previous: Period  # what "most improved" compares with
    rate: Rate
    stores: list[StoreRow]  # ranked first, best first; then the stores too few to rank
    best_now: list[Hero]
    most_improved: list[Hero]
    gaps: list[Gap]
    lift: Lift
    computed_at: datetime


@dataclass(frozen=True)
class TrendPoint:
    week: Period
    rate: RateValue


@dataclass(frozen=True)
class TrendSeries:
    store: str
    store_id: int | None
    own: bool
    points: list[TrendPoint]


@dataclass(frozen=True)
class Trend:
    campaign: str
    campaign_id: int
    rate: Rate
    weeks: list[Period]
    series: list[TrendSeries]


@dataclass(frozen=True)
class ManagerRow:
    manager_id: int | None  # None: the store's members no manager owns
    manager: str
    active: bool
    figures: Figures


@dataclass(frozen=True)
class StoreDetail:
    """A store's drill-down: its figures and the same figures per manager."""

    store: str
    store_id: int
    period: Period
    figures: Figures
    managers: list[ManagerRow]


@dataclass(frozen=True)
class CustomerLine:
    """One customer behind a figure."""

    member_id: int
    member_uuid: UUID
    customer_id: str | None  # head office's id
    name: str
    phone: str | None
    manager: str | None
    last_outcome: str | None  # the outcome catalogue's label of the latest attempt
