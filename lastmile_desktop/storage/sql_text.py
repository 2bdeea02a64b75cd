"""Text comparisons in SQL that SQLite and PostgreSQL both run, each in its own words."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement


def like_any_case(
    session: Session,
    column: ColumnElement[Any] | InstrumentedAttribute[Any],
    pattern: str,
    escape: str,
) -> ColumnElement[bool]:
    """``column LIKE pattern`` whatever the case of its ASCII letters.

    SQLite's LIKE ignores that case already (and a plain LIKE is what its optimiser knows);
    PostgreSQL's LIKE does not, so it is asked for ILIKE.
    """
    if session.get_bind().dialect.name == "sqlite":
        return column.like(pattern, escape=escape)
    return column.ilike(pattern, escape=escape)


class has_non_ascii(FunctionElement[bool]):
    """Whether a text holds a character outside ASCII: has_non_ascii(column)."""

    type = Boolean()
    inherit_cache = True
    name = "has_non_ascii"


@compiles(has_non_ascii)
def _has_non_ascii(element: has_non_ascii, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = (compiler.process(argument, **kw) for argument in element.clauses)
    return f"(octet_length({text}) != char_length({text}))"


@compiles(has_non_ascii, "sqlite")
def _has_non_ascii_sqlite(element: has_non_ascii, compiler: SQLCompiler, **kw: Any) -> str:
    (text,) = (compiler.process(argument, **kw) for argument in element.clauses)
    # length() counts characters in text and bytes in a blob (UTF-8 here).
    return f"(length({text}) != length(CAST({text} AS BLOB)))"
