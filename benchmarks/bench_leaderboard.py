"""The leaderboard at 100k customers and about 1M call attempts, beside plain SQL counts.

Builds the demo region (``generate_demo``, 100,000 customers, five weeks of calls: about
126,000 attempts) once and caches it under benchmarks/.cache/, then grows the attempts in
bulk to about 1M by copying every attempt seven times, one to seven hours earlier on the same
day with the same outcome (each member then has eight times the attempts, with the same
story; a follow-up call's copies stay follow-ups). Written in bulk, the copies are then
summed into the members' stored facts once (``refresh_campaign``), as the demo does for its
own. Measured in the same run, on both the demo as generated and the grown copy:

1. ``leaderboard`` for this week, the last four weeks, the campaign to date and two custom
   periods that end before the latest call (a week and four weeks in November; target for
   any period: under 150 ms), beside a plain ``count(*)`` of the attempts the campaign to
   date covers (the campaign's members' attempts before the end of today).
2. ``weekly_trend`` for the whole campaign, for each rate (target: under 300 ms), beside the
   same plain count.

Periods are read in the computer's time zone, or ``--zone`` (a zone whose midnights are not
UTC's shows what the members a period's edges cut through cost: there are none in UTC).
Each figure is the median of ``--repeat`` runs after one warm-up run (the database's pages
then sit in the cache, as they do for a page refreshed while the app runs), as time taken and
as this process's CPU time, each with its ratio to the plain count's.

    .venv/bin/python benchmarks/bench_leaderboard.py [--customers 100000] [--repeat 5]
        [--zone Europe/Paris]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from time import perf_counter, process_time
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from lastmile_desktop.calling.member_facts import refresh_campaign
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.demo import CAMPAIGN_WEEKS, generate_demo
from lastmile_desktop.leaderboard.periods import PeriodChoice, PeriodKind
from lastmile_desktop.leaderboard.rates import Rate
from lastmile_desktop.leaderboard.service import leaderboard, weekly_trend
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.migrate import head_revision
from lastmile_desktop.storage.models import CallAttempt, CampaignMember

CACHE = Path(__file__).resolve().parent / ".cache"
TODAY = date(2026, 12, 2)  # the day the demo is opened on: a Wednesday
LEAD = Profile.lead("Benchmark")
COPIES = 7  # extra copies of each attempt: 8 times the attempts in all
SCHEMA = head_revision()  # a cached region is rebuilt when the schema moves on
PERIODS = (
    PeriodChoice(PeriodKind.THIS_WEEK),
    PeriodChoice(PeriodKind.LAST_4_WEEKS),
    PeriodChoice(PeriodKind.CAMPAIGN),
    # Ending before the latest call: the figures as they stood then.
    PeriodChoice.custom(date(2026, 11, 9), date(2026, 11, 15)),
    PeriodChoice.custom(date(2026, 11, 2), date(2026, 11, 29)),
)


def period_name(period: PeriodChoice) -> str:
    if period.kind is PeriodKind.CUSTOM:
        assert period.first_day is not None and period.last_day is not None
        return f"{period.first_day}..{period.last_day}"
    return period.kind.value


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    return (
        f"{cpu}, {os.cpu_count()} cores (load average {load}); Python "
        f"{platform.python_version()}; SQLite {sqlite3.sqlite_version}"
    )


def build(customers: int) -> tuple[Path, Path]:
    """The demo as generated and its grown copy, made once and kept in the cache."""
    CACHE.mkdir(exist_ok=True)
    base = CACHE / f"leaderboard-{customers}-{TODAY}-{SCHEMA}.sqlite3"
    grown = CACHE / f"leaderboard-{customers}-{TODAY}-{SCHEMA}-x{COPIES + 1}.sqlite3"
    if not base.exists():
        print(f"Generating the demo region with {customers:,} customers...", flush=True)
        partial = base.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        db, _ = open_database(to_url(partial))
        generate_demo(db, customers=customers, seed=7, today=TODAY)
        db.dispose()
        partial.rename(base)
    if not grown.exists():
        print(f"Growing the attempts {COPIES + 1} times...", flush=True)
        partial = grown.with_suffix(".partial")
        shutil.copyfile(base, partial)
        grow_attempts(partial)
        partial.rename(grown)
    return base, grown


def grow_attempts(path: Path) -> None:
    """Seven more copies of every attempt, 1 to 7 hours earlier, in one SQL statement each."""
    connection = sqlite3.connect(path)
    with connection:
        (last,) = connection.execute("SELECT max(id) FROM call_attempts").fetchone()
        for hours in range(1, COPIES + 1):
            connection.execute(
                """
                INSERT INTO call_attempts (uuid, member_id, manager_id, store_id, called_at,
                    outcome, note, callback_at, planned_visit_date, reason, follow_up,
                    timezone, script_version_id)
                SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
                        substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2)
                        || '-' || hex(randomblob(6))),
                    member_id, manager_id, store_id,
                    strftime('%Y-%m-%d %H:%M:%f', called_at, ?) || '000',
                    outcome, note, callback_at, planned_visit_date, reason, follow_up,
                    timezone, script_version_id
                FROM call_attempts WHERE id <= ?
                """,
                (f"-{hours} hours", last),
            )
        # The copies are attempts like the originals: the members' count of them follows.
        connection.execute(
            """
            UPDATE campaign_members SET attempts = (
                SELECT count(*) FROM call_attempts
                WHERE member_id = campaign_members.id AND follow_up IS NULL)
            """
        )
    connection.close()
    db, _ = open_database(to_url(path))
    try:
        with db.write_connection() as writer:
            refresh_campaign(writer)
    finally:
        db.dispose()
    connection = sqlite3.connect(path)
    connection.execute("ANALYZE")
    connection.close()


@dataclass(frozen=True)
class Timing:
    """Medians in milliseconds: the time it took, and the CPU time this process spent (the
    database runs in the process, so it counts too): on a machine shared with other work the
    first grows with the load, the second much less."""

    elapsed: float
    cpu: float

    def against(self, plain: Timing) -> str:
        return (
            f"{self.elapsed:7.1f} ms {self.elapsed / plain.elapsed:5.1f}x"
            f"   {self.cpu:7.1f} ms {self.cpu / plain.cpu:5.1f}x"
        )


def median_ms(work: Callable[[], object], repeat: int) -> Timing:
    work()
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu_started = perf_counter(), process_time()
        work()
        times.append(perf_counter() - started)
        cpu.append(process_time() - cpu_started)
    return Timing(statistics.median(times) * 1000, statistics.median(cpu) * 1000)


def attempts_before(db: Database, campaign_id: int, end_day: date) -> Callable[[], int]:
    """The plain count of the campaign's attempts before the end of ``end_day`` (UTC)."""
    end = datetime.combine(end_day + timedelta(days=1), time(0, 0), UTC)
    query = (
        select(func.count())
        .select_from(CallAttempt)
        .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
        .where(CampaignMember.campaign_id == campaign_id, CallAttempt.called_at < end)
    )

    def count() -> int:
        with db.read_session() as session:
            return int(session.scalar(query) or 0)

    return count


def measure(path: Path, repeat: int, zone: tzinfo | None) -> None:
    db, _ = open_database(to_url(path))
    try:
        with db.read_session() as session:
            attempts = session.scalar(select(func.count()).select_from(CallAttempt)) or 0
            members = session.scalar(select(func.count()).select_from(CampaignMember)) or 0
        print(f"\n{path.name}: {members:,} campaign members, {attempts:,} attempts")
        first = leaderboard(db, LEAD, today=TODAY, zone=zone)
        baseline = attempts_before(db, first.campaign_id, TODAY)
        plain = median_ms(baseline, repeat)
        print(
            f"  plain count of the {baseline():,} attempts read: {plain.elapsed:.1f} ms "
            f"({plain.cpu:.1f} ms CPU)"
        )
        header = "time / plain count   CPU time / plain count"
        print(f"  leaderboard (win-back rate)       {header}")
        for period in PERIODS:
            timing = median_ms(
                lambda period=period: leaderboard(db, LEAD, period=period, today=TODAY, zone=zone),
                repeat,
            )
            print(f"    {period_name(period):<30} {timing.against(plain)}")
        print(f"  weekly trend, whole campaign      {header}")
        start = TODAY - timedelta(days=CAMPAIGN_WEEKS * 7)
        print(f"    (weeks from {start} to {TODAY})")
        for rate in Rate:
            timing = median_ms(
                lambda rate=rate: weekly_trend(db, LEAD, rate=rate, today=TODAY, zone=zone),
                repeat,
            )
            print(f"    {rate.value:<30} {timing.against(plain)}")
    finally:
        db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--zone", help="read periods in this time zone (default: the computer's)")
    args = parser.parse_args(argv)
    zone = ZoneInfo(args.zone) if args.zone else None
    base, grown = build(args.customers)
    print(machine())
    print("Periods read in", args.zone or "the computer's time zone")
    measure(base, args.repeat, zone)
    measure(grown, args.repeat, zone)
    print(f"\nLoad average at the end: {machine().split('load average ')[1].split(')')[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
