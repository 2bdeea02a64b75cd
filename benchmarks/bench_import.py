"""How fast a customer list imports, against openpyxl merely reading the same file.

For each size (10k, 100k and 500k rows by default) the script writes a 10-column .xlsx
(cached under benchmarks/.cache/), then measures in the same run:

- the baseline: openpyxl in read-only mode iterating every row (values only);
- python-calamine iterating every row;
- ``run_import`` into a fresh SQLite file, in a child process so its peak memory (ru_maxrss)
  is the import's alone; then the same list again into that database (every customer
  already there: the update path), shown as "re-import".

Then, when PostgreSQL's server programs are installed, the same imports into a fresh
database on a throwaway PostgreSQL server the script starts (tests/postgres_server.py, with
every commit flushed to disk as SQLite's ``synchronous=FULL`` does), through COPY (the path
the app takes) and through the plain INSERT statements COPY replaces, with the PostgreSQL /
SQLite and COPY / INSERT ratios. ``--no-postgres`` leaves them out.

On a machine shared with other work, each measure is taken several times in turn and the
best is shown (``--repeat``).

The requirement: the import takes at most half the openpyxl time (ratio <= 0.50) with a
peak under 400 MB at 100k rows.

    .venv/bin/python benchmarks/bench_import.py                 # 10k, 100k, 500k
    .venv/bin/python benchmarks/bench_import.py --sizes 100000  # one size
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(__file__).resolve().parent / ".cache"
HEADERS = [
    "Customer ID",
    "First name",
    "Last name",
    "Mobile",
    "Email",
    "Store",
    "Last purchase",
    "Lifetime spend",
    "Visits",
    "Notes",
]
FIRST_NAMES = ["Anna", "Ben", "Chloé", "Dev", "Emma", "Farid", "Grace", "Hugo", "Isla", "Jonas"]
LAST_NAMES = ["Smith", "Jones", "Brown", "Østergaard", "Patel", "O'Neill", "Nowak", "Khan"]
# Mobile ranges that phonenumbers accepts for GB; the rest of the digits are random.
MOBILE_PREFIXES = ["7400", "7500", "7712", "7800", "7900", "7958", "7123", "7447"]


def _phone(rng: random.Random, serial: int) -> str | int:
    """A GB mobile written the ways head-office exports write them; about 2 % are bad."""
    prefix = MOBILE_PREFIXES[serial % len(MOBILE_PREFIXES)]
    rest = f"{rng.randrange(100000, 999999)}"
    style = rng.random()
    if style < 0.02:
        return "0123"  # cannot be dialled: rejected
    if style < 0.60:
        return f"0{prefix} {rest}"
    if style < 0.80:
        return f"+44 {prefix} {rest}"
    if style < 0.90:
        return int(prefix + rest)  # typed into a number cell: the leading 0 is lost
    return f"(0{prefix[:2]}) {prefix[2:]}-{rest}"


def generate(rows: int) -> Path:
    """The benchmark workbook for ``rows`` rows, written once and then reused."""
    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"customers_{rows}.xlsx"
    if path.exists():
        return path
    import xlsxwriter

    rng = random.Random(rows)
    partial = path.with_suffix(".partial.xlsx")
    workbook = xlsxwriter.Workbook(str(partial), {"constant_memory": True})
    sheet = workbook.add_worksheet("Customers")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, HEADERS)
    start = date(2022, 1, 1)
    for row in range(1, rows + 1):
        # About 1 % of rows repeat an earlier customer: duplicates.
        serial = row if rng.random() > 0.01 or row < 10 else rng.randrange(1, row)
        sheet.write_string(row, 0, f"C{serial:08d}")
        sheet.write_string(row, 1, FIRST_NAMES[serial % len(FIRST_NAMES)])
        sheet.write_string(row, 2, LAST_NAMES[serial % len(LAST_NAMES)])
        phone = _phone(rng, serial)
        if isinstance(phone, int):
            sheet.write_number(row, 3, phone)
        else:
            sheet.write_string(row, 3, phone)
        sheet.write_string(row, 4, f"customer{serial}@example.com")
        sheet.write_number(row, 5, 1 + serial % 40)
        sheet.write_datetime(row, 6, start + timedelta(days=serial % 700), date_format)
        sheet.write_number(row, 7, round(rng.random() * 2000, 2))
        sheet.write_number(row, 8, rng.randrange(1, 60))
        if serial % 5 == 0:
            sheet.write_string(row, 9, "prefers text messages")
    workbook.close()
    partial.rename(path)
    return path


def time_openpyxl(path: Path) -> float:
    import openpyxl

    started = time.perf_counter()
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for _row in workbook.worksheets[0].iter_rows(values_only=True):
        pass
    workbook.close()
    return time.perf_counter() - started


def time_calamine(path: Path) -> float:
    import python_calamine

    started = time.perf_counter()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    for _row in workbook.get_sheet_by_index(0).iter_rows():
        pass
    workbook.close()
    return time.perf_counter() - started


def child_import(path: Path, database: str, copy: bool = True) -> None:
    """Run in a fresh process: import ``path``, then import it again (every row known, so the
    update path), and print the seconds of each and the peak memory of the first as JSON.

    ``database`` is a file or a URL; ``copy=False`` makes PostgreSQL take INSERT statements."""
    from lastmile_desktop.importing import bulk
    from lastmile_desktop.importing.model import ImportOptions
    from lastmile_desktop.importing.service import run_import
    from lastmile_desktop.settings import to_url
    from lastmile_desktop.storage import open_database

    if not copy:
        bulk.can_copy = lambda _connection: False  # type: ignore[assignment]
    db, _ = open_database(to_url(database))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    summary = run_import(db, path, ImportOptions(region="GB"))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    again = run_import(db, path, ImportOptions(region="GB", allow_repeat=True))
    again_seconds = time.perf_counter() - started
    db.dispose()
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    print(
        json.dumps(
            {
                "seconds": seconds,
                "again_seconds": again_seconds,
                "again_updated": again.counts.updated,
                "peak_mb": peak * scale / 2**20,
                "before_mb": before * scale / 2**20,
                "counts": summary.as_json(),
            }
        )
    )


def _child(path: Path, database: str, *options: str) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path), database, *options],
        check=True,
        capture_output=True,
        text=True,
    )
    payload: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return payload


def measure_import(path: Path) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="lastmile-bench-") as folder:
        return _child(path, str(Path(folder) / "bench.sqlite3"))


class PostgresRuns:
    """A throwaway PostgreSQL server; each import goes into a new, empty database on it."""

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT))  # the test suite's server helper
        from tests.postgres_server import start_server

        self.server = start_server(durable=True)
        self.count = 0

    def _admin(self, statement: str) -> object:
        import psycopg

        with psycopg.connect(
            host=self.server.host, port=self.server.port, user="postgres", autocommit=True
        ) as connection:
            cursor = connection.execute(statement)  # type: ignore[arg-type]
            row = cursor.fetchone() if cursor.description else None
        return None if row is None else row[0]

    def version(self) -> object:
        return self._admin("SHOW server_version")

    def measure(self, path: Path, copy: bool) -> dict[str, object]:
        self.count += 1
        name = f"bench_{self.count}"
        self._admin(f"CREATE DATABASE {name}")
        try:
            url = self.server.url(name).render_as_string(hide_password=False)
            return _child(path, url, *([] if copy else ["--insert"]))
        finally:
            self._admin(f"DROP DATABASE {name} WITH (FORCE)")

    def close(self) -> None:
        self.server.remove()


def postgres_runs() -> PostgresRuns | None:
    sys.path.insert(0, str(ROOT))
    from tests.postgres_server import PostgresUnavailable

    try:
        return PostgresRuns()
    except PostgresUnavailable as reason:
        print(f"PostgreSQL left out: {reason}")
        return None


def _best(runs: list[dict[str, object]], key: str) -> float:
    return min(float(run[key]) for run in runs)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 500_000])
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs per size up to 100k rows (one above); the best of each measure is shown",
    )
    parser.add_argument(
        "--no-postgres", action="store_true", help="leave out the PostgreSQL measures"
    )
    parser.add_argument("--child", nargs=2, metavar=("FILE", "DB"), help=argparse.SUPPRESS)
    parser.add_argument("--insert", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_import(Path(args.child[0]), args.child[1], copy=not args.insert)
        return 0

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}"
    )
    print(
        "best of the runs for each measure, openpyxl, calamine and import taken in turn, so "
        "load from other programs touches all alike"
    )
    sqlite_results: dict[int, list[dict[str, object]]] = {}
    header = (
        f"{'rows':>8} {'runs':>4} {'openpyxl s':>10} {'calamine s':>10} {'import s':>8} "
        f"{'rows/s':>8} {'import/openpyxl':>15} {'calamine/openpyxl':>17} {'peak MB':>7} "
        f"{'re-import s':>11}"
    )
    print(header)
    print("-" * len(header))
    for rows in args.sizes:
        path = generate(rows)
        runs = args.repeat if rows <= 100_000 else 1
        baselines, calamines, imports = [], [], []
        for _ in range(runs):
            baselines.append(time_openpyxl(path))
            calamines.append(time_calamine(path))
            imports.append(measure_import(path))
        sqlite_results[rows] = imports
        baseline, calamine = min(baselines), min(calamines)
        best = min(imports, key=lambda run: float(run["seconds"]))  # type: ignore[arg-type]
        seconds = float(best["seconds"])  # type: ignore[arg-type]
        again = min(float(run["again_seconds"]) for run in imports)  # type: ignore[arg-type]
        peak = max(float(run["peak_mb"]) for run in imports)  # type: ignore[arg-type]
        print(
            f"{rows:>8,} {runs:>4} {baseline:>10.2f} {calamine:>10.2f} {seconds:>8.2f} "
            f"{rows / seconds:>8,.0f} {seconds / baseline:>15.2f} {calamine / baseline:>17.2f} "
            f"{peak:>7.0f} {again:>11.2f}"
        )
        counts = best["counts"]
        assert isinstance(counts, dict)
        print(
            f"{'':>8} buckets: read {counts['rows_read']:,} = imported {counts['imported']:,}"
            f" + updated {counts['updated']:,} + duplicates {counts['duplicates']:,}"
            f" + rejected {counts['rejected']:,} + suppressed {counts['suppressed']:,};"
            f" re-import: {best['again_updated']:,} updated"
        )
    if not args.no_postgres:
        compare_postgres(args.sizes, args.repeat, sqlite_results)
    return 0


def compare_postgres(
    sizes: list[int], repeat: int, sqlite_results: dict[int, list[dict[str, object]]]
) -> None:
    """The same imports on PostgreSQL, through COPY and through INSERT, beside SQLite's."""
    runs = postgres_runs()
    if runs is None:
        return
    try:
        print(
            f"\nPostgreSQL {runs.version()}, a local server, each commit flushed to disk "
            "(fsync and synchronous_commit on)"
        )
        header = (
            f"{'rows':>8} {'runs':>4} {'SQLite s':>8} {'PG COPY s':>9} {'PG INSERT s':>11} "
            f"{'PG/SQLite':>9} {'COPY/INSERT':>11} {'re-import SQLite s':>18} "
            f"{'re-import PG s':>14}"
        )
        print(header)
        print("-" * len(header))
        for rows in sizes:
            path = generate(rows)
            count = repeat if rows <= 100_000 else 1
            copies, inserts = [], []
            for _ in range(count):
                copies.append(runs.measure(path, copy=True))
                inserts.append(runs.measure(path, copy=False))
            sqlite = _best(sqlite_results[rows], "seconds")
            copy, insert = _best(copies, "seconds"), _best(inserts, "seconds")
            print(
                f"{rows:>8,} {count:>4} {sqlite:>8.2f} {copy:>9.2f} {insert:>11.2f} "
                f"{copy / sqlite:>9.2f} {copy / insert:>11.2f} "
                f"{_best(sqlite_results[rows], 'again_seconds'):>18.2f} "
                f"{_best(copies, 'again_seconds'):>14.2f}"
            )
    finally:
        runs.close()


if __name__ == "__main__":
    sys.exit(main())
