"""What the reader layer costs: open_source + detect_layout + iter_records against bare readers.

For each size (10k and 100k rows by default) the script writes a 10-column .xlsx and the same
list as a semicolon CSV in Windows-1252 (in a temporary folder), then measures in the same
run, each in a fresh child process so its peak memory (ru_maxrss) is its own:

- openpyxl read-only iterating every row (values only): the baseline of the import issue;
- python-calamine iterating every row, with no checks and no conversion;
- the safety checks alone (``identify_file``: zip directory, XML prologues, sheet extents);
- the whole reader path an import takes: ``open_source``, ``detect_layout``, and every
  record from ``iter_records``;
- the same path for the CSV.

    .venv/bin/python benchmarks/bench_readers.py                  # 10k, 100k
    .venv/bin/python benchmarks/bench_readers.py --sizes 500000   # one size
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
HEADERS = [
    "Customer ID",
    "First name",
    "Last name",
    "Phone",
    "Email",
    "Store",
    "Last purchase",
    "Lifetime spend",
    "Visits",
    "Notes",
]


def customer(rng: random.Random, number: int) -> list[object]:
    return [
        f"C{number:07d}",
        rng.choice(["Anna", "Ben", "Chloé", "Dev", "Emma", "Farid"]),
        rng.choice(["Smith", "Jones", "Østergaard", "Patel", "O'Neill"]),
        f"06{rng.randrange(10_000_000, 99_999_999)}",
        f"customer{number}@example.com",
        rng.randrange(1, 41),
        date(2023, 1, 1) + timedelta(days=number % 400),
        round(rng.random() * 900, 2),
        rng.randrange(1, 60),
        rng.choice(["", "prefers mornings", "moved recently"]),
    ]


def write_lists(folder: Path, rows: int) -> tuple[Path, Path]:
    import xlsxwriter

    rng = random.Random(rows)
    workbook_path = folder / f"customers_{rows}.xlsx"
    csv_path = folder / f"customers_{rows}.csv"
    workbook = xlsxwriter.Workbook(str(workbook_path), {"constant_memory": True})
    sheet = workbook.add_worksheet("Customers")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS)
    with csv_path.open("w", encoding="cp1252", newline="") as text:
        text.write(";".join(HEADERS) + "\r\n")
        for number in range(1, rows + 1):
            values = customer(rng, number)
            sheet.write_row(number, 0, values[:6])
            sheet.write_datetime(number, 6, values[6], date_format)  # type: ignore[arg-type]
            sheet.write_row(number, 7, values[7:])
            cells = [str(value).replace(".", ",") for value in values]
            text.write(";".join(cells) + "\r\n")
    workbook.close()
    return workbook_path, csv_path


# --- measured in a child process ---------------------------------------------------------------


def run_openpyxl(path: Path) -> int:
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True)
    count = sum(1 for _ in workbook.active.iter_rows(values_only=True))
    workbook.close()
    return count


def run_calamine(path: Path) -> int:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return sum(1 for _ in workbook.get_sheet_by_index(0).iter_rows())


def run_checks(path: Path) -> int:
    from lastmile_desktop.importing.file_safety import identify_file

    identify_file(path)
    return 0


def run_reader_path(path: Path) -> int:
    from lastmile_desktop.importing.layout import detect_layout, iter_records
    from lastmile_desktop.importing.readers import open_source

    with open_source(path) as source:
        layout = detect_layout(source)
        return sum(1 for _ in iter_records(source, layout))


VARIANTS = {
    "openpyxl": run_openpyxl,
    "calamine": run_calamine,
    "checks": run_checks,
    "reader": run_reader_path,
}


def child(variant: str, path: Path) -> None:
    import resource
    import time

    # Imports are not what is measured: load every module the variants use first.
    import openpyxl  # noqa: F401
    import python_calamine  # noqa: F401

    import lastmile_desktop.importing.layout
    import lastmile_desktop.importing.readers  # noqa: F401

    started = time.perf_counter()
    count = VARIANTS[variant](path)
    seconds = time.perf_counter() - started
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale
    print(json.dumps({"seconds": seconds, "rows": count, "peak_mb": peak / 1024**2}))


def measure(variant: str, path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", variant, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPOSITORY,
    )
    measured: dict[str, float] = json.loads(result.stdout)
    return measured


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "PATH"), help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(arguments.child[0], Path(arguments.child[1]))
        return 0

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, ", end=""
    )
    print(f"Python {platform.python_version()}, {platform.system()}")
    header = (
        f"{'rows':>8}  {'what':<28}{'seconds':>9}{'rows/s':>11}"
        f"{'vs openpyxl':>13}{'vs calamine':>13}{'peak MB':>9}"
    )
    print(header)
    print("-" * len(header))
    with tempfile.TemporaryDirectory() as folder:
        for size in arguments.sizes:
            workbook, csv = write_lists(Path(folder), size)
            baseline = measure("openpyxl", workbook)
            bare = measure("calamine", workbook)
            rows = [
                ("openpyxl read-only (baseline)", baseline),
                ("calamine bare iteration", bare),
                ("safety checks only", measure("checks", workbook)),
                ("xlsx: open+layout+records", measure("reader", workbook)),
                ("csv: open+layout+records", measure("reader", csv)),
            ]
            for label, result in rows:
                seconds = result["seconds"]
                speed = f"{size / seconds:,.0f}" if result["rows"] else "-"
                print(
                    f"{size:>8,}  {label:<28}{seconds:>9.2f}{speed:>11}"
                    f"{seconds / baseline['seconds']:>13.2f}{seconds / bare['seconds']:>13.2f}"
                    f"{result['peak_mb']:>9.0f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
