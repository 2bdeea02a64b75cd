"""Many callers on one server: simulated callers work one campaign on one PostgreSQL server.

Starts a throwaway PostgreSQL server (tests/postgres_server.py: the system's ``initdb`` and
``pg_ctl``, a temporary folder, a free port; commits wait for the disk, as on a server in
use), builds the demo region in it (``generate_demo``, 20,000 customers in 12 stores by
default) with the campaign's calling hours opened round the clock and the stores' opening
hours cleared, so that the run finds customers to call whatever the hour. Then 20 callers,
each a process of its own with its own connections, 4 to each of the 5 largest stores so
that they compete for the same queue, work for 60 seconds as the call desk does: each holds
a page of its store's queue (read with its desk name: customers other desks hold are left
out), claims the next customer from it (calling/claims.py: the card comes with the claim),
logs a random outcome from the catalogue with ``log_outcome`` (a callback time a minute or
so ahead, a reason where one is needed), and claims the next; when its page runs out, or
nobody on it is free, it reads the queue again. No pause between calls: this is the load of
many more callers who each spend minutes on the phone.

Counted, and checked:
- outcomes logged, and refused (the service said no and saved nothing);
- customers shown to two callers at once: every caller notes when it had each customer on
  screen, from its claim's return to the start of its next claim (which releases it), on
  the machine's monotonic clock; two overlapping notes of one customer count. Must be 0;
- outcomes lost: every attempt a caller was told was saved is in the database exactly once,
  by attempt UUID, and nothing else was saved during the run. Must be 0;
- outcome to next customer: from the start of ``log_outcome`` until the next card is in hand
  (queue reads included when they happen), median and 95th percentile;
- round trips per outcome and next customer, on the wire: each caller reaches the server
  through a counting proxy of its own (tests/server/round_trips.py, a thread in the caller's
  process) that counts every time the caller sends after the server answered: statements,
  BEGIN and COMMIT, the pool's ping on checkout, a pipeline's flight once. By step:
  ``log_outcome`` / the claim with its card / the queue read again. ``--counted-callers``
  counts only the first N callers (the others connect directly), to see what the proxy
  costs: the proxy's thread works for the caller's process, so throughput figures are
  best taken with ``--counted-callers 0`` (on a shared 2-core machine, two 15 s runs gave
  12.3 outcomes a second with every caller counted and 17.0 with none, while the SQLite
  baseline of the same runs went from 26.8 to 43.0: the noise was as large). The caller's
  processor time is its main thread's, so the proxy's is not in it;
- statements per outcome and next customer: what each caller's engine sent (SQLAlchemy's
  ``before_cursor_execute``), by the same steps, and the transactions.

Baseline in the same run: the same loop by one caller on the same region in a SQLite file.

    .venv/bin/python benchmarks/bench_server_load.py [--callers 20] [--stores 5]
        [--seconds 60] [--customers 20000] [--counted-callers N]
"""

from __future__ import annotations

import argparse
import itertools
import multiprocessing
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import psycopg
from bench_assign import machine
from sqlalchemy import Connection, event, func, make_url, select, text

from lastmile_desktop.calling.claims import ClaimedCustomer, claim_next, release
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.outcomes import NOT_INTERESTED_REASONS, OUTCOMES, Detail
from lastmile_desktop.calling.queue import QueueEntry, build_queue
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.demo import generate_demo
from lastmile_desktop.errors import UserFacingError
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, connect, open_database
from lastmile_desktop.storage.models import CallAttempt, CampaignMember, MemberGroup, Store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests/postgres_server.py starts the server

from tests.postgres_server import PostgresUnavailable, start_server  # noqa: E402
from tests.server.round_trips import RoundTripCounter  # noqa: E402

LEAD = Profile.lead("Benchmark")
# Customers a caller holds of its store's queue, as the desk holds a page of it.
PAGE = 50
# A callback booked this many seconds ahead: due again within the run.
CALLBACK_SECONDS = (30, 90)
TARGET_ROUND_TRIPS = 3
STEPS = ("log", "claim", "queue")


@dataclass
class CallerResult:
    caller: int
    store: str
    saved: list[str] = field(default_factory=list)  # attempt UUIDs the caller was told
    refused: dict[str, int] = field(default_factory=dict)  # message -> how many
    # (member, shown from, shown until), monotonic seconds
    shown: list[tuple[str, float, float]] = field(default_factory=list)
    next_customer_ms: list[float] = field(default_factory=list)
    statements_per_outcome: list[int] = field(default_factory=list)
    # Statements by what sent them: "log" (log_outcome), "claim" (claim_next with the card),
    # "queue" (a page of the queue read again).
    statements_by_step: dict[str, int] = field(default_factory=dict)
    # Round trips on the wire, likewise (None: not counted, as on SQLite).
    round_trips_per_outcome: list[int] = field(default_factory=list)
    round_trips_by_step: dict[str, int] = field(default_factory=dict)
    round_trips: int | None = None
    # The caller's own processor time per outcome and next customer (Python, the driver):
    # its main thread's, so the counting proxy's thread is left out.
    cpu_ms: list[float] = field(default_factory=list)
    statements: int = 0
    transactions: int = 0
    queue_reads: int = 0
    error: str | None = None


class _Desk:
    """One caller's desk: its page of the queue, its claims, its counters."""

    def __init__(
        self,
        db: Database,
        caller: int,
        store: str,
        result: CallerResult,
        counter: RoundTripCounter | None = None,
    ) -> None:
        self.db = db
        self.store = store
        self.name = f"bench caller {caller}"
        self.result = result
        self.held: list[QueueEntry] = []
        self.counting = False
        self.statements = 0
        self.step = "claim"
        self.counter = counter
        self.round_trips = 0
        self._trips_seen = 0
        if counter is not None:
            result.round_trips = 0
        event.listen(db.engine, "before_cursor_execute", self._statement)
        event.listen(db.engine, "commit", self._transaction)
        event.listen(db.engine, "rollback", self._transaction)

    def _statement(self, *args: Any) -> None:
        # SQLite's BEGIN is sent as a statement; psycopg sends PostgreSQL's by itself: both
        # are counted as transactions instead.
        if self.counting and not str(args[2]).startswith("BEGIN"):
            self.statements += 1
            steps = self.result.statements_by_step
            steps[self.step] = steps.get(self.step, 0) + 1

    def _transaction(self, connection: Connection, *_args: Any) -> None:
        # On an autocommit connection (a claim on the server) SQLAlchemy still fires the
        # event, but the driver sends no COMMIT or ROLLBACK: not a transaction.
        autocommit = connection.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
        if self.counting and not autocommit:
            self.result.transactions += 1

    def enter(self, step: str) -> None:
        """The round trips since the last step booked to it; ``step`` from now on."""
        if self.counter is not None:
            total = self.counter.total
            made, self._trips_seen = total - self._trips_seen, total
            if self.counting and made:
                self.round_trips += made
                steps = self.result.round_trips_by_step
                steps[self.step] = steps.get(self.step, 0) + made
        self.step = step

    def next_customer(self) -> ClaimedCustomer | None:
        """The desk's next customer: claimed from its page, the page read again when it runs
        out or nobody on it is free."""
        for _read in range(2):
            if not self.held:
                self.enter("queue")
                self.held = build_queue(
                    self.db, LEAD, store=self.store, desk=self.name, limit=PAGE
                ).now
                self.result.queue_reads += 1
                if not self.held:
                    return None
            self.enter("claim")
            claimed = claim_next(self.db, LEAD, None, self.name, candidates=self.held)
            if claimed is not None:
                gone = {*claimed.passed_over, claimed.card.member}
                self.held = [entry for entry in self.held if entry.member not in gone]
                return claimed
            self.held = []
        return None


def _outcome_details(outcome_code: str, rng: random.Random) -> dict[str, Any]:
    outcome = next(o for o in OUTCOMES if o.code == outcome_code)
    details: dict[str, Any] = {}
    if Detail.CALLBACK_TIME in outcome.required:
        seconds = rng.randint(*CALLBACK_SECONDS)
        details["callback_at"] = datetime.now(UTC) + timedelta(seconds=seconds)
    if Detail.REASON in outcome.required:
        details["reason"] = rng.choice(NOT_INTERESTED_REASONS)
    return details


def caller_process(  # noqa: PLR0917 (one caller's whole brief)
    url: str,
    caller: int,
    store: str,
    seconds: float,
    counted: bool,
    ready: Any,
    go: Event,
    results: Any,
) -> None:
    """One simulated caller, in a process of its own; ``counted``: through a round trip
    counter of its own (on a server only)."""
    result = CallerResult(caller, store)
    rng = random.Random(caller)
    parsed = make_url(url)
    counter = None
    if counted and parsed.get_backend_name() == "postgresql":
        counter = RoundTripCounter(parsed.host or "127.0.0.1", parsed.port or 5432)
        parsed = counter.via(parsed)
    db = connect(parsed)
    desk = _Desk(db, caller, store, result, counter)
    try:
        ready.put(caller)
        go.wait()
        _work(desk, rng, seconds)
    except BaseException as error:  # reported, never lost in a child process
        result.error = f"{type(error).__name__}: {error}"
    finally:
        db.dispose()
        if counter is not None:
            counter.close()
        results.put(result)


def _work(desk: _Desk, rng: random.Random, seconds: float) -> None:
    result = desk.result
    deadline = time.monotonic() + seconds
    claimed = desk.next_customer()
    desk.enter("log")  # the first claim, before any outcome, is not counted
    desk.counting = True
    shown_from = time.monotonic()
    while claimed is not None and time.monotonic() < deadline:
        member = claimed.card.member
        code = rng.choice(OUTCOMES).code
        details = _outcome_details(code, rng)
        key_pressed = time.monotonic()
        cpu_before = time.thread_time()
        desk.statements = 0
        desk.round_trips = 0
        desk.enter("log")
        try:
            logged = log_outcome(
                desk.db,
                LEAD,
                member,
                code,
                expected_version=claimed.card.version,
                seen=claimed.card.seen,
                **details,
            )
            result.saved.append(str(logged.attempt))
        except UserFacingError as refusal:
            text_ = str(refusal)
            result.refused[text_] = result.refused.get(text_, 0) + 1
        moved_on = time.monotonic()
        result.shown.append((str(member), shown_from, moved_on))
        claimed = desk.next_customer()
        shown_from = time.monotonic()
        result.next_customer_ms.append((shown_from - key_pressed) * 1000)
        result.cpu_ms.append((time.thread_time() - cpu_before) * 1000)
        result.statements_per_outcome.append(desk.statements)
        result.statements += desk.statements
        desk.enter("log")  # books the last step's round trips
        if result.round_trips is not None:
            result.round_trips_per_outcome.append(desk.round_trips)
            result.round_trips += desk.round_trips
    if claimed is not None:
        result.shown.append((str(claimed.card.member), shown_from, time.monotonic()))
    desk.counting = False
    release(desk.db, desk.name)


# -- the region -------------------------------------------------------------------------------


def build_region(url: str, customers: int) -> list[str]:
    """The demo region at ``url``, callable round the clock; the store codes, largest first."""
    db, _ = open_database(url)
    try:
        generate_demo(db, customers=customers, seed=7)
        with db.write_connection() as connection:
            # 00:00-23:59, whatever the hour the benchmark runs at.
            connection.execute(
                text("UPDATE campaigns SET calling_hours_start = 0, calling_hours_end = 1440")
            )
            connection.execute(text("UPDATE stores SET opening_hours = NULL"))
        with db.read_session() as session:
            rows = session.execute(
                select(Store.code, func.count(CampaignMember.id))
                .join(CampaignMember, CampaignMember.store_id == Store.id)
                .where(CampaignMember.group == MemberGroup.CALL)
                .group_by(Store.code)
                .order_by(func.count(CampaignMember.id).desc(), Store.code)
            ).all()
        return [code for code, _count in rows]
    finally:
        db.dispose()


# -- a run ------------------------------------------------------------------------------------


@dataclass
class RunFigures:
    label: str
    callers: int
    seconds: float
    results: list[CallerResult]
    missing: int  # told saved, not in the database
    unexpected: int  # in the database, nobody was told it was saved
    duplicated: int  # saved more than once
    overlaps: list[tuple[str, int, int]]
    on_server: bool = False  # round trips: on the wire; SQLite's are in-process

    @property
    def saved(self) -> int:
        return sum(len(r.saved) for r in self.results)

    @property
    def refused(self) -> int:
        return sum(sum(r.refused.values()) for r in self.results)

    @property
    def outcomes(self) -> int:
        return self.saved + self.refused

    def latencies(self) -> list[float]:
        return [ms for r in self.results for ms in r.next_customer_ms]

    def statements_by_step(self, step: str) -> float:
        done = sum(r.statements_by_step.get(step, 0) for r in self.results)
        return done / max(self.outcomes, 1)

    def cpu_ms(self) -> list[float]:
        return [ms for r in self.results for ms in r.cpu_ms]

    def statements_per_outcome(self) -> float:
        return sum(r.statements for r in self.results) / max(self.outcomes, 1)

    def transactions_per_outcome(self) -> float:
        return sum(r.transactions for r in self.results) / max(self.outcomes, 1)

    def counted(self) -> list[CallerResult]:
        """The callers whose round trips were counted on the wire."""
        return [r for r in self.results if r.round_trips is not None]

    def round_trips_per_outcome(self, step: str | None = None) -> float | None:
        """Round trips per outcome and next customer of the counted callers (of ``step``
        only, when given); None when nobody was counted (SQLite: in-process)."""
        counted = self.counted()
        if not counted:
            return None
        outcomes = sum(len(r.round_trips_per_outcome) for r in counted)
        if step is None:
            made = sum(r.round_trips or 0 for r in counted)
        else:
            made = sum(r.round_trips_by_step.get(step, 0) for r in counted)
        return made / max(outcomes, 1)

    def round_trips_median(self) -> float:
        return statistics.median(
            [n for r in self.counted() for n in r.round_trips_per_outcome] or [0]
        )


def run_callers(
    url: str, stores: list[str], callers: int, seconds: float, counted_callers: int
) -> list[CallerResult]:
    context = multiprocessing.get_context("spawn")
    ready, results = context.Queue(), context.Queue()
    go = context.Event()
    processes = [
        context.Process(
            target=caller_process,
            args=(
                url,
                caller,
                stores[caller % len(stores)],
                seconds,
                caller < counted_callers,
                ready,
                go,
                results,
            ),
        )
        for caller in range(callers)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=300)  # every caller connected and waiting
    go.set()
    collected = [results.get(timeout=seconds + 300) for _ in processes]
    for process in processes:
        process.join()
    failed = [r for r in collected if r.error]
    if failed:
        raise SystemExit(f"caller {failed[0].caller} failed: {failed[0].error}")
    return sorted(collected, key=lambda r: r.caller)


def check(url: str, results: list[CallerResult], since: datetime) -> tuple[int, int, int]:
    """(missing, unexpected, duplicated): the database against what the callers were told."""
    told = {attempt for r in results for attempt in r.saved}
    db = connect(url)
    try:
        with db.read_session() as session:
            rows = session.execute(
                select(CallAttempt.uuid, func.count())
                .where(CallAttempt.logged_at >= since)
                .group_by(CallAttempt.uuid)
            ).all()
    finally:
        db.dispose()
    stored = {str(attempt): count for attempt, count in rows}
    missing = len(told - set(stored))
    unexpected = len(set(stored) - told)
    duplicated = sum(count - 1 for count in stored.values() if count > 1)
    return missing, unexpected, duplicated


def overlaps(results: list[CallerResult]) -> list[tuple[str, int, int]]:
    """(member, caller, caller) for every two callers who had one customer on screen at once."""
    by_member: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    for r in results:
        for member, since, until in r.shown:
            by_member[member].append((since, until, r.caller))
    found = []
    for member, spans in by_member.items():
        spans.sort()
        for (_s1, until, first), (since, _u2, second) in itertools.pairwise(spans):
            if since < until and first != second:
                found.append((member, first, second))
    return found


def run(  # noqa: PLR0917 (a run's whole brief)
    label: str,
    url: str,
    stores: list[str],
    callers: int,
    seconds: float,
    counted_callers: int = 0,
) -> RunFigures:
    since = datetime.now(UTC)
    results = run_callers(url, stores, callers, seconds, counted_callers)
    missing, unexpected, duplicated = check(url, results, since)
    return RunFigures(
        label,
        callers,
        seconds,
        results,
        missing,
        unexpected,
        duplicated,
        overlaps(results),
        on_server=make_url(url).get_backend_name() == "postgresql",
    )


# -- report -----------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


def report(server: RunFigures, baseline: RunFigures, stores: list[str], customers: int) -> None:
    print(f"Machine: {machine()}")
    print(
        f"Region: demo, {customers:,} customers; {server.callers} callers on stores "
        f"{', '.join(stores)} ({server.callers // len(stores)} per store), "
        f"{server.seconds:.0f} s each run\n"
    )
    rows = [
        ("Outcomes logged", lambda f: f"{f.saved:,}", None),
        ("  per second, all callers", lambda f: f"{f.saved / f.seconds:.1f}", "rate"),
        ("Outcomes refused (nothing saved)", lambda f: f"{f.refused:,}", None),
        ("Customers shown to two callers at once", lambda f: f"{len(f.overlaps)}", None),
        (
            "Outcomes lost (told saved, not stored once)",
            lambda f: f"{f.missing + f.duplicated}",
            None,
        ),
        ("Saved though nobody was told so", lambda f: f"{f.unexpected}", None),
        (
            "Outcome to next customer, median",
            lambda f: f"{statistics.median(f.latencies()):.1f} ms",
            "median",
        ),
        (
            "Outcome to next customer, 95th percentile",
            lambda f: f"{percentile(f.latencies(), 0.95):.1f} ms",
            "p95",
        ),
        (
            f"Round trips per outcome + next customer, on the wire (target {TARGET_ROUND_TRIPS})",
            lambda f: _round_trips(f, None),
            None,
        ),
        (
            "  of which log_outcome / claim and card / queue reads",
            lambda f: " / ".join(_round_trips(f, step) for step in STEPS),
            None,
        ),
        (
            "Statements per outcome + next customer",
            lambda f: f"{f.statements_per_outcome():.1f}",
            "statements",
        ),
        (
            "Transactions per outcome + next customer",
            lambda f: f"{f.transactions_per_outcome():.2f}",
            None,
        ),
        (
            "  of which log_outcome / claim and card / queue reads",
            lambda f: " / ".join(f"{f.statements_by_step(step):.1f}" for step in STEPS),
            None,
        ),
        (
            "Caller's own processor time per outcome + next, median",
            lambda f: f"{statistics.median(f.cpu_ms()):.1f} ms",
            None,
        ),
        (
            "Queue reads per outcome",
            lambda f: f"{sum(r.queue_reads for r in f.results) / max(f.outcomes, 1):.2f}",
            None,
        ),
    ]
    ratios = {
        "rate": (server.saved / server.seconds) / max(baseline.saved / baseline.seconds, 1e-9),
        "median": statistics.median(server.latencies()) / statistics.median(baseline.latencies()),
        "p95": percentile(server.latencies(), 0.95) / percentile(baseline.latencies(), 0.95),
        "statements": server.statements_per_outcome() / baseline.statements_per_outcome(),
    }
    print(f"| What | {server.label} | {baseline.label} | Ratio |")
    print("| --- | --- | --- | --- |")
    for title, figure, ratio in rows:
        shown_ratio = f"{ratios[ratio]:.2f}x" if ratio else ""
        print(f"| {title} | {figure(server)} | {figure(baseline)} | {shown_ratio} |")
    spread = [len(r.saved) for r in server.results]
    print(f"\nOutcomes per caller on the server: {min(spread)} to {max(spread)}")
    typical = statistics.median(
        [n for r in server.results for n in r.statements_per_outcome] or [0]
    )
    on_wire = server.round_trips_per_outcome()
    if on_wire is None:
        print(
            f"Round trips per outcome: not counted on the wire; "
            f"{server.statements_per_outcome():.1f} statements (median {typical:.0f}) + "
            f"{2 * server.transactions_per_outcome():.1f} BEGIN/COMMIT"
        )
    else:
        met = "met" if on_wire <= TARGET_ROUND_TRIPS else "NOT met"
        counted = server.counted()
        print(
            f"Round trips per outcome on the wire: {on_wire:.1f} (median "
            f"{server.round_trips_median():.0f}; {len(counted)} of {len(server.results)} "
            f"callers counted); statements {server.statements_per_outcome():.1f} (median "
            f"{typical:.0f}) + {2 * server.transactions_per_outcome():.1f} BEGIN/COMMIT; "
            f"target {TARGET_ROUND_TRIPS}: {met}"
        )
    for figures in (server, baseline):
        refusals: dict[str, int] = defaultdict(int)
        for r in figures.results:
            for message, count in r.refused.items():
                refusals[message] += count
        for message, count in sorted(refusals.items(), key=lambda item: -item[1]):
            print(f"  {figures.label}, refused {count}x: {message}")
    problems = (
        len(server.overlaps)
        + server.missing
        + server.duplicated
        + server.unexpected
        + len(baseline.overlaps)
        + baseline.missing
        + baseline.duplicated
        + baseline.unexpected
    )
    if problems:
        raise SystemExit(f"FAILED: {problems} customers shown twice or outcomes lost")


def _round_trips(figures: RunFigures, step: str | None) -> str:
    if not figures.on_server:
        return "in-process"
    made = figures.round_trips_per_outcome(step)
    return "not counted" if made is None else f"{made:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--callers", type=int, default=20)
    parser.add_argument("--stores", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument(
        "--counted-callers",
        type=int,
        default=None,
        help="callers whose round trips are counted through a proxy (default: all)",
    )
    args = parser.parse_args()
    counted = args.callers if args.counted_callers is None else args.counted_callers

    print("Starting a PostgreSQL server and building the region in it...", flush=True)
    try:
        server = start_server(durable=True)
    except PostgresUnavailable as reason:
        print(f"Skipped: {reason}")  # make benchmarks goes on with the others
        return
    try:
        database = f"load_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(
            host=server.host, port=server.port, user="postgres", autocommit=True
        ) as admin:
            admin.execute(f"CREATE DATABASE {database}")  # type: ignore[arg-type]
        pg_url = server.url(database).render_as_string(hide_password=False)
        stores = build_region(pg_url, args.customers)[: args.stores]
        print(f"{args.callers} callers on PostgreSQL for {args.seconds:.0f} s...", flush=True)
        on_server = run(
            f"PostgreSQL, {args.callers} callers",
            pg_url,
            stores,
            args.callers,
            args.seconds,
            counted,
        )
    finally:
        server.remove()

    with tempfile.TemporaryDirectory(prefix="lastmile-load-") as folder:
        sqlite_url = to_url(Path(folder) / "load.sqlite3")
        print("Building the same region in a SQLite file...", flush=True)
        build_region(sqlite_url, args.customers)
        print(f"1 caller on SQLite for {args.seconds:.0f} s...", flush=True)
        baseline = run("SQLite, 1 caller", sqlite_url, stores[:1], 1, args.seconds)
    print()
    report(on_server, baseline, stores, args.customers)


if __name__ == "__main__":
    main()
