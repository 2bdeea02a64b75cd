"""The members' stored facts, days and store tallies always equal their recomputation from
the raw rows.

Random sequences of what people do (calls logged and undone through the call desk's
services, visit reminders and "promised but not seen" calls among them, sales extracts
imported, the odd extract imported twice; customers reassigned to another store or manager,
handed back to the lead and given a store again, a leaving manager's work moved, the work
rebalanced, a customer moved to the holdout, a customer forgotten) are played on a small
region; after every step the facts kept in ``campaign_members`` and ``member_days`` and the
counts kept in ``store_tallies`` must equal both the SQL recomputation
(calling/member_facts.py, calling/store_tallies.py) and a recomputation written here in plain
Python from the attempts, purchases and members. Then the leaderboard counted from the
tallies must equal the one counted member by member from the stored facts and the one
recomputed from the attempts, for periods cut at local midnights of several time zones.
"""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import case, func, select

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
from lastmile_desktop.calling.store_tallies import (
    KEY,
    NEVER,
    NO_REASON,
    AttemptStanding,
    ReachedStanding,
    Series,
    counting,
    span_rows,
)
from lastmile_desktop.campaigns.assignment import (
    hand_back,
    move_work,
    reassign_members,
    rebalance,
    resolve_unassigned,
)
from lastmile_desktop.campaigns.campaigns import get_campaign, update_campaign
from lastmile_desktop.campaigns.managers import ManagerDraft, add_manager
from lastmile_desktop.campaigns.privacy import forget_customer
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.importing.sales import import_sales
from lastmile_desktop.importing.sales_model import SalesImportOptions
from lastmile_desktop.leaderboard.facts import (
    Figure,
    GroupBy,
    GroupCounts,
    Scope,
    Source,
    count_figures,
)
from lastmile_desktop.leaderboard.periods import local_midnight
from lastmile_desktop.leaderboard.store_figures import store_figures, weekly_counts
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import (
    AssignmentChange,
    CallAttempt,
    Campaign,
    CampaignMember,
    MemberDay,
    MemberGroup,
    Purchase,
    StoreTally,
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

    moves: bool = False  # also reassign, hand back, place, move work, hold out, forget

    def step(self) -> str:
        self.clock += timedelta(hours=self.rng.choice([1, 3, 7, 20, 30]))
        roll = self.rng.random()
        if self.moves and roll < 0.3:
            return self.move()
        if roll < 0.6:
            return self.log()
        if roll < 0.75:
            return self.undo()
        if roll < 0.9 or not self.extracts:
            return self.sell()
        again = self.rng.choice(self.extracts)
        import_sales(self.region.db, again, SalesImportOptions(region="GB"))
        return f"imported {again.name} again"

    def move(self) -> str:
        """One of the writes that change a member's store, group or owner (or a forgetting,
        which changes none of the figures' rows), through the services people use."""
        db, region = self.region.db, self.region
        name = self.rng.choice(list(region.members))
        member_id = region.member_id(name)
        managers = managers_of(db)
        what = self.rng.choice(
            ["reassign", "reassign", "hand back", "place", "move work"] * 2
            + ["rebalance", "hold out", "forget", "edit campaign"]
        )
        try:
            if what == "reassign":
                manager_id, _ = self.rng.choice(managers)
                reassign_members(db, LEAD, [member_id], manager_id, "moved house")
            elif what == "hand back":
                hand_back(db, LEAD, member_id, "lives nearer another store")
            elif what == "place":
                waiting = unplaced(db)
                if not waiting:
                    return "nobody to place"
                store_id = self.rng.choice(sorted(region.stores.values()))
                resolve_unassigned(db, LEAD, [self.rng.choice(waiting)], store_id)
            elif what == "move work":
                manager_id, _ = self.rng.choice(managers)
                move_work(db, LEAD, manager_id, "on leave")
            elif what == "rebalance":
                rebalance(db, LEAD, region.campaign_id)
            elif what == "hold out":
                region.hold_out(name)
            elif what == "edit campaign":
                info = get_campaign(db, region.campaign_id)
                draft = dataclasses.replace(
                    info.to_draft(),
                    start_date=START.date() + timedelta(days=self.rng.choice([-3, 0, 2, 5])),
                    attribution_window_days=self.rng.choice([3, 14, 30]),
                )
                update_campaign(db, region.campaign_id, draft, LEAD)
            else:
                forget_customer(db, customer_of(db, member_id), LEAD)
        except UserFacingError as refused:
            return f"{what} {name}: refused ({refused})"
        return f"{what} {name}"

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


def managers_of(db: Database) -> list[tuple[int, int]]:
    from lastmile_desktop.storage.models import Manager

    with db.read_session() as session:
        return [
            (manager_id, store_id)
            for manager_id, store_id in session.execute(
                select(Manager.id, Manager.store_id).order_by(Manager.id)
            )
        ]


def unplaced(db: Database) -> list[int]:
    with db.read_session() as session:
        return list(
            session.scalars(
                select(CampaignMember.id)
                .where(CampaignMember.store_id.is_(None))
                .order_by(CampaignMember.id)
            )
        )


def customer_of(db: Database, member_id: int) -> int:
    with db.read_session() as session:
        return session.get_one(CampaignMember, member_id).customer_id


def with_second_managers(region: Region) -> Region:
    """A second manager in each store, so a leaving one's work has somewhere to go."""
    for name, code in (("Cleo Brown", "LON"), ("Dan Green", "LEE")):
        add_manager(region.db, ManagerDraft(name, region.stores[code]), LEAD)
    return region


# --- the recomputation in plain Python ---------------------------------------------------------


def oracle(db: Database) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]], Tallies]:
    """Every member's facts, days and spans, from the attempts, purchases and members read
    one by one."""
    with db.read_session() as session:
        members = session.execute(
            select(
                CampaignMember.id,
                CampaignMember.customer_id,
                CampaignMember.created_at,
                CampaignMember.campaign_id,
                CampaignMember.promised_at,
            )
        ).all()
        campaigns = {campaign.id: campaign for campaign in session.scalars(select(Campaign)).all()}
        attempts = session.execute(
            select(
                CallAttempt.member_id,
                CallAttempt.called_at,
                CallAttempt.outcome,
                CallAttempt.reason,
                CallAttempt.id,
            ).where(CallAttempt.follow_up.is_(None))
        ).all()
        purchases = session.execute(
            select(Purchase.customer_id, Purchase.purchased_at, Purchase.amount_cents)
        ).all()
        places = {
            member_id: (campaign_id, store_id if group == MemberGroup.CALL else None)
            for member_id, campaign_id, store_id, group in session.execute(
                select(
                    CampaignMember.id,
                    CampaignMember.campaign_id,
                    CampaignMember.store_id,
                    CampaignMember.group,
                )
            )
        }
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
    spent: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    for customer_id, purchased_at, amount in purchases:
        bought[customer_id].append(purchased_at)
        spent[customer_id].append((purchased_at, amount))

    def latest(member_calls: list[tuple[datetime, str]], codes: Any) -> datetime | None:
        return max((at for at, outcome in member_calls if outcome in codes), default=None)

    facts: dict[int, dict[str, Any]] = {}
    days: set[tuple[Any, ...]] = set()
    for member_id, customer_id, created_at, campaign_id, promised_at in members:
        mine = calls[member_id]
        first = min((at for at, _ in mine), default=None)
        campaign = campaigns[campaign_id]
        first_day = campaign.start_date or campaign.created_at.date()
        window = [
            (at, amount)
            for at, amount in spent[customer_id]
            if first is not None
            and first.date()
            <= at.date()
            <= first.date() + timedelta(days=campaign.attribution_window_days)
        ]
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
            "window_spend_cents": None if first is None else sum(a for _, a in window),
            "window_last_at": max((at for at, _ in window), default=None),
            "returned_at": min(
                (at for at in bought[customer_id] if at.date() >= first_day), default=None
            ),
            "bought_since_promise_at": min(
                (at for at in bought[customer_id] if promised_at and at >= promised_at),
                default=None,
            ),
        }
        by_day: dict[date, list[tuple[datetime, str]]] = defaultdict(list)
        for at, outcome in mine:
            by_day[at.date()].append((at, outcome))
        for day, day_calls in by_day.items():
            times = [at for at, _ in day_calls]
            day_declines = [d for d in declines[member_id] if d[0].date() == day]
            days.add(
                (
                    member_id,
                    day,
                    len(day_calls),
                    min(times),
                    max(times),
                    latest(day_calls, reached_codes()),
                    latest(day_calls, {ACCEPTED_OFFER.code}),
                    latest(day_calls, DECLINE_CODES),
                    latest(day_calls, NOT_WORKING_CODES),
                    latest(day_calls, {MOVED_OR_DECEASED.code}),
                    max(day_declines, default=(None, None, None))[2],
                )
            )
    return facts, days, oracle_tallies(days, places)


Tallies = dict[tuple[Any, ...], tuple[int, int]]


def oracle_tallies(
    days: set[tuple[Any, ...]], places: dict[int, tuple[int, int | None]]
) -> Tallies:
    """Each call-group member's days as spans (calling/store_tallies.py), counted by key."""
    by_member: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in days:
        by_member[row[0]].append(row)
    tallies: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for member_id, rows in by_member.items():
        campaign_id, store_id = places[member_id]
        if store_id is None:
            continue
        rows.sort(key=lambda row: row[1])
        reached_days = [row[1] for row in rows if row[5] is not None]
        for index, row in enumerate(rows):
            _, day, count, _, last, reached, accepted, declined, not_working, moved, why = row
            kind = (
                (AttemptStanding.NOT_WORKING if not_working == last else 0)
                | (AttemptStanding.MOVED if moved == last else 0)
                | (AttemptStanding.REACHED_YET if any(r[5] for r in rows[: index + 1]) else 0)
                | (AttemptStanding.FIRST if index == 0 else 0)
            )
            to_day = rows[index + 1][1] if index + 1 < len(rows) else NEVER
            key = (campaign_id, store_id, Series.ATTEMPT.value, day, to_day, int(kind), NO_REASON)
            tallies[key][0] += 1
            tallies[key][1] += count
            if reached is None:
                continue
            later = [other for other in reached_days if other > day]
            gave_reason = declined == reached and why is not None
            standing = (
                (ReachedStanding.ACCEPTED if accepted is not None and accepted >= reached else 0)
                | (ReachedStanding.DECLINED if declined == reached else 0)
                | (ReachedStanding.REASON_GIVEN if gave_reason else 0)
            )
            key = (
                campaign_id,
                store_id,
                Series.REACHED.value,
                day,
                later[0] if later else NEVER,
                int(standing),
                why if gave_reason else NO_REASON,
            )
            tallies[key][0] += 1
    return {key: (members, attempts) for key, (members, attempts) in tallies.items()}


def rounded(row: dict[str, Any]) -> dict[str, Any]:
    """Days from assignment to within a second: SQLite's julianday keeps milliseconds."""
    days = row["first_call_days"]
    return {**row, "first_call_days": None if days is None else pytest.approx(days, abs=1e-5)}


def stored(db: Database) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]], Tallies]:
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
                    MemberDay.declined_reason,
                )
            )
        }
        tallies = {
            tuple(getattr(row, column) for column in KEY): (row.members, row.attempts)
            for row in session.scalars(select(StoreTally).where(counting()))
        }
    return facts, days, tallies


def recomputed(db: Database) -> tuple[dict[int, dict[str, Any]], set[tuple[Any, ...]], Tallies]:
    everyone = [CampaignMember.id.is_not(None)]
    member = CampaignMember
    in_call = case(
        ((member.group == MemberGroup.CALL.value) & member.store_id.is_not(None), member.store_id)
    )
    with db.read_session() as session:
        table = recomputed_facts(everyone)
        facts = {
            row.member_id: rounded({name: row._mapping[name] for name in FACT_COLUMNS})
            for row in session.execute(select(table))
        }
        days = {tuple(row) for row in session.execute(recomputed_days(everyone))}
        spans = span_rows(recomputed_days(everyone).subquery(), in_call, everyone)
        tallies = {
            tuple(row[column] for column in KEY): (row["members"], row["attempts"])
            for row in session.execute(spans).mappings()
        }
    return facts, days, tallies


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
    kept, kept_days, kept_tallies = stored(db)
    again, again_days, again_tallies = recomputed(db)
    by_hand, by_hand_days, by_hand_tallies = oracle(db)
    assert kept == again == by_hand, history[-5:]
    assert kept_days == again_days == by_hand_days, history[-5:]
    assert kept_tallies == again_tallies == by_hand_tallies, history[-5:]


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
    after_all = datetime.combine(player.clock.date() + day, datetime.min.time(), UTC)
    halfway = START + (player.clock - START) / 2
    periods = [
        (START - day, after_all),  # the campaign to date: the stored facts
        (after_all - 7 * day, after_all),
        (after_all - 2 * day, after_all),
        (START - day, halfway),  # ends before the latest calls: summed from the days
        (halfway - 3 * day, halfway.replace(minute=0, second=0, microsecond=0)),
        (halfway - 3 * day, datetime.combine(halfway.date(), datetime.min.time(), UTC)),
    ]
    for start, end in periods:
        scope = Scope(
            campaign_id=region.campaign_id,
            start=start,
            end=end,
            campaign_start=START - day,
            as_of=min(end, player.clock),
            visits_due_before=min(end, player.clock).date(),
            window_days=30,
        )
        for group_by in GroupBy:
            with db.read_session() as session:
                fast = count_figures(session, scope, group_by)
                slow = count_figures(session, scope, group_by, Source.RECOMPUTED)
            assert sorted(fast, key=repr) == sorted(slow, key=repr), (start, end, group_by)
        with db.read_session() as session:
            tallied = store_figures(session, scope)
        assert by_store(tallied) == by_store(slow_by_store(db, scope)), (start, end)


def slow_by_store(db: Database, scope: Scope) -> list[GroupCounts]:
    with db.read_session() as session:
        return count_figures(session, scope, GroupBy.STORE, Source.RECOMPUTED)


def by_store(counts: list[GroupCounts]) -> dict[int, GroupCounts]:
    """Each store's figures (members without a store count in no store's figures)."""
    return {found.key: found for found in counts if found.key is not None}


@pytest.mark.parametrize("seed", range(8))
def test_kept_facts_and_tallies_equal_their_recomputation_as_members_move(
    db: Database, tmp_path: Path, seed: int
) -> None:
    region = with_second_managers(build_region(db, PEOPLE))
    player = Player(region, tmp_path, random.Random(200 + seed), moves=True)
    history: list[str] = []
    for _ in range(50):
        history.append(player.step())
        check_facts(db, history)
    moved = [step for step in history if "refused" not in step and not step.startswith("nobody")]
    kinds = ("reassign", "hand back", "place", "move work", "rebalance", "hold out", "edit")
    assert sum(step.startswith(kinds) for step in moved) >= 3, history
    assert sum(step.endswith("(attempt)") for step in history) >= 5, history


ZONES = [
    UTC,
    ZoneInfo("Europe/London"),
    ZoneInfo("Europe/Paris"),
    ZoneInfo("America/New_York"),
    ZoneInfo("Asia/Kolkata"),
    ZoneInfo("Pacific/Chatham"),
    ZoneInfo("Australia/Sydney"),
]


def local_scope(
    db: Database, campaign_id: int, first: date, last: date, *, zone: Any, clock: datetime
) -> Scope:
    """The period of days ``first`` to ``last`` read in ``zone``, as the services settle it
    (from the campaign's first day and window as they are now)."""
    campaign = get_campaign(db, campaign_id)
    assert campaign.start_date is not None
    start = local_midnight(first, zone)
    end = local_midnight(last + timedelta(days=1), zone)
    return Scope(
        campaign_id=campaign_id,
        start=start,
        end=end,
        campaign_start=local_midnight(campaign.start_date, zone),
        as_of=min(end, clock),
        visits_due_before=min(last + timedelta(days=1), clock.date()),
        window_days=campaign.attribution_window_days,
    )


@pytest.mark.parametrize("seed", range(4))
def test_the_leaderboard_from_the_tallies_equals_the_one_recomputed_in_any_time_zone(
    db: Database, tmp_path: Path, seed: int
) -> None:
    """Any period, cut at the local midnights of a zone (where calls were made around the
    clock, so every edge cuts through someone's day), and week by week."""
    region = with_second_managers(build_region(db, PEOPLE))
    rng = random.Random(300 + seed)
    player = Player(region, tmp_path, rng, moves=True)
    for _ in range(70):
        player.step()
    days = (player.clock.date() - START.date()).days
    for _ in range(12):
        zone = rng.choice(ZONES)
        first = START.date() + timedelta(days=rng.randint(-2, days))
        last = first + timedelta(days=rng.choice([0, 1, 2, 6, 13, 40]))
        scope = local_scope(db, region.campaign_id, first, last, zone=zone, clock=player.clock)
        with db.read_session() as session:
            tallied = store_figures(session, scope)
            kept = count_figures(session, scope, GroupBy.STORE)
        recomputed = slow_by_store(db, scope)
        assert by_store(tallied) == by_store(kept) == by_store(recomputed), (first, last, zone)

        weeks = [first + timedelta(days=7 * week) for week in range(4)]
        bounds = [local_midnight(day, zone) for day in weeks]
        for numerator, denominator in (
            (Figure.ATTEMPTED, Figure.ASSIGNED),
            (Figure.REACHED, Figure.ATTEMPTED),
            (Figure.ACCEPTED, Figure.REACHED),
            (Figure.WON_BACK, Figure.ASSIGNED),
            (Figure.STAYED_BACK, Figure.WON_BACK),
        ):
            with db.read_session() as session:
                weekly = weekly_counts(session, scope, bounds, numerator, denominator)
            found = {(row.group, row.week): (row.numerator, row.denominator) for row in weekly}
            for week in range(len(bounds) - 1):
                one_week = dataclasses.replace(scope, start=bounds[week], end=bounds[week + 1])
                for key, counts in by_store(slow_by_store(db, one_week)).items():
                    expected = (counts.counts[numerator], counts.counts[denominator])
                    if expected != (0, 0):
                        assert found.get((key, week)) == expected, (week, zone, numerator)


def test_the_campaigns_window_and_start_are_read_for_each_members_own_campaign() -> None:
    """The campaign's window and first day sit two subqueries deep in the members' update:
    they must follow the member being updated, not the first campaign of the table (SQLite
    took the first row; PostgreSQL refused the statement)."""
    from sqlalchemy import update
    from sqlalchemy.dialects import postgresql, sqlite

    from lastmile_desktop.calling.member_facts import returned, window_last, window_spend

    statement = update(CampaignMember).values(
        window_spend_cents=window_spend(
            CampaignMember.customer_id, CampaignMember.first_attempt_at, CampaignMember.campaign_id
        ),
        window_last_at=window_last(
            CampaignMember.customer_id, CampaignMember.first_attempt_at, CampaignMember.campaign_id
        ),
        returned_at=returned(CampaignMember.customer_id, CampaignMember.campaign_id),
    )
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = " ".join(str(statement.compile(dialect=dialect)).split())
        assert "FROM campaigns, campaign_members" not in sql
        assert sql.count("FROM campaigns WHERE campaigns.id = campaign_members.campaign_id") == 3
