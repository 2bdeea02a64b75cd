"""Many-row statements with the least work per row, for any database SQLAlchemy speaks.

``session.execute(statement, rows)`` builds and type-converts a parameter dictionary per row
inside SQLAlchemy, which costs more than SQLite takes to store the row. Here the Core
statement is compiled once for the connection's dialect, each parameter's own bind
processor (the conversion SQLAlchemy would apply: UTC datetimes, dates, JSON) is looked up
once, values the same for every row are converted once, and the rows go to the driver's
``executemany`` as plain tuples (or dictionaries, for drivers with named parameters).

On PostgreSQL an insert's rows go through COPY instead (``storage.bulk_write.copy_rows``),
converted the same way: a 100k-row first import takes about a quarter less time than with
psycopg's (pipelined) ``executemany`` of INSERTs (benchmarks/bench_import.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, Table, bindparam, insert

from lastmile_desktop.storage.bulk_write import can_copy, copy_rows

Processor = Callable[[Any], Any]


class BulkStatement:
    """A compiled statement run for many rows.

    ``names`` are the bind parameters that vary per row, in the order each row gives them;
    ``constants`` are bind parameters with the same value for every row. ``ready`` names
    parameters whose values are already in the database's form (text UUIDs made for the
    purpose): they skip their type's conversion. ``computed`` parameters are worked out
    per row from the row's values, given to them by name (``row_keys``, else ``names``).
    """

    def __init__(
        self,
        connection: Connection,
        statement: Executable,
        names: Sequence[str],
        *,
        constants: Mapping[str, Any] | None = None,
        ready: Collection[str] = (),
        computed: Mapping[str, Callable[[Mapping[str, Any]], Any]] | None = None,
        row_keys: Sequence[str] | None = None,
        copy_into: tuple[Table, Mapping[str, str]] | None = None,
    ) -> None:
        """``copy_into`` (an INSERT's table, and each parameter's column) sends the rows
        with COPY instead of the statement (see ``bulk_insert``)."""
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

        self._row_keys = list(row_keys or names)
        self._row_positions = {key: index for index, key in enumerate(self._row_keys)}
        self._computed = list((computed or {}).items())
        row_names = [*names, *(name for name, _ in self._computed)]
        # Only parameters whose type converts anything cost time per row.
        self._processors = [
            (index, process)
            for index, name in enumerate(row_names)
            if (process := processor(name)) is not None
        ]
        constant_values = []
        for name, value in (constants or {}).items():
            process = processor(name)
            constant_values.append(process(value) if process and value is not None else value)
        self._constants = tuple(constant_values)

        # Where each parameter of the compiled statement is found in "row + constants".
        all_names = [*row_names, *(constants or {})]
        position = {name: index for index, name in enumerate(all_names)}
        self._copy: tuple[Table, list[str]] | None = None
        if copy_into is not None:
            order = list(copy_into[1])
            self._copy = (copy_into[0], [copy_into[1][key] for key in order])
        elif self._positional:
            order = list(compiled.positiontup)
        else:
            order = all_names
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
        given = rows if isinstance(rows, list) else list(rows)
        if not given:
            return 0
        return self.execute_columns(list(zip(*given, strict=True)))

    def execute_columns(self, columns: Sequence[Sequence[Any]]) -> int:
        """The same for rows given column by column (``columns[i]`` holds ``names[i]``).

        The work is done column by column (a list comprehension per converted column, one
        C-level transposition at the end), which costs a fraction of converting row by row.
        """
        if len(columns) != len(self._row_keys):
            raise ValueError(f"rows have {len(columns)} values, expected {len(self._row_keys)}")
        count = len(columns[0]) if columns else 0
        if not count:
            return 0
        prepared: list[Sequence[Any]] = list(columns)
        if self._computed:
            positions = self._row_positions
            rows = list(zip(*columns, strict=True))
            for _, compute in self._computed:
                prepared.append([compute(_RowView(positions, row)) for row in rows])
        for index, process in self._processors:
            prepared[index] = _converted(prepared[index], process)
        prepared.extend([value] * count for value in self._constants)
        ordered = self._pick(tuple(prepared))
        parameters: list[Any] = list(zip(*ordered, strict=True))
        if self._copy is not None:
            table, column_names = self._copy
            return copy_rows(self._connection, table, column_names, parameters)
        if not self._positional:
            parameters = [dict(zip(self._keys, row, strict=True)) for row in parameters]
        self._connection.exec_driver_sql(self._sql, parameters)
        return count


def _converted(values: Sequence[Any], process: Processor) -> list[Any]:
    """``process`` applied to each value but None; each distinct value converted once.

    Lists repeat their dates, stores and flags over and over; an unhashable value (a JSON
    dictionary) makes the column fall back to converting every value.
    """
    memo: dict[Any, Any] = {}
    lookup = memo.get

    def convert(value: Any) -> Any:
        converted = memo[value] = process(value)
        return converted

    try:
        return [
            None
            if value is None
            else (lookup(value, _MISSING) if value in memo else convert(value))
            for value in values
        ]
    except TypeError:
        return [None if value is None else process(value) for value in values]


_MISSING = object()


class _RowView(Mapping[str, Any]):
    """One row's values by name, without building a dictionary per row."""

    __slots__ = ("_positions", "_row")

    def __init__(self, positions: dict[str, int], row: Sequence[Any]) -> None:
        self._positions = positions
        self._row = row

    def __getitem__(self, key: str) -> Any:
        return self._row[self._positions[key]]

    def get(self, key: str, default: Any = None) -> Any:
        index = self._positions.get(key)
        return default if index is None else self._row[index]

    def __iter__(self) -> Iterator[str]:
        return iter(self._positions)

    def __len__(self) -> int:
        return len(self._positions)


class _RowContext:
    """What a column default that reads its row is given by SQLAlchemy, for one row."""

    def __init__(self, parameters: Mapping[str, Any]) -> None:
        self.current_parameters = parameters

    def get_current_parameters(self, isolate_multiinsert_groups: bool = True) -> Mapping[str, Any]:
        return self.current_parameters


def _default_of(column: Any) -> Callable[[Mapping[str, Any]], Any] | None:
    """The column's Python-side default as a function of the row, or None if it has none."""
    default = column.default
    if default is None or getattr(default, "is_sequence", False):
        return None
    if default.is_scalar:
        value = default.arg
        return lambda _row: value
    if default.is_callable:
        function = default.arg  # SQLAlchemy's wrapper: always takes the execution context
        return lambda row: function(_RowContext(row))
    return None  # SQL expressions run in the database by themselves


def bulk_insert(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    constants: Mapping[str, Any] | None = None,
    ready: Collection[str] = (),
) -> BulkStatement:
    """An INSERT into ``table`` of ``columns`` (per row) and ``constants`` (the same for all).

    Columns given neither way get their Python-side default, computed per row as SQLAlchemy
    would (a default may read the row's other values), so every insert path fills them alike.
    """
    constants = dict(constants or {})
    given = {*columns, *constants}
    defaults = {
        column.name: default
        for column in table.columns
        if column.name not in given and (default := _default_of(column)) is not None
    }
    names = [*columns, *constants, *defaults]
    # Parameters named like their column are reserved by insert(); "p_" keeps them apart.
    statement = insert(table).values(
        {name: bindparam(f"p_{name}", type_=table.c[name].type) for name in names}
    )

    return BulkStatement(
        connection,
        statement,
        [f"p_{name}" for name in columns],
        constants={f"p_{name}": value for name, value in constants.items()},
        ready={f"p_{name}" for name in ready},
        computed={f"p_{name}": default for name, default in defaults.items()},
        row_keys=list(columns),  # defaults read the row by column name
        copy_into=(table, {f"p_{name}": name for name in names}) if can_copy(connection) else None,
    )
