"""The leaderboard counts the call desk's calls by the desk's own definitions (calling/life.py).

Calls are logged through the desk's service. A visit reminder or a "promised but not seen"
call is a follow-up, not an attempt: it counts in no attempt figure. "Called" is the desk's
"at least one counted attempt". A promise is the one the member's life keeps (a reminder may
move the visit), its day has passed once it is over, and a purchase since the promise keeps
it; the leaderboard's gap lists exactly whom the desk offers a "promised but not seen" call.
Decline reasons are the ones chosen on the desk.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lastmile_desktop.calling.life import called_condition
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.importing.sales import import_sales
from lastmile_desktop.importing.sales_model import SalesImportOptions
from lastmile_desktop.leaderboard.facts import ASKED_NOT_TO_BE_CALLED, Figure
from lastmile_desktop.leaderboard.model import Figures, Leaderboard
from lastmile_desktop.leaderboard.periods import PeriodChoice, PeriodKind, parse_period
from lastmile_desktop.leaderboard.sentences import GapKind
from lastmile_desktop.leaderboard.service import customers_behind, leaderboard
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import CampaignMember
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile, utc

CAMPAIGN = PeriodChoice(PeriodKind.CAMPAIGN)


@pytest.fixture
def region(db: Database) -> Region:
    """Everyone at the London store (campaign from 1 January 2025, no holdout)."""
    names = ["Ann", "Bea", "Cal", "Dot", "Eli"]
    return build_region(db, [Person(name, uk_mobile(n)) for n, name in enumerate(names, 1)])


def board(
    region: Region, today: date, period: PeriodChoice = CAMPAIGN, now: datetime | None = None
) -> Leaderboard:
    moment = now or datetime.combine(today, datetime.min.time(), UTC).replace(hour=20)
    return leaderboard(region.db, LEAD, period=period, today=today, zone=UTC, now=moment)


def london(result: Leaderboard) -> Figures:
    (row,) = [row for row in result.stores if row.store == "London Camden"]
    return row.figures


def gap(result: Leaderboard, kind: GapKind) -> int:
    return sum(g.count for g in result.gaps if g.kind is kind and g.store == "London Camden")


def behind(region: Region, figure: Figure, today: date) -> list[str]:
    lines = customers_behind(
        region.db,
        LEAD,
        region.stores["LON"],
        figure,
        today=today,
        zone=UTC,
        now=datetime.combine(today, datetime.min.time(), UTC).replace(hour=20),
    )
    return [line.name.split()[0] for line in lines]


def test_a_visit_reminder_counts_in_no_attempt_figure(region: Region) -> None:
    ann = region.members["Ann"]
    log_outcome(region.db, LEAD, ann, "N", at=utc(2025, 1, 6, 10))
    log_outcome(region.db, LEAD, ann, "A", at=utc(2025, 1, 7, 10), visit_on=date(2025, 1, 10))
    reminder = log_outcome(region.db, LEAD, ann, "A", at=utc(2025, 1, 9, 10))
    assert reminder.follow_up == "visit_reminder"

    figures = london(board(region, date(2025, 1, 11)))
    reminder_day = london(board(region, date(2025, 1, 11), parse_period("2025-01-09..2025-01-09")))

    assert (figures.attempts, figures.attempted, figures.reached, figures.accepted) == (2, 1, 1, 1)
    assert (reminder_day.attempts, reminder_day.attempted, reminder_day.reached) == (0, 0, 0)
    assert reminder_day.accepted == 0


def test_attempted_to_date_is_the_desks_called(region: Region) -> None:
    log_outcome(region.db, LEAD, region.members["Ann"], "B", at=utc(2025, 1, 6, 10))
    log_outcome(region.db, LEAD, region.members["Bea"], "X", at=utc(2025, 1, 6, 11), reason="price")

    figures = london(board(region, date(2025, 1, 8)))
    with region.db.read_session() as session:
        called = session.scalar(
            select(func.count()).select_from(CampaignMember).where(called_condition())
        )

    assert figures.attempted == called == 2


def test_a_reminder_that_moves_the_visit_moves_the_promise(region: Region) -> None:
    bea = region.members["Bea"]
    log_outcome(region.db, LEAD, bea, "A", at=utc(2025, 1, 6, 10), visit_on=date(2025, 1, 9))
    moved = log_outcome(
        region.db, LEAD, bea, "A", at=utc(2025, 1, 8, 10), visit_on=date(2025, 1, 14)
    )
    assert moved.follow_up == "visit_reminder"

    # The first day (9 January) has passed, the day the customer moved it to has not.
    assert gap(board(region, date(2025, 1, 12)), GapKind.PROMISED_NOT_SEEN) == 0
    assert gap(board(region, date(2025, 1, 15)), GapKind.PROMISED_NOT_SEEN) == 1
    assert london(board(region, date(2025, 1, 15))).attempts == 1


def test_a_promised_visit_is_not_seen_once_its_day_is_over_until_a_purchase(
    region: Region, tmp_path: Path
) -> None:
    cal = region.members["Cal"]
    log_outcome(region.db, LEAD, cal, "A", at=utc(2025, 1, 6, 10), visit_on=date(2025, 1, 8))
    reminder = log_outcome(region.db, LEAD, cal, "N", at=utc(2025, 1, 7, 10))
    assert reminder.follow_up == "visit_reminder"

    assert behind(region, Figure.PROMISED_NOT_SEEN, date(2025, 1, 8)) == []  # still their day
    assert behind(region, Figure.PROMISED_NOT_SEEN, date(2025, 1, 9)) == ["Cal"]

    # The desk offers the call for the same customers the gap lists, and the call (not an
    # attempt) changes neither: they are still not seen.
    queue = build_queue(region.db, LEAD, at=utc(2025, 1, 9, 10))
    offered = [entry.name.split()[0] for entry in queue.now if entry.why == "promised_not_seen"]
    assert offered == behind(region, Figure.PROMISED_NOT_SEEN, date(2025, 1, 9))
    followed = log_outcome(region.db, LEAD, cal, "N", at=utc(2025, 1, 9, 10))
    assert followed.follow_up == "promised_not_seen"
    assert behind(region, Figure.PROMISED_NOT_SEEN, date(2025, 1, 10)) == ["Cal"]
    assert london(board(region, date(2025, 1, 10))).attempts == 1

    sales = tmp_path / "sales.csv"
    sales.write_text("Customer ID,Date,Amount\nHO-Cal,2025-01-10,12.00\n", encoding="utf-8")
    import_sales(region.db, sales, SalesImportOptions(region="GB"), now=utc(2025, 1, 11, 9))

    assert behind(region, Figure.PROMISED_NOT_SEEN, date(2025, 1, 11)) == []
    assert london(board(region, date(2025, 1, 11))).won_back == 1


def test_decline_reasons_are_the_ones_chosen_on_the_desk(region: Region) -> None:
    log_outcome(region.db, LEAD, region.members["Dot"], "X", at=utc(2025, 1, 6, 10), reason="price")
    log_outcome(region.db, LEAD, region.members["Eli"], "D", at=utc(2025, 1, 6, 11))

    declines = [
        (g.reason, g.count)
        for g in board(region, date(2025, 1, 7)).gaps
        if g.kind is GapKind.DECLINED
    ]
    assert sorted(declines, key=str) == [(ASKED_NOT_TO_BE_CALLED, 1), ("Too expensive", 1)]
