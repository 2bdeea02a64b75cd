"""Spreadsheets and CSV files, read and written: used by every import and export.

Reading (``readers``: any workbook or CSV as a ``TableSource``; ``layout``: where the table
sits), refusing hostile files before a reader opens them (``safety``), and the formula guard
(``safe_cells``). This package knows nothing of customers or campaigns: it imports no
feature package, and every feature package may import it.
"""
