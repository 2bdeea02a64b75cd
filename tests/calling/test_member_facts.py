"""The members' stored facts always equal their recomputation from the raw rows.

Random sequences of what people do (calls logged and undone through the call desk's
services, visit reminders and "promised but not seen" calls among them, sales extracts
imported, the odd extract imported twice) are played on a small region; after every step
the facts kept in ``campaign_members`` and ``member_days`` must equal both the SQL
recomputation (calling/member_facts.py) and a recomputation written here in plain Python
from the attempts and purchases. Then the leaderboard counted from the stored facts must
equal the one counted from the recomputation.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lastmile_desktop.calling.log import log_outcome, undo_outcome
from lastmile_desktop.calling.member_facts import (
    DAY_FIGURES,
    DECLINE_CODES,
    DO_NOT_CALL_REASON,
    FACT_COLUMNS,
    NOT_WORKING_CODES,
    recomputed_days,
    recomputed_facts,
)
from lastmile_desktop.calling.outcomes import (
    ACCEPTED_OFFER,
    CALLBACK_REQUESTED,
    DO_NOT_CALL,
    MOVED_OR_DECEASED,
    NOT_INTERESTED,
    NOT_INTERESTED_REASONS,
    OUTCOMES,
    reached_codes,
)
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.sales import import_sales
from lastmile_desktop.importing.sales_model import SalesImportOptions
from lastmile_desktop.leaderboard.facts import GroupBy, Scope, Source, count_figures
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    CampaignMember,
    MemberDay,
    Purchase,
)
from tests.calling.desk_data import LEAD, Person, Region, build_region, uk_mobile

START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
PEOPLE = [
    Person(name, uk_mobile(number), store="LON" if number % 2 else "LEE")
    for number, name in enumerate(["Ann", "Bea", "Cal", "Dot", "Eli", "Fay", "Gus", "Hal"], 1)
]


@dataclass
class Player:
    """Plays random actions on the region, moving the clock forward a few hours each time."""

    region: Region
    folder: Path
    rng: random.Random
    clock: datetime = START
    logged: dict[str, list[uuid.UUID]] = field(default_factory=lambda: defaultdict(list))
    extracts: list[Path] = field(default_factory=list)

    def step(self) -> str:
        self.clock += timedelta(hours=self.rng.choice([1, 3, 7, 20, 30]))
        roll = self.rng.random()
        if roll < 0.6:
            return self.log()
        if roll < 0.75:
            return self.undo()
        if roll < 0.9 or not self.extracts:
            return self.sell()
        again = self.rng.choice(self.extracts)
        import_sales(self.region.db, again, SalesImportOptions(region="GB"))
        return f"imported {again.name} again"

    def log(self) -> str:
        name = self.rng.choice(list(self.region.members))
        outcome = self.rng.choice(OUTCOMES)
        details: dict[str, Any] = {}
        if outcome is CALLBACK_REQUESTED:
            details["callback_at"] = self.clock + timedelta(hours=self.rng.choice([2, 26]))
        if outcome is NOT_INTERESTED:
            details["reason"] = self.rng.choice(NOT_INTERESTED_REASONS)
        if outcome is ACCEPTED_OFFER and self.rng.random() < 0.8:
            details["visit_on"] = self.clock.date() + timedelta(days=self.rng.choice([0, 1, 3]))
        try:
            logged = log_outcome(
                self.region.db,
                LEAD,
                self.region.members[name],
                outcome.code,
                at=self.clock,
                **details,
            )
        except UserFacingError as refused:
            return f"{name} {outcome.code}: refused ({refused})"
        self.logged[name].append(logged.attempt)
        return f"{name} {outcome.code} ({logged.follow_up or 'attempt'})"

    def undo(self) -> str:
        names = [name for name, attempts in self.logged.items() if attempts]
        if not names:
            return "nothing to undo"
        name = self.rng.choice(names)
        try:
            undo_outcome(self.region.db, LEAD, self.logged[name].pop())
        except UserFacingError as refused:  # an earlier outcome, once a later one was undone
            return f"{name}: undo refused ({refused})"
        return f"{name}: undone"

    def sell(self) -> str:
        lines = ["Customer ID,Date,Amount"]
        for _ in range(self.rng.randint(1, 3)):
            person = self.rng.choice(PEOPLE)
            day = self.clock.date() - timedelta(days=self.rng.choice([0, 0, 1, 2, 9]))
            lines.append(f"HO-{person.first_name},{day.isoformat()},{self.rng.randint(5, 80)}.50")
        extract = self.folder / f"sales-{len(self.extracts)}.csv"
        extract.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.extracts.append(extract)
        import_sales(self.region.db, extract, SalesImportOptions(region="GB"))
        return f"sold {len(lines) - 1}"


# --- the recomputation in plain Python ---------------------------------------------------------


def oracle(db: Database) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]]]:
    """Every member's facts and days, from the attempts and purchases read one by one."""
    with db.read_session() as session:
        members = session.execute(
            select(CampaignMember.id, CampaignMember.customer_id, CampaignMember.created_at)
        ).all()
        attempts = session.execute(
            select(
                CallAttempt.member_id,
                CallAttempt.called_at,
                CallAttempt.outcome,
                CallAttempt.reason,
                CallAttempt.id,
            ).where(CallAttempt.follow_up.is_(None))
        ).all()
        purchases = session.execute(select(Purchase.customer_id, Purchase.purchased_at)).all()
        changes = session.execute(select(AssignmentChange.member_id, AssignmentChange.changed_at))
        first_change: dict[int, datetime] = {}
        for member_id, changed_at in changes:
            first_change[member_id] = min(changed_at, first_change.get(member_id, changed_at))
    calls = defaultdict(list)
    declines: dict[int, list[tuple[datetime, int, str | None]]] = defaultdict(list)
    for member_id, called_at, outcome, reason, attempt_id in attempts:
        calls[member_id].append((called_at, outcome))
        if outcome in DECLINE_CODES:
            why = DO_NOT_CALL_REASON if outcome == DO_NOT_CALL.code else reason
            declines[member_id].append((called_at, attempt_id, why))
    bought = defaultdict(list)
    for customer_id, purchased_at in purchases:
        bought[customer_id].append(purchased_at)

    def latest(member_calls: list[tuple[datetime, str]], codes: Any) -> datetime | None:
        return max((at for at, outcome in member_calls if outcome in codes), default=None)

    facts: dict[int, dict[str, Any]] = {}
    days: set[tuple[Any, ...]] = set()
    for member_id, customer_id, created_at in members:
        mine = calls[member_id]
        first = min((at for at, _ in mine), default=None)
        came_back = min(
            (at for at in bought[customer_id] if first is not None and at.date() >= first.date()),
            default=None,
        )
        came_again = min(
            (at for at in bought[customer_id] if came_back and at.date() > came_back.date()),
            default=None,
        )
        assigned = first_change.get(member_id, created_at)
        facts[member_id] = {
            "first_attempt_at": first,
            "last_attempt_at": max((at for at, _ in mine), default=None),
            "last_reached_at": latest(mine, reached_codes()),
            "last_accepted_at": latest(mine, {ACCEPTED_OFFER.code}),
            "last_declined_at": latest(mine, DECLINE_CODES),
            "last_not_working_at": latest(mine, NOT_WORKING_CODES),
            "last_moved_at": latest(mine, {MOVED_OR_DECEASED.code}),
            "declined_reason": max(declines[member_id], default=(None, None, None))[2],
            "came_back_at": came_back,
            "came_back_days": (came_back.date() - first.date()).days
            if came_back and first
            else None,
            "came_again_at": came_again,
            "came_again_days": (came_again.date() - came_back.date()).days
            if came_again and came_back
            else None,
            "first_call_days": None
            if first is None
            else (first - assigned).total_seconds() / 86400,
        }
        by_day: dict[date, list[tuple[datetime, str]]] = defaultdict(list)
        for at, outcome in mine:
            by_day[at.date()].append((at, outcome))
        for day, day_calls in by_day.items():
            times = [at for at, _ in day_calls]
            days.add(
                (
                    member_id,
                    day,
                    len(day_calls),
                    min(times),
                    max(times),
                    latest(day_calls, reached_codes()),
                    latest(day_calls, {ACCEPTED_OFFER.code}),
                )
            )
    return facts, days


def rounded(row: dict[str, Any]) -> dict[str, Any]:
    """Days from assignment to within a second: SQLite's julianday keeps milliseconds."""
    days = row["first_call_days"]
    return {**row, "first_call_days": None if days is None else pytest.approx(days, abs=1e-5)}


def stored(db: Database) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]]]:
    columns = [CampaignMember.__table__.c[name] for name in FACT_COLUMNS]
    with db.read_session() as session:
        facts = {
            row.id: rounded({name: row._mapping[name] for name in FACT_COLUMNS})
            for row in session.execute(select(CampaignMember.id, *columns))
        }
        days = {
            tuple(row)
            for row in session.execute(
                select(
                    MemberDay.member_id,
                    MemberDay.day,
                    *(MemberDay.__table__.c[n] for n in DAY_FIGURES),
                )
            )
        }
    return facts, days


def recomputed(db: Database) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]]]:
    everyone = [CampaignMember.id.is_not(None)]
    with db.read_session() as session:
        table = recomputed_facts(everyone)
        facts = {
            row.member_id: rounded({name: row._mapping[name] for name in FACT_COLUMNS})
            for row in session.execute(select(table))
        }
        days = {tuple(row) for row in session.execute(recomputed_days(everyone))}
    return facts, days


def check_facts(db: Database, history: list[str]) -> None:
    with db.read_session() as session:
        counted_attempts = session.execute(
            select(CampaignMember.attempts, func.count(CallAttempt.id))
            .outerjoin(
                CallAttempt,
                (CallAttempt.member_id == CampaignMember.id) & CallAttempt.follow_up.is_(None),
            )
            .group_by(CampaignMember.id)
        ).all()
    # The desk's count of a member's attempts (life.py), which the leaderboard reads too.
    assert all(life == rows for life, rows in counted_attempts), history[-5:]
    kept, kept_days = stored(db)
    again, again_days = recomputed(db)
    by_hand, by_hand_days = oracle(db)
    assert kept == again == by_hand, history[-5:]
    assert kept_days == again_days == by_hand_days, history[-5:]


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_stored_facts_equal_their_recomputation_after_any_sequence_of_actions(
    db: Database, tmp_path: Path, seed: int
) -> None:
    region = build_region(db, PEOPLE)
    player = Player(region, tmp_path, random.Random(seed))
    history: list[str] = []
    for _ in range(45):
        history.append(player.step())
        check_facts(db, history)
    assert sum(step.endswith("(attempt)") for step in history) >= 10, history


@pytest.mark.parametrize("seed", range(3))
def test_the_leaderboard_from_stored_facts_equals_the_one_recomputed(
    db: Database, tmp_path: Path, seed: int
) -> None:
    region = build_region(db, PEOPLE)
    player = Player(region, tmp_path, random.Random(100 + seed))
    for _ in range(60):
        player.step()
    day = timedelta(days=1)
    end = datetime.combine(player.clock.date() + day, datetime.min.time(), UTC)
    for start in (START - day, end - 7 * day, end - 2 * day):
        scope = Scope(
            campaign_id=region.campaign_id,
            start=start,
            end=end,
            campaign_start=START - day,
            as_of=player.clock,
            visits_due_before=player.clock.date(),
            window_days=30,
        )
        for group_by in GroupBy:
            with db.read_session() as session:
                fast = count_figures(session, scope, group_by)
                slow = count_figures(session, scope, group_by, Source.RECOMPUTED)
            assert sorted(fast, key=repr) == sorted(slow, key=repr), (start, group_by)
