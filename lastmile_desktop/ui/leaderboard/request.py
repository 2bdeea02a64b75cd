"""What the page asks the leaderboard services for, in one value the drill-down reuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from lastmile_desktop.leaderboard.periods import PeriodChoice
from lastmile_desktop.leaderboard.rates import Rate


@dataclass(frozen=True)
class BoardRequest:
    campaign_id: int | None  # None: the services' choice, the most recent open campaign
    period: PeriodChoice
    rate: Rate
    zone: tzinfo | None  # None: the computer's time zone, as the command line counts days
    now: datetime  # aware; settles "today" and which callbacks are overdue
