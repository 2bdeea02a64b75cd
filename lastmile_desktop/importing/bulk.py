"""Many-row statements with the least work per row, for any database SQLAlchemy speaks.

``session.execute(statement, rows)`` builds and type-converts a parameter dictionary per row
inside SQLAlchemy, which costs more than SQLite takes to store the row. Here the Core
statement is compiled once for the connection's dialect, each parameter's own bind
processor (the conversion SQLAlchemy would apply: UTC datetimes, dates, JSON) is looked up
once, values the same for every row are converted once, and the rows go to the driver's
``executemany`` as plain tuples (or dictionaries, for drivers with named parameters).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, Table, bindparam, insert

Processor = Callable[[Any], Any]


class BulkStatement:
    """A compiled statement run for many rows.

    ``names`` are the bind parameters that vary per row, in the order each row gives them;
    ``constants`` are bind parameters with the same value for every row. ``ready`` names
    parameters whose values are already in the database's form (text UUIDs made for the
    purpose): they skip their type's conversion.
    """

    def __init__(
        self,
        connection: Connection,
        statement: Executable,
        names: Sequence[str],
        constants: Mapping[str, Any] | None = None,
        ready: Collection[str] = (),
    ) -> None:
        dialect = connection.dialect
        compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
        self._connection = connection
        self._sql: str = compiled.string
        self._positional = bool(dialect.positional)

        def processor(name: str) -> Processor | None:
            if name in ready:
                return None
            process: Processor | None = (
                compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            )
            return process

        # Only parameters whose type converts anything cost time per row.
        self._processors = [
            (index, process)
            for index, name in enumerate(names)
            if (process := processor(name)) is not None
        ]
        constant_values = []
        for name, value in (constants or {}).items():
            process = processor(name)
            constant_values.append(process(value) if process and value is not None else value)
        self._constants = tuple(constant_values)

        # Where each parameter of the compiled statement is found in "row + constants".
        all_names = [*names, *(constants or {})]
        position = {name: index for index, name in enumerate(all_names)}
        order = list(compiled.positiontup) if self._positional else all_names
        missing = set(order) - set(position)
        if missing:
            raise ValueError(f"no value given for parameters {sorted(missing)}")
        self._keys = order
        indexes = [position[name] for name in order]
        self._pick: Callable[[tuple[Any, ...]], tuple[Any, ...]] = (
            operator.itemgetter(*indexes) if len(indexes) > 1 else lambda row: (row[indexes[0]],)
        )

    def execute(self, rows: Iterable[Sequence[Any]]) -> int:
        """Run the statement once per row; returns how many rows were given."""
        parameters: list[Any] = []
        processors, constants, pick = self._processors, self._constants, self._pick
        for row in rows:
            values = list(row)
            for index, process in processors:
                value = values[index]
                if value is not None:
                    values[index] = process(value)
            picked = pick((*values, *constants))
            parameters.append(
                picked if self._positional else dict(zip(self._keys, picked, strict=True))
            )
        if parameters:
            self._connection.exec_driver_sql(self._sql, parameters)
        return len(parameters)


def bulk_insert(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    constants: Mapping[str, Any] | None = None,
    ready: Collection[str] = (),
) -> BulkStatement:
    """An INSERT into ``table`` of ``columns`` (per row) and ``constants`` (the same for all)."""
    constants = dict(constants or {})
    # Parameters named like their column are reserved by insert(); "p_" keeps them apart.
    statement = insert(table).values(
        {name: bindparam(f"p_{name}", type_=table.c[name].type) for name in [*columns, *constants]}
    )
    return BulkStatement(
        connection,
        statement,
        [f"p_{name}" for name in columns],
        {f"p_{name}": value for name, value in constants.items()},
        {f"p_{name}" for name in ready},
    )
