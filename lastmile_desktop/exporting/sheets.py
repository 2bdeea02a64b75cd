"""The results workbook's sheets and columns: named once, for the export, its CSV form, the
Read me sheet and the tests. People build formulas, pivots and Power Query on these names,
so a name, once released, does not change."""

from __future__ import annotations

import enum

from lastmile_desktop.spreadsheets.writing import CellKind, Column


class Sheet(enum.StrEnum):
    CALL_RESULTS = "Call results"
    ATTEMPTS = "Attempts"
    STORES = "Stores"
    HEROES_AND_GAPS = "Heroes and gaps"
    REJECTED_ROWS = "Rejected rows"
    READ_ME = "Read me"

    @property
    def table(self) -> str:
        """The Excel table's name on the sheet ("CallResults"): what formulas refer to."""
        return self.value.title().replace(" ", "")


DATA_SHEETS = (
    Sheet.CALL_RESULTS,
    Sheet.ATTEMPTS,
    Sheet.STORES,
    Sheet.HEROES_AND_GAPS,
    Sheet.REJECTED_ROWS,
)

# `Call results`: after the customer's own columns, as they came in.
CALL_RESULT_COLUMNS = (
    Column("Store"),
    Column("Manager"),
    Column("Group", width=9),  # call or holdout
    Column("Attempts", CellKind.INTEGER, width=10),
    Column("Last outcome"),
    Column("Last call at", CellKind.DATETIME),
    Column("Accepted", CellKind.BOOLEAN, width=11),
    Column("Callback due", CellKind.DATETIME),
    Column("Came back on", CellKind.DATE, width=15),
    Column("Spent since call", CellKind.MONEY, width=17),
    Column("Note", width=40),
    Column("Member UUID", width=38),
)

ATTEMPT_COLUMNS = (
    Column("Attempt UUID", width=38),
    Column("Member UUID", width=38),
    Column("Customer ID"),
    Column("Store"),
    Column("Manager"),
    Column("Called at", CellKind.DATETIME),
    Column("Outcome"),
    Column("Reached", CellKind.BOOLEAN, width=10),
    Column("Note", width=40),
    Column("Callback at", CellKind.DATETIME),
    Column("Script version", CellKind.INTEGER, width=15),
)

HEROES_AND_GAPS_COLUMNS = (
    Column("Section", width=15),  # Best now, Most improved, Gap
    Column("Store"),
    Column("Sentence", width=90),
    Column("Customers", CellKind.INTEGER, width=11),  # for a gap: how many it is about
)

REJECTED_ROW_COLUMNS = (
    Column("File", width=30),
    Column("Sheet row", CellKind.INTEGER, width=11),
    Column("Reason", width=45),
)

# What each sheet holds, for the Read me sheet.
SHEET_DESCRIPTIONS: dict[Sheet, str] = {
    Sheet.CALL_RESULTS: (
        "One row per customer in the campaign: their columns as the list brought them "
        "(including the columns that matched no field), then their store, manager, group "
        "(call or holdout), counted attempts, last outcome and call, whether they accepted "
        "the offer, the callback booked, the day they came back and what they spent in the "
        "campaign's attribution window after the first call, the latest note written with a "
        "call, and the member's UUID."
    ),
    Sheet.ATTEMPTS: (
        "One row per call: who was called (member UUID, head office's customer id), by which "
        "store and manager, when, the outcome, whether the customer was reached, the note, "
        "the callback time asked for and the script version on screen."
    ),
    Sheet.STORES: (
        "The leaderboard's figures for the campaign to date, one row per store, under the "
        "names `lastmile leaderboard --json` uses; rates are fractions shown as percentages."
    ),
    Sheet.HEROES_AND_GAPS: (
        "The leaderboard's sentences: the stores doing best now, the most improved, and each "
        "store's gaps with the number of customers behind them."
    ),
    Sheet.REJECTED_ROWS: (
        "Rows the campaign's imports turned away: the file, the row's number in its sheet, "
        "why, and the row's values under the file's own columns."
    ),
}
