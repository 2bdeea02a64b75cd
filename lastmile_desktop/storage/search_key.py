"""The customer search key: "last first phone other-phone", ASCII letters lower-cased.

The member table's name and phone search scans this one narrow, indexed column instead of
the whole customers table (an index SQLite can answer from alone; a generated column's index
it cannot). It is kept right in two ways, with the same formula:

- on insert, the column default computes it in Python (any SQLAlchemy insert, ORM or Core,
  so the import engine and the demo generator need do nothing);
- on update of a name or phone (a newer list, "forget this customer"), a trigger recomputes
  it in SQL (SQLite; see the 0001 migration), so no writer can leave it stale.

Only ASCII letters are lower-cased because that is what SQL ``lower()`` does in SQLite:
Python and SQL must produce the very same text.
"""

from __future__ import annotations

import string

from sqlalchemy.engine.interfaces import ExecutionContext

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

# The same formula in SQL, over the row being written (the trigger's NEW).
SEARCH_KEY_SQL = (
    "lower(coalesce(NEW.last_name, '') || ' ' || coalesce(NEW.first_name, '') || ' ' || "
    "coalesce(NEW.phone, '') || ' ' || coalesce(NEW.phone_alt, ''))"
)


def ascii_lower(text: str) -> str:
    return text.translate(_ASCII_LOWER)


def customer_search_key(
    first_name: str | None, last_name: str | None, phone: str | None, phone_alt: str | None
) -> str:
    parts = (last_name or "", first_name or "", phone or "", phone_alt or "")
    return ascii_lower(" ".join(parts))


def search_key_default(context: ExecutionContext) -> str:
    """Column default: the key of the row being inserted."""
    row = context.get_current_parameters()  # type: ignore[attr-defined]
    return customer_search_key(
        row.get("first_name"), row.get("last_name"), row.get("phone"), row.get("phone_alt")
    )
