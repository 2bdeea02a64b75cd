"""What the reader layer costs: open_source + detect_layout + iter_records against bare readers.

For each size (10k and 100k rows by default) the script writes a 10-column .xlsx (xlsxwriter's
constant-memory mode: inline strings), the same workbook with its text moved to a shared
string table (as Excel saves it), and the same list as a semicolon CSV in Windows-1252, once,
under benchmarks/.cache/. It then measures in the same run, each in a fresh child process so
its peak memory (ru_maxrss) is its own:

- openpyxl read-only iterating every row (values only): the baseline of the import issue;
- python-calamine iterating every row, with no checks and no conversion;
- the safety checks alone (``identify_file``: zip directory, XML prologues, sheet extents
  and text), on both workbooks;
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
import re
import subprocess
import sys
import zipfile
from datetime import date, timedelta
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
CACHE = Path(__file__).resolve().parent / ".cache"
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


def write_lists(folder: Path, rows: int) -> tuple[Path, Path, Path]:
    """The workbook, its shared-strings twin and the CSV for ``rows`` rows, written once."""
    workbook_path = folder / f"readers_{rows}.xlsx"
    shared_path = folder / f"readers_{rows}_shared.xlsx"
    csv_path = folder / f"readers_{rows}.csv"
    if not (workbook_path.exists() and csv_path.exists()):
        _write_workbook_and_csv(workbook_path, csv_path, rows)
    if not shared_path.exists():
        _move_text_to_shared_strings(workbook_path, shared_path)
    return workbook_path, shared_path, csv_path


def _write_workbook_and_csv(workbook_path: Path, csv_path: Path, rows: int) -> None:
    import xlsxwriter

    rng = random.Random(rows)
    partial = workbook_path.with_suffix(".partial")
    workbook = xlsxwriter.Workbook(str(partial), {"constant_memory": True})
    sheet = workbook.add_worksheet("Customers")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, HEADERS)
    with csv_path.open("w", encoding="cp1252", newline="") as text:
        text.write(";".join(HEADERS) + "\r\n")
        for number in range(1, rows + 1):
            values = customer(rng, number)
            sheet.write_row(number, 0, values[:6])
            sheet.write_datetime(number, 6, values[6], date_format)
            sheet.write_row(number, 7, values[7:])
            cells = [str(value).replace(".", ",") for value in values]
            text.write(";".join(cells) + "\r\n")
    workbook.close()
    partial.rename(workbook_path)


_INLINE_CELL = re.compile(
    rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t>(.*?)</t></is></c>'
)
_SHARED_STRINGS_RELATION = (
    b'<Relationship Id="rIdShared" Type="http://schemas.openxmlformats.org/officeDocument/'
    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def _move_text_to_shared_strings(source: Path, target: Path) -> None:
    """Rewrite each inline string as a reference into a shared string table, streaming."""
    index: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        number = index.setdefault(match[2], len(index))
        return match[1] + b' t="s"><v>%d</v></c>' % number

    partial = target.with_suffix(".partial")
    with (
        zipfile.ZipFile(source) as package,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in package.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with package.open(info) as sheet_in, out.open(info.filename, "w") as sheet_out:
                    carry = b""
                    while block := sheet_in.read(4 * 1024 * 1024):
                        data = carry + block
                        cut = data.rfind(b"<c ")
                        sheet_out.write(_INLINE_CELL.sub(shared, data[:cut]))
                        carry = data[cut:]
                    sheet_out.write(_INLINE_CELL.sub(shared, carry))
                continue
            content = package.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                content = content.replace(b"</Relationships>", _SHARED_STRINGS_RELATION)
            out.writestr(info, content)
        with out.open("xl/sharedStrings.xml", "w") as strings:
            strings.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="http://'
                b'schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d">'
                % (len(index), len(index))
            )
            for text in index:
                strings.write(b"<si><t>%s</t></si>" % text)
            strings.write(b"</sst>")
    partial.rename(target)


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
    from lastmile_desktop.spreadsheets.safety.files import identify_file

    identify_file(path)
    return 0


def run_reader_path(path: Path) -> int:
    from lastmile_desktop.spreadsheets.layout import detect_layout, iter_records
    from lastmile_desktop.spreadsheets.readers import open_source

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

    import lastmile_desktop.spreadsheets.layout
    import lastmile_desktop.spreadsheets.readers  # noqa: F401

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
        f"{'rows':>8}  {'what':<30}{'seconds':>9}{'rows/s':>11}"
        f"{'vs openpyxl':>13}{'vs calamine':>13}{'peak MB':>9}"
    )
    print(header)
    print("-" * len(header))
    CACHE.mkdir(exist_ok=True)
    for size in arguments.sizes:
        workbook, shared, csv = write_lists(CACHE, size)
        baseline = measure("openpyxl", workbook)
        bare = measure("calamine", workbook)
        rows = [
            ("openpyxl read-only (baseline)", baseline),
            ("calamine bare iteration", bare),
            ("safety checks, inline text", measure("checks", workbook)),
            ("safety checks, shared text", measure("checks", shared)),
            ("xlsx: open+layout+records", measure("reader", workbook)),
            ("xlsx shared: open+layout+rec.", measure("reader", shared)),
            ("csv: open+layout+records", measure("reader", csv)),
        ]
        for label, result in rows:
            seconds = result["seconds"]
            speed = f"{size / seconds:,.0f}" if result["rows"] else "-"
            print(
                f"{size:>8,}  {label:<30}{seconds:>9.2f}{speed:>11}"
                f"{seconds / baseline['seconds']:>13.2f}{seconds / bare['seconds']:>13.2f}"
                f"{result['peak_mb']:>9.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
