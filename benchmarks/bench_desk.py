"""The call desk on screen at 100,000 customers and about a million call attempts.

Drives the real Calls page (``DeskPage``) offscreen, inside the real main window (so every
other page hears what each outcome changed, as in the app), for the store manager with the
longest queue and for the regional lead (every store's queue at once):

1. Opening the desk with a full queue: a new ``DeskPage`` until the first customer's card is
   painted. Baseline: the services it calls (``build_queue`` for the first page of the
   queue, ``my_day``, ``customer_card``); for scale, ``build_queue`` of the whole queue.
2. An outcome key: from the key press until the next customer's card is painted, median and
   95th percentile. The keys are the outcomes that need no editor, in the proportions the
   region's call history has them (mostly No answer; Do not call about 3 in 100), and the
   median per key is printed too. Between two keys the desk's own catch-up read of the queue
   is let finish, as it is between two calls on the shop floor. Baselines, on the same kind
   of customer: the services on the key's path (``log_outcome`` + ``customer_card``), and
   those plus ``build_queue`` (what reading the queue again before showing the next customer
   would cost).
3. Switching to the Calls page in the window (it holds its queue) until its card is painted.

The region is ``benchmarks/bench_desk_services.py``'s (``lastmile demo --customers 100000``
grown to about a million attempts), built once and kept under benchmarks/.cache.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_desk.py [--calls N] [--opens N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import datetime

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_assign import machine
from bench_desk_services import (
    CACHE,
    LONDON,
    busiest_manager,
    calling_time,
    percentile,
    region,
)
from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QEventLoop,
    QMessageLogContext,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import func, select

from lastmile_desktop.calling.card import customer_card
from lastmile_desktop.calling.log import log_outcome
from lastmile_desktop.calling.my_day import my_day
from lastmile_desktop.calling.outcomes import OUTCOMES, outcome_for_key
from lastmile_desktop.calling.queue import build_queue
from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.storage.models import CallAttempt, Campaign, CampaignMember, CampaignState
from lastmile_desktop.ui.context import AppContext
from lastmile_desktop.ui.desk.page import QUEUE_PAGE, DeskPage
from lastmile_desktop.ui.main_window import MainWindow

WAIT_S = 30.0


class CardPainted(QObject):
    """Ends an event loop once the card shows a customer other than ``gone`` and has been
    painted since (a paint of the name or of the number: one of them always changes)."""

    def __init__(self, page: DeskPage) -> None:
        super().__init__()
        self.page = page
        self.gone: uuid.UUID | None = None
        self.loop: QEventLoop | None = None
        self.painted_at = 0.0
        for label in (page.card_view.name_label, page.card_view.phone_label):
            label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.loop is not None:
            card = self.page.card
            if card is not None and card.member != self.gone:
                self.painted_at = time.perf_counter()
                self.loop.quit()
        return False

    def wait(self, gone: uuid.UUID | None) -> float:
        """Runs the event loop until the next card is painted; returns when it was."""
        self.gone = gone
        self.painted_at = 0.0
        self.loop = QEventLoop()
        QTimer.singleShot(int(WAIT_S * 1000), self.loop.quit)
        self.loop.exec()
        self.loop = None
        if not self.painted_at:
            raise RuntimeError("the next customer's card was never painted")
        return self.painted_at


def quiet_offscreen_notes(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    # The offscreen platform says this for every window shown; anything else is printed.
    if "propagateSizeHints" not in message:
        print(f"Qt {kind.name}: {message}")


def run_until(condition: Callable[[], bool], timeout_s: float = WAIT_S) -> bool:
    """Lets the event loop run (waiting, not spinning) until ``condition`` holds."""
    deadline = time.perf_counter() + timeout_s
    while not condition():
        if time.perf_counter() > deadline:
            return False
        loop = QEventLoop()
        QTimer.singleShot(5, loop.quit)
        loop.exec()
    return True


def fixed(at: datetime) -> Callable[[], datetime]:
    return lambda: at


def open_desk(context: AppContext, at: datetime) -> tuple[DeskPage, float, list[bool]]:
    """A new desk as its own window, until its first card is painted: (page, ms, and a list
    that holds True once the desk has read My day too)."""
    started = time.perf_counter()
    page = DeskPage(context, clock=fixed(at), zone=LONDON)
    loaded: list[bool] = []
    page.queue_loaded.connect(lambda: loaded.append(True))
    watch = CardPainted(page)
    page.resize(1280, 720)
    page.show()
    painted = watch.wait(None)
    return page, (painted - started) * 1000, loaded


def services_to_open(db: Database, profile: Profile, at: datetime) -> float:
    started = time.perf_counter()
    queue = build_queue(db, profile, at=at, limit=QUEUE_PAGE)
    my_day(db, profile, campaign=queue.campaign, at=at)
    customer_card(db, profile, queue.now[0].member, at=at)
    return (time.perf_counter() - started) * 1000


def whole_queue(db: Database, profile: Profile, at: datetime) -> float:
    started = time.perf_counter()
    build_queue(db, profile, at=at)
    return (time.perf_counter() - started) * 1000


def desk_in_window(db: Database, profile: Profile, at: datetime) -> tuple[MainWindow, DeskPage]:
    window = MainWindow(AppContext(db, profile=profile))
    window.resize(1280, 800)
    page = window.pages["calls"]
    assert isinstance(page, DeskPage)
    page.clock = fixed(at)  # a day within calling hours, as the services' baseline uses
    window.show_page("calls")
    window.show()
    window.activateWindow()
    loaded: list[bool] = []
    page.queue_loaded.connect(lambda: loaded.append(True))
    page.reload()
    run_until(lambda: bool(loaded) and page.card is not None)
    page.focus_queue()
    return window, page


def key_mix(db: Database, calls: int) -> str:
    """``calls`` keys of the outcomes that need no editor, in the proportions of the open
    campaign's call history, spread evenly (smooth weighted round robin)."""
    with db.read_session() as session:
        counts = dict(
            session.execute(
                select(CallAttempt.outcome, func.count())
                .join(CampaignMember, CampaignMember.id == CallAttempt.member_id)
                .join(Campaign, Campaign.id == CampaignMember.campaign_id)
                .where(Campaign.state == CampaignState.OPEN)
                .group_by(CallAttempt.outcome)
            ).all()
        )
    weights = {
        outcome.key: counts.get(outcome.code, 0) for outcome in OUTCOMES if not outcome.needs
    }
    total = sum(weights.values())
    credit = dict.fromkeys(weights, 0)
    keys = []
    for _ in range(calls):
        for key, weight in weights.items():
            credit[key] += weight
        chosen = max(credit, key=lambda key: credit[key])
        credit[chosen] -= total
        keys.append(chosen)
    return "".join(keys)


def press_keys(page: DeskPage, keys: str) -> dict[str, list[float]]:
    """Outcome keys on the desk: ms from each key press to the next customer painted, by key."""
    watch = CardPainted(page)
    loaded: list[bool] = []
    page.queue_loaded.connect(lambda: loaded.append(True))
    times: dict[str, list[float]] = {}
    for letter in keys:
        card = page.card
        if card is None:
            raise RuntimeError("the queue ran out of customers to call")
        loaded.clear()
        focus = QApplication.focusWidget() or page
        started = time.perf_counter()
        QTest.keyClick(focus, getattr(Qt.Key, f"Key_{letter}"))
        painted = watch.wait(card.member)
        times.setdefault(letter, []).append((painted - started) * 1000)
        # The desk reads the queue again once the keys pause: let it, as a call's length would.
        run_until(lambda: bool(loaded), timeout_s=10)
    return times


def switch_to_the_desk(window: MainWindow, page: DeskPage, times: int = 7) -> list[float]:
    """From the Assign page to the desk, which holds its queue: ms until its card is painted."""
    watch = CardPainted(page)
    found: list[float] = []
    for _ in range(times):
        window.show_page("assign")
        run_until(lambda: not page.isVisible())
        started = time.perf_counter()
        window.show_page("calls")
        found.append((watch.wait(None) - started) * 1000)
    return found


def services_per_key(
    db: Database, profile: Profile, at: datetime, keys: str
) -> tuple[list[float], list[float]]:
    """The same keys through the services alone: (log + card, log + build_queue + card)."""
    queue = build_queue(db, profile, at=at, limit=QUEUE_PAGE)
    path: list[float] = []
    rebuilt: list[float] = []
    for letter in keys:
        entry, following = queue.now[0], queue.now[1]
        outcome = outcome_for_key(letter)
        assert outcome is not None
        started = time.perf_counter()
        log_outcome(db, profile, entry.member, outcome.code, at=at, expected_version=entry.version)
        customer_card(db, profile, following.member, at=at)
        path.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        queue = build_queue(db, profile, at=at, limit=QUEUE_PAGE)
        customer_card(db, profile, queue.now[0].member, at=at)
        rebuilt.append(path[-1] + (time.perf_counter() - started) * 1000)
    return path, rebuilt


def line(what: str, values: list[float], base: float | None = None) -> str:
    median, p95 = statistics.median(values), percentile(values, 0.95)
    text = f"  {what:<52} median {median:7.1f} ms   p95 {p95:7.1f} ms"
    if base is not None:
        text += f"   ({median / base:4.2f}x / {p95 / base:4.2f}x the services' median)"
    return text


def bench(db: Database, profile: Profile, who: str, at: datetime, args: argparse.Namespace) -> None:
    queue = build_queue(db, profile, at=at)
    print(f"\n{who}: {len(queue.now):,} to call now, {len(queue.later):,} later")

    services_open = [services_to_open(db, profile, at) for _ in range(args.opens)]
    whole = [whole_queue(db, profile, at) for _ in range(max(3, args.opens // 3))]
    opens: list[float] = []
    for _ in range(args.opens):
        page, ms, loaded = open_desk(AppContext(db, profile=profile), at)
        opens.append(ms)
        run_until(lambda loaded=loaded: bool(loaded))  # My day, read after the queue
        page.close()
        page.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    base_open = statistics.median(services_open)
    print(line("For scale: build_queue of the whole queue", whole))
    print(line("Opening, services: build_queue (page) + my_day + card", services_open))
    print(line("Opening the desk until the first card is painted", opens, base_open))
    print(f"    target p95 under 200 ms: {'met' if percentile(opens, 0.95) < 200 else 'MISSED'}")

    window, page = desk_in_window(db, profile, at)
    mix = key_mix(db, args.calls)
    by_key = press_keys(page, mix)
    keys = [ms for times in by_key.values() for ms in times]
    switches = switch_to_the_desk(window, page)
    window.close()
    path, rebuilt = services_per_key(db, profile, at, mix)
    base_key = statistics.median(path)
    print(line("Outcome key, services: log_outcome + card", path))
    print(line("Outcome key, services: log + build_queue (page) + card", rebuilt, base_key))
    print(line("Outcome key to the next card painted (the desk)", keys, base_key))
    print(f"    target p95 under 50 ms: {'met' if percentile(keys, 0.95) < 50 else 'MISSED'}")
    print(
        "    median by key: "
        + ", ".join(
            f"{key} {statistics.median(times):.0f}" for key, times in sorted(by_key.items())
        )
    )
    print(line("Switching to the Calls page (Ctrl+3) until painted", switches))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--attempts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--opens", type=int, default=10, help="desk openings to time")
    parser.add_argument("--calls", type=int, default=60, help="outcome keys to time")
    parser.add_argument("--who", choices=["manager", "lead", "both"], default="both")
    args = parser.parse_args()

    cached = region(args.customers, args.attempts, args.seed)
    work_dir = CACHE / "desk-run"
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir()
    path = work_dir / "desk.sqlite3"
    shutil.copyfile(cached, path)
    settings = tempfile.TemporaryDirectory()
    QCoreApplication.setOrganizationName("LastMileBenchmark")
    QCoreApplication.setApplicationName("LastMileBenchmark")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, settings.name)
    qInstallMessageHandler(quiet_offscreen_notes)
    app = QApplication.instance() or QApplication([])
    keep: list[QWidget] = []
    db, _ = open_database(to_url(path))
    try:
        with db.read_session() as session:
            attempts = session.scalar(select(func.count()).select_from(CallAttempt)) or 0
            members = session.scalar(select(func.count()).select_from(CampaignMember)) or 0
        at = calling_time()
        print(f"Machine: {machine()}")
        print(f"Database: {members:,} campaign members, {attempts:,} call attempts")
        print(f"The desk's clock: {at.astimezone(LONDON):%Y-%m-%d %H:%M} London")
        if args.who in ("manager", "both"):
            manager = busiest_manager(db)
            bench(db, manager, f"Store manager {manager.name}", at, args)
        if args.who in ("lead", "both"):
            bench(db, Profile.lead("Benchmark"), "Regional lead, every store", at, args)
    finally:
        for widget in keep:
            widget.close()
        app.processEvents()
        db.dispose()
        shutil.rmtree(work_dir, ignore_errors=True)
        settings.cleanup()


if __name__ == "__main__":
    main()
