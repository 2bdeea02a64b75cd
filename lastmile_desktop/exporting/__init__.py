"""Results going back to Excel: the results workbook (``results.export_results``).

The sheets and their columns are fixed (``sheets``) so people can build on them; the
figures come from the leaderboard's services and definitions, never from copies; what a
profile may export is decided here, as the leaderboard decides what it may see.
"""
