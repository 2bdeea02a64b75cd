"""Assignment and the member table at 100k customers.

1. Assigning 100,000 customers across 60 stores with 2-4 managers each (holdout draw, fair
   split, an ownership record per assigned member), then a later import of 5,000 more.
   Baseline, same run: reading the same rows and writing every member row once in one bulk
   UPDATE (the least any assignment has to do).
2. Filtering the member table by a name or phone fragment: count + first page (200 rows,
   sorted by name), as the Assign page does on every filter change. Target: under 50 ms.
   Baselines, same run: a plain full scan of the members table, and the query one would
   write first (LIKE over first and last name joined to the members, sorted in full).

Run: .venv/bin/python benchmarks/bench_assign.py [--customers N]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import bindparam, insert, select, update

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.members import (
    MemberFilter,
    MemberSort,
    count_members,
    member_page,
)
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import (
    Base,
    Campaign,
    CampaignMember,
    Customer,
    Manager,
    MemberStatus,
    Store,
)
from lastmile_desktop.storage.types import utcnow

STORES = 60
PAGE = 200  # the Assign page's page size
REPEATS = 7
# Names as a retail list holds them (underscores join two-word surnames).
_FIRST = (
    "Olivia Amelia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Noah Oliver George "
    "Arthur Leo Muhammad Harry Oscar Archie Henry Theodore Jack Zoë Siân Aoife Chloé Priya Wei "
    "Kwame Aleksandra Mateusz Fatima Omar Ewan Ffion Niamh Callum Amara Anna Joanne "
)
_LAST = (
    "Smith Jones Taylor Brown Williams Wilson Johnson Davies Patel Robinson Wright Thompson "
    "Evans Walker White Roberts Green Hall Thomas Clarke Jackson Wood Harris Edwards Turner "
    "Martin Cooper Hill Ward Hughes Moore Clark King Harrison Lewis Baker Lee Allen Morris Khan "
    "Scott Watson Davis Parker James Bennett Young Phillips Richardson Mitchell O'Brien Nowak "
    "Okafor Nguyen Kowalski MacDonald Ó_Súilleabháin Achebe Costa Murphy "
)
FIRST_NAMES = tuple(_FIRST.split())
LAST_NAMES = tuple(name.replace("_", " ") for name in _LAST.split())
# What a lead types into the search box: surname and first-name fragments, a phone fragment.
FRAGMENTS = ("smi", "patel", "ann", "o'b", "oka", "wil", "harr", "zoë", "jones ol", "07700 012 3")


def build(db: Database, customers: int, rng: random.Random) -> int:
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(
            insert(Store),
            [{"code": str(n), "name": f"Store {n:02d}", "created_at": now} for n in range(1, 61)],
        )
        connection.execute(
            insert(Manager),
            [
                {
                    "uuid": uuid.uuid4(),
                    "store_id": store,
                    "name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "active": True,
                    "created_at": now,
                }
                for store in range(1, STORES + 1)
                for _ in range(rng.randint(2, 4))
            ],
        )
        campaign = connection.execute(
            insert(Campaign).values(name="Spring win-back", created_at=now).returning(Campaign.id)
        ).scalar_one()
    add_customers(db, campaign, customers, rng, first_phone=0)
    return int(campaign)


def add_customers(
    db: Database, campaign: int, count: int, rng: random.Random, first_phone: int
) -> None:
    now = utcnow()
    rows = [
        {
            "uuid": uuid.uuid4(),
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            "phone": f"+447700{first_phone + n:06d}",
            # About 1 in 200 has no known home store: they wait in the Unassigned bucket.
            "home_store_id": None if rng.random() < 0.005 else rng.randint(1, STORES),
            "lifetime_spend_cents": int(rng.lognormvariate(10, 1.2)),
            "last_purchase_date": date(2024, 1, 1) + timedelta(days=rng.randrange(600)),
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]
    with db.engine.begin() as connection:
        connection.execute(insert(Customer), rows)
        new = connection.execute(
            select(Customer.id, Customer.home_store_id).where(
                Customer.phone >= f"+447700{first_phone:06d}",
                Customer.phone < f"+447700{first_phone + count:06d}",
            )
        ).all()
        connection.execute(
            insert(CampaignMember),
            [
                {
                    "uuid": uuid.uuid4(),
                    "campaign_id": campaign,
                    "customer_id": customer_id,
                    "store_id": store_id,
                    "status": MemberStatus.UNASSIGNED,
                    "created_at": now,
                    "updated_at": now,
                }
                for customer_id, store_id in new
            ],
        )


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def baseline_write(db: Database, campaign: int) -> float:
    """Read the members with their customers, then write every member row once."""

    def work() -> None:
        with db.session() as session:
            ids = session.scalars(
                select(CampaignMember.id)
                .join(Customer, Customer.id == CampaignMember.customer_id)
                .where(CampaignMember.campaign_id == campaign)
            ).all()
            table = Base.metadata.tables[CampaignMember.__tablename__]
            session.execute(
                update(table)
                .where(table.c.id == bindparam("member_id"))
                .values(updated_at=utcnow()),
                [{"member_id": member_id} for member_id in ids],
            )

    return timed(work)


def median_ms(work: Callable[[], object]) -> float:
    work()  # warm the page cache as a second keystroke would find it
    return statistics.median(timed(work) for _ in range(REPEATS)) * 1000


def raw_full_scan_ms(path: Path) -> float:
    connection = sqlite3.connect(path)
    try:
        return median_ms(
            lambda: connection.execute(
                "SELECT count(*) FROM campaign_members WHERE attempts >= 0"
            ).fetchall()
        )
    finally:
        connection.close()


def naive_filter_ms(path: Path, campaign: int, fragment: str) -> float:
    """The first query one would write: LIKE over the join, count, then sort it all."""
    connection = sqlite3.connect(path)
    pattern = f"%{fragment}%"
    where = (
        "FROM campaign_members m JOIN customers c ON c.id = m.customer_id "
        "WHERE m.campaign_id = ? AND (c.first_name || ' ' || c.last_name LIKE ? OR c.phone LIKE ?)"
    )

    def work() -> None:
        connection.execute(f"SELECT count(*) {where}", (campaign, pattern, pattern)).fetchall()
        connection.execute(
            f"SELECT m.id, c.first_name, c.last_name {where} "
            f"ORDER BY c.last_name, c.first_name LIMIT {PAGE}",
            (campaign, pattern, pattern),
        ).fetchall()

    try:
        return median_ms(work)
    finally:
        connection.close()


def filter_change_ms(db: Database, profile: Profile, member_filter: MemberFilter) -> float:
    def work() -> None:
        count_members(db, profile, member_filter)
        member_page(db, profile, member_filter, MemberSort.NAME, False, 0, PAGE)

    return median_ms(work)


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    cores = os.cpu_count() or 0
    # Other work on the machine slows every figure alike; the load says how busy it was.
    load = (
        ", ".join(f"{value:.1f}" for value in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    )
    return (
        f"{cpu}, {cores} cores (load average {load}); Python {platform.python_version()}; "
        f"SQLite {sqlite3.sqlite_version}; {platform.system()} {platform.release()}"
    )


def bench_assignment(db: Database, campaign: int, customers: int, rng: random.Random) -> None:
    lead = Profile.lead("Benchmark")
    base = baseline_write(db, campaign)
    started = time.perf_counter()
    report = assign_campaign(db, campaign, lead, seed=7)
    seconds = time.perf_counter() - started
    managers = sum(len(store.managers) for store in report.stores)
    print(f"Assign {customers:,} customers, {STORES} stores, {managers} managers:")
    print(
        f"  {seconds:.2f} s  (drawn {report.newly_drawn:,}, holdout {report.newly_held_out:,}, "
        f"given a manager {report.newly_assigned:,}, unassigned bucket {report.unassigned:,})"
    )
    print(f"  baseline, read + one bulk UPDATE of every member row: {base:.2f} s")
    print(f"  ratio assign / baseline: {seconds / base:.1f}x")
    add_customers(db, campaign, 5_000, rng, first_phone=customers)
    later = timed(lambda: assign_campaign(db, campaign, lead))
    print(f"  a later import of 5,000 more, assigned in {later:.2f} s")


def bench_filters(db: Database, path: Path, campaign: int, customers: int) -> None:
    lead = Profile.lead("Benchmark")
    print(f"Filter change (count + first {PAGE} rows by name) at {customers:,} customers:")
    scan = raw_full_scan_ms(path)
    results = []
    for fragment in FRAGMENTS:
        member_filter = MemberFilter(campaign, search=fragment)
        ours = filter_change_ms(db, lead, member_filter)
        naive = naive_filter_ms(path, campaign, fragment)
        hits = count_members(db, lead, member_filter)
        results.append(ours)
        print(
            f"  {fragment!r:<14} {hits:>6,} hits  {ours:6.1f} ms   "
            f"(naive LIKE query {naive:6.1f} ms, {naive / ours:4.1f}x slower)"
        )
    median, worst = statistics.median(results), max(results)
    print(f"  median {median:.1f} ms, worst {worst:.1f} ms (target: under 50 ms)")
    print(f"  baseline, plain full scan of the members table: {scan:.1f} ms")
    print(f"  ratio median filter change / full scan: {median / scan:.1f}x")

    whole = filter_change_ms(db, lead, MemberFilter(campaign))
    with db.read_session() as session:
        manager_id, store_id = session.execute(
            select(Manager.id, Manager.store_id).order_by(Manager.id).limit(1)
        ).one()
    manager = Profile.manager("Benchmark manager", manager_id, store_id)
    as_manager = filter_change_ms(db, manager, MemberFilter(campaign, search="smi"))
    print(f"  no search (whole list) {whole:.1f} ms")
    print(f"  a store manager searching 'smi' (their store only) {as_manager:.1f} ms")
    for sort, descending in ((MemberSort.LIFETIME_SPEND, True), (MemberSort.STATUS, False)):
        first_page = median_ms(
            partial(member_page, db, lead, MemberFilter(campaign), sort, descending, 0, PAGE)
        )
        print(f"  first page of the whole list sorted by {sort.value}: {first_page:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(2024)
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-") as folder:
        path = Path(folder) / "bench.sqlite3"
        db, _ = open_database(to_url(path))
        try:
            started = time.perf_counter()
            campaign = build(db, args.customers, rng)
            print(f"Built {args.customers:,} customers: {time.perf_counter() - started:.1f} s")
            print()
            bench_assignment(db, campaign, args.customers, rng)
            print()
            bench_filters(db, path, campaign, args.customers)
            print()
            print(f"Machine at the end: {machine()}")
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
