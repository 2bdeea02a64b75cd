"""The customer search key: "last first phone other-phone", ASCII letters lower-cased.

The member table's name and phone search scans this one narrow, indexed column instead of
the whole customers table (an index SQLite can answer from alone; a generated column's index
it cannot). It is kept right in two ways, with the same formula:

- on insert, the column default computes it in Python (any SQLAlchemy insert, ORM or Core,
  so the import engine and the demo generator need do nothing);
- on update of a name or phone (a newer list, "forget this customer"), a trigger recomputes
  it in SQL (see the 0001 migration: a trigger in SQLite, a plpgsql trigger function in
  PostgreSQL), so no writer can leave it stale.

Only ASCII letters are lower-cased because that is what SQL ``lower()`` does in SQLite:
Python and SQL must produce the very same text. PostgreSQL's ``lower()`` follows the
server's locale ("É" becomes "é" there), so on PostgreSQL the trigger folds the 26 letters
with ``translate()`` instead, which no locale changes.
"""

from __future__ import annotations

import string
from typing import Any

from sqlalchemy import String
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class sql_search_key(FunctionElement[str]):
    """The key computed by the database, as its trigger does: sql_search_key(first, last,
    phone, phone_alt) over any columns or values."""

    type = String()
    inherit_cache = True
    name = "sql_search_key"


def _joined(element: sql_search_key, compiler: SQLCompiler, **kw: Any) -> str:
    first, last, phone, alternative = (
        compiler.process(argument, **kw) for argument in element.clauses
    )
    return " || ' ' || ".join(f"coalesce({part}, '')" for part in (last, first, phone, alternative))


@compiles(sql_search_key)
def _sql_search_key(element: sql_search_key, compiler: SQLCompiler, **kw: Any) -> str:
    return f"lower({_joined(element, compiler, **kw)})"


@compiles(sql_search_key, "postgresql")
def _sql_search_key_postgres(element: sql_search_key, compiler: SQLCompiler, **kw: Any) -> str:
    joined = _joined(element, compiler, **kw)
    return f"translate({joined}, '{string.ascii_uppercase}', '{string.ascii_lowercase}')"


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
