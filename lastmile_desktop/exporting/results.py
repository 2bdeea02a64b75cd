"""The results workbook: a campaign's calls and what they brought back, for Excel.

``export_results`` writes the sheets of ``sheets.Sheet`` (or one of them as CSV). The call
results and the attempts are read from the database one row at a time and written as they
come; the ``Stores`` and ``Heroes and gaps`` sheets are the leaderboard itself
(``leaderboard.service.leaderboard`` and ``leaderboard_json``) for the campaign to date.

Who may export what is decided here: the lead exports every store, or one (``store``); a
store manager exports their own store only (the members they may see: never the holdout's
names), and the leaderboard's rows and sentences about their store.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path

from sqlalchemy.orm import Session

from lastmile_desktop.campaigns.access import Profile, check_profile, require_store
from lastmile_desktop.campaigns.stores import store_by_code
from lastmile_desktop.exporting.rows import (
    ExportScope,
    attempt_rows,
    call_result_columns,
    call_result_rows,
    count_attempts,
    count_members,
    original_columns,
    rejected_row_table,
)
from lastmile_desktop.exporting.sheets import (
    ATTEMPT_COLUMNS,
    DATA_SHEETS,
    HEROES_AND_GAPS_COLUMNS,
    SHEET_DESCRIPTIONS,
    Sheet,
)
from lastmile_desktop.leaderboard.model import Figures, Leaderboard, StoreRow
from lastmile_desktop.leaderboard.periods import PeriodChoice, PeriodKind
from lastmile_desktop.leaderboard.rates import Rate, RateValue
from lastmile_desktop.leaderboard.service import (
    compare_groups,
    figures_scope,
    leaderboard,
    leaderboard_json,
)
from lastmile_desktop.progress import NoProgress, Progress
from lastmile_desktop.spreadsheets.writing import (
    Cell,
    CellKind,
    Column,
    WorkbookWriter,
    check_target,
    write_csv,
)
from lastmile_desktop.storage import Database
from lastmile_desktop.storage.models import Store

EXPORT_SUFFIXES = (".xlsx", ".csv")
CAMPAIGN_TO_DATE = PeriodChoice(PeriodKind.CAMPAIGN)
# How the leaderboard's JSON keys are written as cells (the others are counts).
_STORE_KINDS: dict[str, CellKind] = {
    "store": CellKind.TEXT,
    "revenue_won_back": CellKind.MONEY,
    "speed_to_first_call_days": CellKind.NUMBER,
    "rate_ci95": CellKind.TEXT,
    **{rate.value: CellKind.PERCENT for rate in Rate},
}
# The rates drawn on the Stores sheet's chart, in the order a call goes.
CHARTED_RATES = (Rate.CONTACT_RATE, Rate.ACCEPTANCE_RATE, Rate.WIN_BACK_RATE)


@dataclass(frozen=True)
class ExportSummary:
    file: Path
    campaign: str
    store: str | None  # None: every store the profile may see
    period: tuple[date, date]  # the campaign to date: first and last day
    rows: dict[Sheet, int]  # rows written per sheet (the header not counted)
    exported_at: datetime

    def as_json(self) -> dict[str, object]:
        """The shape ``lastmile export --json`` prints."""
        return {
            "file": str(self.file),
            "campaign": self.campaign,
            "store": self.store,
            "period": {"from": self.period[0].isoformat(), "to": self.period[1].isoformat()},
            "sheets": {sheet.value: rows for sheet, rows in self.rows.items()},
            "exported_at": self.exported_at.isoformat(),
        }


def check_export_target(target: Path) -> None:
    """Refuse a file the results cannot be saved to, before any work is done."""
    check_target(target, EXPORT_SUFFIXES, "the results")


def export_results(
    db: Database,
    profile: Profile,
    target: Path,
    *,
    campaign: int | str | None = None,
    store: str | None = None,
    sheet: Sheet = Sheet.CALL_RESULTS,
    progress: Progress | None = None,
    today: date | None = None,
    zone: tzinfo | None = None,
    now: datetime | None = None,
) -> ExportSummary:
    """Write the results of ``campaign`` (None: the leaderboard's, the most recent open one)
    to ``target``: a workbook of every sheet (.xlsx), or ``sheet`` alone (.csv).

    ``store`` (a store code) narrows the export to that store; a store manager's export is
    always their own store's. ``progress`` may raise ``Cancelled``: no file is then left.
    Times are written in ``zone`` (None: the computer's local time).
    """
    target = Path(target)
    check_export_target(target)
    if sheet not in DATA_SHEETS:
        raise ValueError(f"{sheet} is not a data sheet")
    progress = progress or NoProgress()
    progress.report(0, None, "Reading the leaderboard...")
    board = leaderboard(
        db, profile, campaign=campaign, period=CAMPAIGN_TO_DATE, today=today, zone=zone, now=now
    )
    with db.read_session() as session:
        check_profile(session, profile)
        store_id, store_name = _chosen_store(session, profile, store)
        scope = ExportScope(board.campaign_id, profile, store_id, zone)
        facts = figures_scope(
            session,
            board.campaign_id,
            period=CAMPAIGN_TO_DATE,
            today=board.period.last_day,
            zone=zone,
            now=board.computed_at,
        )
        total = count_members(session, scope) + count_attempts(session, scope)
        counter = _Counter(progress, total)
        originals = original_columns(session, board.campaign_id)
        sources: dict[Sheet, Callable[[], tuple[Sequence[Column], Iterable[Sequence[Cell]]]]] = {
            Sheet.CALL_RESULTS: lambda: (
                call_result_columns(originals),
                call_result_rows(session, scope, facts, originals),
            ),
            Sheet.ATTEMPTS: lambda: (ATTEMPT_COLUMNS, attempt_rows(session, scope)),
            Sheet.STORES: lambda: _stores_table(board, _own_rows(board, profile, store_id)),
            Sheet.HEROES_AND_GAPS: lambda: (
                HEROES_AND_GAPS_COLUMNS,
                _heroes_and_gaps(board, _own_rows(board, profile, store_id)),
            ),
            Sheet.REJECTED_ROWS: lambda: rejected_row_table(session, scope),
        }
        written: dict[Sheet, int] = {}
        if target.suffix.lower() == ".csv":
            columns, rows = sources[sheet]()
            counter.stage(sheet)
            written[sheet] = write_csv(target, columns, rows, on_rows=counter.rows)
        else:
            with WorkbookWriter(target) as workbook:
                for data_sheet in DATA_SHEETS:
                    columns, rows = sources[data_sheet]()
                    counter.stage(data_sheet)
                    done = workbook.add_data_sheet(
                        data_sheet.value,
                        columns,
                        rows,
                        table=data_sheet.table,
                        on_rows=counter.rows,
                    )
                    written[data_sheet] = done.rows
                    if data_sheet is Sheet.STORES:
                        workbook.add_bar_chart(
                            done,
                            title=f"{board.campaign}: rates by store, campaign to date",
                            categories="store",
                            values=[rate.value for rate in CHARTED_RATES],
                        )
                summary = _summary(target, board, store_name, written, zone)
                workbook.add_notes_sheet(Sheet.READ_ME.value, _read_me(summary, profile, zone))
                workbook.activate(Sheet.CALL_RESULTS.value)
                progress.report(total, total, "Saving the workbook...")
    return _summary(target, board, store_name, written, zone)


class _Counter:
    """Progress over the rows of every sheet, as one bar."""

    def __init__(self, progress: Progress, total: int) -> None:
        self.progress = progress
        self.total = total
        self.before = 0  # rows of the sheets already written
        self.current = 0
        self.message = ""

    def stage(self, sheet: Sheet) -> None:
        self.before += self.current
        self.current = 0
        self.message = f"Writing {sheet.value.lower()}..."
        self.progress.report(min(self.before, self.total), self.total, self.message)

    def rows(self, done: int) -> None:
        self.current = done
        self.progress.report(min(self.before + done, self.total), self.total, self.message)


def _chosen_store(
    session: Session, profile: Profile, code: str | None
) -> tuple[int | None, str | None]:
    """The store the export is narrowed to (id and name), or none: every store."""
    if code is None or not code.strip():
        if profile.is_lead:
            return None, None
        found = session.get(Store, profile.store_id)
        return profile.store_id, found.name if found is not None else None
    chosen = store_by_code(session, code)
    require_store(profile, chosen.id, "export results")
    return chosen.id, chosen.name


def _own_rows(board: Leaderboard, profile: Profile, store_id: int | None) -> list[StoreRow]:
    """The leaderboard rows the export holds: every store's, or only the chosen store's."""
    if store_id is None and profile.is_lead:
        return list(board.stores)
    if store_id is None or not profile.is_lead:
        return [row for row in board.stores if row.own]
    return [row for row in board.stores if row.store_id == store_id]


def _empty_row() -> StoreRow:
    """A store with no figures: what gives the Stores sheet its columns when no store has
    any call-group member yet."""
    nothing = RateValue(0, 0)
    figures = Figures(0, 0, 0, 0, 0, 0, 0, 0, 0, None, dict.fromkeys(Rate, nothing))
    return StoreRow("", None, False, figures, nothing, None, compare_groups(0, 0, 0, 0))


def _stores_table(
    board: Leaderboard, rows: list[StoreRow]
) -> tuple[list[Column], list[list[Cell]]]:
    """The leaderboard's store rows under the keys ``lastmile leaderboard --json`` uses."""

    def as_json(stores: list[StoreRow]) -> list[dict[str, object]]:
        shown = leaderboard_json(dataclasses.replace(board, stores=stores))["stores"]
        assert isinstance(shown, list)
        return shown

    keys = list(as_json(rows[:1] or [_empty_row()])[0])
    columns = [Column(key, _STORE_KINDS.get(key, CellKind.INTEGER)) for key in keys]
    return columns, [[_store_cell(row[key]) for key in keys] for row in as_json(rows)]


def _store_cell(value: object) -> Cell:
    if isinstance(value, list):  # an interval: [low, high] as fractions
        low, high = value
        return f"{low:.1%} to {high:.1%}"
    assert value is None or isinstance(value, str | int | float)
    return value


def _heroes_and_gaps(board: Leaderboard, rows: list[StoreRow]) -> list[list[Cell]]:
    """The leaderboard's sentences about the stores in the export."""
    stores = {row.store for row in rows}
    lines: list[list[Cell]] = []
    lines += [["Best now", hero.store, hero.text, None] for hero in board.best_now]
    lines += [["Most improved", hero.store, hero.text, None] for hero in board.most_improved]
    lines += [["Gap", gap.store, gap.text, gap.count] for gap in board.gaps]
    return [line for line in lines if line[1] in stores]


def _summary(
    target: Path,
    board: Leaderboard,
    store_name: str | None,
    written: dict[Sheet, int],
    zone: tzinfo | None,
) -> ExportSummary:
    return ExportSummary(
        file=target,
        campaign=board.campaign,
        store=store_name,
        period=(board.period.first_day, board.period.last_day),
        rows=dict(written),
        exported_at=board.computed_at.astimezone(zone),
    )


def _read_me(
    summary: ExportSummary, profile: Profile, zone: tzinfo | None
) -> list[tuple[str, str]]:
    first, last = summary.period
    exported = summary.exported_at
    zone_name = str(zone) if zone is not None else (exported.tzname() or "local time")
    lines = [
        ("Campaign", summary.campaign),
        ("Period", f"{first:%Y-%m-%d} to {last:%Y-%m-%d} (the campaign to date)"),
        ("Store", summary.store or "Every store"),
        ("Exported", f"{exported:%Y-%m-%d %H:%M} by {profile.name}"),
        ("Times", f"Dates and times are this computer's local time ({zone_name})."),
        ("", ""),
        ("Sheet", "What it holds"),
    ]
    for sheet in DATA_SHEETS:
        rows = summary.rows.get(sheet, 0)
        counted = f"{rows:,} row" + ("" if rows == 1 else "s")
        lines.append((sheet.value, f"{SHEET_DESCRIPTIONS[sheet]} ({counted})"))
    return lines
