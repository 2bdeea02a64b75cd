"""The call desk's services at 100,000 customers and about a million call attempts.

Measured for a store manager's profile, each against a baseline in the same run (a plain
indexed SELECT of the store's members, what any screen of the store needs at least):
1. Opening the desk: ``build_queue`` (the whole queue: Now and Later) and the first card.
2. The next customer: ``log_outcome`` on the first entry, then ``build_queue`` and the next
   card, as the desk does after an outcome key; median and 95th percentile.

The region is ``lastmile demo --customers 100000`` grown to about a million attempts: an
earlier, closed campaign over the same customers with several calls each (the cards show
them as history). The grown database is kept under benchmarks/.cache for the next run.

    .venv/bin/python benchmarks/bench_desk_services.py [--customers N] [--attempts N]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as day_time
from pathlib import Path
from zoneinfo import ZoneInfo

from bench_assign import machine
from sqlalchemy import func, insert, select

from lastmile_desktop.calling.card import customer_card
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.outcomes import OUTCOMES
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    CallAttempt,
    Campaign,
    CampaignMember,
    CampaignState,
    Customer,
    Manager,
    MemberGroup,
    MemberStatus,
)

CACHE = Path(__file__).resolve().parent / ".cache"
LONDON = ZoneInfo("Europe/London")
CHUNK = 20_000
# Outcomes of the earlier campaign's calls, drawn evenly from the catalogue.
HISTORY_OUTCOMES = [outcome.code for outcome in OUTCOMES]


def timed(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def grow_history(db: Database, attempts_wanted: int, rng: random.Random) -> int:
    """An earlier, closed campaign over the same customers, called until the database holds
    about ``attempts_wanted`` attempts. Returns the attempts it holds."""
    with db.session() as session:
        held = session.scalar(select(func.count()).select_from(CallAttempt)) or 0
        missing = attempts_wanted - held
        if missing <= 0:
            return held
        customers = session.execute(select(Customer.id, Customer.home_store_id)).all()
        managers: dict[int, list[int]] = {}
        for manager_id, store_id in session.execute(select(Manager.id, Manager.store_id)):
            managers.setdefault(store_id, []).append(manager_id)
        earlier = Campaign(
            name="Win-back last year",
            state=CampaignState.CLOSED,
            start_date=datetime.now(UTC).date() - timedelta(days=400),
        )
        session.add(earlier)
        session.flush()
        per_customer = max(1, missing // len(customers))
        started = datetime.now(UTC) - timedelta(days=400)
        members = [
            {
                "uuid": uuid.uuid4(),
                "campaign_id": earlier.id,
                "customer_id": customer_id,
                "store_id": store_id,
                "manager_id": rng.choice(managers[store_id]) if store_id in managers else None,
                "group": MemberGroup.CALL,
                "status": MemberStatus.DONE,
                "attempts": per_customer,
                "last_outcome": "no_answer",
                "version": per_customer + 1,
            }
            for customer_id, store_id in customers
        ]
        for start in range(0, len(members), CHUNK):
            session.execute(insert(CampaignMember), members[start : start + CHUNK])
        ids = session.execute(
            select(CampaignMember.id, CampaignMember.store_id, CampaignMember.manager_id).where(
                CampaignMember.campaign_id == earlier.id
            )
        ).all()
        rows: list[dict[str, object]] = []
        for member_id, store_id, manager_id in ids:
            for call in range(per_customer):
                called = started + timedelta(days=call * 3, minutes=rng.randrange(600))
                rows.append(
                    {
                        "uuid": uuid.uuid4(),
                        "member_id": member_id,
                        "manager_id": manager_id,
                        "store_id": store_id,
                        "called_at": called,
                        "logged_at": called,
                        "outcome": rng.choice(HISTORY_OUTCOMES),
                    }
                )
            if len(rows) >= CHUNK:
                session.execute(insert(CallAttempt), rows)
                rows = []
        if rows:
            session.execute(insert(CallAttempt), rows)
        return session.scalar(select(func.count()).select_from(CallAttempt)) or 0


def region(customers: int, attempts: int, seed: int) -> Path:
    """The grown demo region, built once and copied for each run."""
    CACHE.mkdir(exist_ok=True)
    cached = CACHE / f"desk-{customers}-{attempts}-{seed}.sqlite3"
    if not cached.exists():
        partial = cached.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        db, _ = open_database(to_url(partial))
        try:
            print(f"Building the demo region ({customers:,} customers)...", flush=True)
            started = time.perf_counter()
            generate_demo(db, customers=customers, seed=seed)
            print(f"  demo: {time.perf_counter() - started:.0f} s", flush=True)
            started = time.perf_counter()
            held = grow_history(db, attempts, random.Random(seed))
            print(f"  grown to {held:,} attempts: {time.perf_counter() - started:.0f} s")
        finally:
            db.dispose()
        with sqlite3.connect(partial) as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            raw.execute("ANALYZE")
        raw.close()
        partial.rename(cached)
    return cached


def busiest_manager(db: Database) -> Profile:
    """The manager with the most customers still to call: the longest queue to open."""
    with db.read_session() as session:
        campaign = session.scalars(
            select(Campaign.id).where(Campaign.state == CampaignState.OPEN)
        ).one()
        manager_id, _ = session.execute(
            select(CampaignMember.manager_id, func.count())
            .where(
                CampaignMember.campaign_id == campaign,
                CampaignMember.status.in_((MemberStatus.TO_CALL, MemberStatus.IN_PROGRESS)),
            )
            .group_by(CampaignMember.manager_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        manager = session.get_one(Manager, manager_id)
        return Profile.manager(manager.name, manager.id, manager.store_id)


def baseline(path: Path, profile: Profile) -> Callable[[], object]:
    """A plain indexed SELECT of the manager's members in the open campaign."""

    def work() -> object:
        with sqlite3.connect(path) as raw:
            rows = raw.execute(
                "SELECT m.id, m.status, m.next_due_at, c.first_name, c.phone "
                "FROM campaign_members m JOIN customers c ON c.id = m.customer_id "
                "JOIN campaigns k ON k.id = m.campaign_id "
                "WHERE k.state = 'open' AND m.store_id = ? AND m.manager_id = ?",
                (profile.store_id, profile.manager_id),
            ).fetchall()
        raw.close()
        return rows

    return work


def calling_time() -> datetime:
    """Yesterday at noon in London: within calling hours and in the past (log accepts it)."""
    yesterday = datetime.now(LONDON).date() - timedelta(days=1)
    return datetime.combine(yesterday, day_time(12, 0), tzinfo=LONDON).astimezone(UTC)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--opens", type=int, default=15, help="queue openings to time")
    parser.add_argument("--calls", type=int, default=60, help="outcome + next customer cycles")
    args = parser.parse_args()

    cached = region(args.customers, args.attempts, args.seed)
    work_dir = Path(CACHE / "run")
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir()
    path = work_dir / "desk.sqlite3"
    shutil.copyfile(cached, path)
    db, _ = open_database(to_url(path))
    try:
        with db.read_session() as session:
            attempts = session.scalar(select(func.count()).select_from(CallAttempt)) or 0
            members = session.scalar(select(func.count()).select_from(CampaignMember)) or 0
        profile = busiest_manager(db)
        at = calling_time()
        print(f"Machine: {machine()}")
        print(f"Database: {members:,} campaign members, {attempts:,} call attempts")

        base_work = baseline(path, profile)
        base_work()
        base = statistics.median(timed(base_work) for _ in range(args.opens))

        queue = build_queue(db, profile, at=at)
        print(f"Manager {profile.name}: {len(queue.now):,} to call now, {len(queue.later):,} later")
        opens = [timed(lambda: build_queue(db, profile, at=at)) for _ in range(args.opens)]
        first = queue.now[0].member
        cards = [timed(lambda: customer_card(db, profile, first, at=at)) for _ in range(args.opens)]

        logs: list[float] = []
        nexts: list[float] = []
        for _ in range(args.calls):
            entry = queue.now[0]
            started = time.perf_counter()
            log_outcome(
                db, profile, entry.member, "no_answer", at=at, expected_version=entry.version
            )
            logged = time.perf_counter()
            queue = build_queue(db, profile, at=at)
            customer_card(db, profile, queue.now[0].member, at=at)
            done = time.perf_counter()
            logs.append((logged - started) * 1000)
            nexts.append((done - started) * 1000)
    finally:
        db.dispose()
        shutil.rmtree(work_dir, ignore_errors=True)

    def line(what: str, values: list[float]) -> str:
        median, p95 = statistics.median(values), percentile(values, 0.95)
        return (
            f"{what:<44} median {median:7.1f} ms  p95 {p95:7.1f} ms  "
            f"({median / base:5.1f}x / {p95 / base:5.1f}x the baseline)"
        )

    print(f"{'Baseline: indexed SELECT of the manager members':<44} median {base:7.1f} ms")
    print(line("Opening: build_queue", opens))
    print(line("Opening: first customer card", cards))
    print(line("Next customer: log_outcome alone", logs))
    print(line("Next customer: log + build_queue + card", nexts))


if __name__ == "__main__":
    main()
