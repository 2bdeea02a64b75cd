"""Store packs: the workbooks that carry a store's work between the region and a store's PC.

Many stores run Last Mile on a PC of their own, with no server between it and the region.
The lead sends each such store a *store pack* (``pack_out``): the store's call-group
members with the customers' details, the campaign's settings and scripts, the store and its
managers, the calls and purchases so far and the do-not-call entries that concern them. The
store's PC imports it (``pack_in``) into its own database, however empty, with the same
UUIDs, and the desk works the campaign there. The calls made there travel back as a *store
results* file (``results_out``, ``results_in``), merged into the region's database by UUID.

Every pack file follows the conventions of ``workbook``: a first sheet "Pack" that says
what the file is, for which campaign and store, and when it was made; one sheet per kind of
record; UUIDs as text; times as exact UTC text. Reading one goes through the same hostile-
file checks as any import.
"""
