"""The Assign page at 100k customers: what the Qt layer adds on top of the SQL.

Measured, each with its baseline in the same run (the members service alone, no Qt):
1. Opening the page (campaign list, overview per store and manager, first page of rows).
2. A filter change from the search box (count + first 200 rows, the table repainted), for
   the fragments a lead types. Target for the whole change: under 50 ms.
3. A header click that sorts the whole list by lifetime spend.
4. Scrolling: the next 200 rows fetched as the view reaches the end.

Builds the same region as bench_assign.py (60 stores, 2-4 managers each), assigned.
Run offscreen: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/bench_assign_page.py
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_assign import FRAGMENTS, PAGE, build, machine
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtWidgets import QApplication

from lastmile_desktop.campaigns.access import Profile
from lastmile_desktop.campaigns.assignment import assign_campaign
from lastmile_desktop.campaigns.campaigns import list_campaigns
from lastmile_desktop.campaigns.do_not_call import list_entries
from lastmile_desktop.campaigns.managers import list_managers
from lastmile_desktop.campaigns.members import (
    MemberFilter,
    MemberSort,
    assignment_overview,
    count_members,
    member_page,
)
from lastmile_desktop.campaigns.stores import list_stores
from lastmile_desktop.settings import to_url
from lastmile_desktop.storage import Database, open_database
from lastmile_desktop.ui.assign.member_model import COLUMN_SPEND
from lastmile_desktop.ui.assign.page import AssignPage
from lastmile_desktop.ui.context import AppContext

REPEATS = 7
LEAD = Profile.lead("Benchmark")


def median_ms(work: Callable[[], object], repeats: int = REPEATS) -> float:
    work()  # warm the caches once, as a user's second keystroke would
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def service_filter(db: Database, member_filter: MemberFilter, sort: MemberSort) -> None:
    count_members(db, LEAD, member_filter)
    member_page(db, LEAD, member_filter, sort, sort is MemberSort.LIFETIME_SPEND, 0, PAGE)


def services_behind_the_page(db: Database, campaign: int) -> None:
    """What opening the page asks the services for, once each."""
    list_campaigns(db)
    assignment_overview(db, LEAD, campaign)
    list_stores(db)
    list_managers(db, LEAD, include_inactive=True)
    list_managers(db, LEAD, store_id=1)
    list_entries(db, LEAD)
    service_filter(db, MemberFilter(campaign), MemberSort.NAME)


def open_page(app: QApplication, db: Database) -> AssignPage:
    page = AssignPage(AppContext(db, profile=LEAD))
    page.resize(1300, 800)
    page.show()
    app.processEvents()
    return page


def bench(app: QApplication, db: Database, campaign: int, customers: int) -> None:
    pages: list[AssignPage] = []

    def open_and_close() -> None:
        page = open_page(app, db)
        pages.append(page)
        page.close()
        page.deleteLater()

    opening = median_ms(open_and_close, repeats=3)
    baseline_open = median_ms(lambda: services_behind_the_page(db, campaign), repeats=3)
    print(f"Open the Assign page at {customers:,} customers: {opening:.0f} ms")
    print(f"  baseline, the same service calls without Qt: {baseline_open:.0f} ms")
    print(f"  ratio page / service: {opening / baseline_open:.1f}x")
    print()

    page = open_page(app, db)
    tab = page.customers
    search = tab.filters.search

    def type_fragment(fragment: str) -> Callable[[], None]:
        def work() -> None:
            search.setText(fragment)
            search._emit()  # what the debounce timer fires 150 ms after the last key
            app.processEvents()
            search.setText("")
            search._last = ""  # the next run is a change again

        return work

    print(f"Filter change from the search box (count + first {PAGE} rows, table repainted):")
    ui_times, service_times = [], []
    for fragment in FRAGMENTS:
        ui = median_ms(type_fragment(fragment))
        service = median_ms(
            lambda fragment=fragment: service_filter(
                db, MemberFilter(campaign, search=fragment), MemberSort.NAME
            )
        )
        ui_times.append(ui)
        service_times.append(service)
        print(f"  {fragment!r:<14} {ui:6.1f} ms   (service alone {service:6.1f} ms)")
    ui_median, service_median = statistics.median(ui_times), statistics.median(service_times)
    print(
        f"  median {ui_median:.1f} ms, worst {max(ui_times):.1f} ms (target: under 50 ms); "
        f"service alone median {service_median:.1f} ms; ratio {ui_median / service_median:.2f}x"
    )
    print()

    tab.model.refilter(search="")  # the whole list again
    app.processEvents()
    assert tab.model.total == count_members(db, LEAD, MemberFilter(campaign))

    def sort_by_spend() -> None:
        tab.model.sort(COLUMN_SPEND, Qt.SortOrder.DescendingOrder)
        app.processEvents()

    sorting = median_ms(sort_by_spend)
    service_sort = median_ms(
        lambda: service_filter(db, MemberFilter(campaign), MemberSort.LIFETIME_SPEND)
    )
    print(f"Sort the whole list by lifetime spend (header click): {sorting:.1f} ms")
    print(f"  service alone {service_sort:.1f} ms; ratio {sorting / service_sort:.2f}x")
    print()

    tab.model.sort(0, Qt.SortOrder.AscendingOrder)
    app.processEvents()
    offsets: list[int] = []

    def scroll_one_page() -> None:
        offsets.append(tab.model.rowCount())
        tab.model.fetchMore()
        app.processEvents()

    scrolling = median_ms(scroll_one_page)
    offset = offsets[len(offsets) // 2]
    service_scroll = median_ms(
        lambda: member_page(db, LEAD, MemberFilter(campaign), MemberSort.NAME, False, offset, PAGE)
    )
    print(f"Scroll: fetch the next {PAGE} rows as the view reaches them: {scrolling:.1f} ms")
    print(f"  service alone {service_scroll:.1f} ms; ratio {scrolling / service_scroll:.2f}x")
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    QCoreApplication.setOrganizationName("LastMileBenchmarks")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    print(f"Machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-") as folder:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, folder)
        path = Path(folder) / "bench.sqlite3"
        db, _ = open_database(to_url(path))
        try:
            started = time.perf_counter()
            campaign = build(db, args.customers, random.Random(2024))
            assign_campaign(db, campaign, LEAD, seed=7)
            print(f"Built and assigned {args.customers:,} customers: ", end="")
            print(f"{time.perf_counter() - started:.1f} s")
            print()
            bench(app, db, campaign, args.customers)
        finally:
            db.dispose()


if __name__ == "__main__":
    main()
