"""Bulk inserts, on both databases, in as few statements as each driver allows.

``insert_new`` inserts rows once per unique key and returns what it inserted. PostgreSQL gets one
``INSERT ... SELECT unnest(array), ... ON CONFLICT DO NOTHING RETURNING``: the rows travel as one
array per column (a column with the same value in every row as one parameter), so the statement
text stays short and is compiled once (a VALUES list of ten thousand rows costs more to build and
parse than to insert). SQLite gets the same insert with a list of parameters, which SQLAlchemy
packs into multi-row statements.

``insert_rows`` inserts plain rows through the driver's ``executemany``, converting only the
values that need it. SQLAlchemy's Core ``executemany`` runs every column's bind processor for every
row; for a 150,000-teacher roster that costs more than the database's own work. Binary columns
(most of a teacher row is ciphertext) need no conversion on either driver, and values shared by
every row (timestamps, flags) are converted once, with SQLAlchemy's own processors; the statement
SQLAlchemy compiled is sent to the driver as it is.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import psycopg
from psycopg.types.array import ListBinaryDumper
from sqlalchemy import (
    Dialect,
    LargeBinary,
    Row,
    Table,
    TypeDecorator,
    bindparam,
    cast,
    func,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


class BinaryList(list[Any]):
    """A list psycopg sends as a binary array: dumping it is about ten times cheaper than text
    (no per-element quoting), which matters at thousands of rows per statement."""


# Only this subclass: every other list keeps psycopg's default (text) array format.
psycopg.adapters.register_dumper(BinaryList, ListBinaryDumper)


class BinaryArray(TypeDecorator[list[Any]]):
    """An ARRAY whose bound value, once converted element by element, travels as binary.

    A decorator, because the dialect swaps a plain ARRAY subclass for its own ARRAY type.
    """

    impl = postgresql.ARRAY
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Any:
        """The ARRAY's own conversion, then the binary wrapper."""
        inner = super().bind_processor(dialect)

        def process(value: Any) -> Any:
            out = inner(value) if inner else value
            return None if out is None else BinaryList(out)

        return process


def insert_new(
    session: Session,
    table: Table,
    rows: Sequence[dict[str, Any]],
    unique: Sequence[str],
    returning: Sequence[str],
) -> list[Row[Any]]:
    """Insert ``rows`` (all with the same keys), skip those whose ``unique`` key is taken.

    Returns the ``returning`` columns of the rows this statement inserted, and of no others.
    """
    if not rows:
        return []
    out = [table.c[name] for name in returning]
    if session.get_bind().dialect.name != "postgresql":
        lite = sqlite.insert(table).on_conflict_do_nothing(index_elements=list(unique))
        return list(session.execute(lite.returning(*out), list(rows)).all())
    names = list(rows[0])
    columns = [_column(table, name, [row[name] for row in rows]) for name in names]
    pg = postgresql.insert(table).from_select(names, select(*columns))
    stmt = pg.on_conflict_do_nothing(index_elements=list(unique)).returning(*out)
    return list(session.execute(stmt).all())


def _column(table: Table, name: str, values: list[Any]) -> Any:
    """One column's values: one cast parameter when every row has the same, else an array."""
    first = values[0]
    kind = table.c[name].type
    if all(value is first or value == first for value in values):
        # A constant (a batch's timestamp, a kind, NULL) travels once instead of once a row.
        return cast(bindparam(f"bulk_{name}", first, type_=kind), kind)
    return func.unnest(bindparam(f"bulk_{name}", values, type_=BinaryArray(kind)))


def insert_rows(
    session: Session,
    table: Table,
    keys: Sequence[str],
    rows: Sequence[Sequence[Any]],
    constants: Mapping[str, Any],
) -> None:
    """Insert ``rows`` (values in ``keys`` order) plus ``constants`` in one ``executemany``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=[*keys, *constants])
    fixed = tuple(_convert(_processor(table, k, dialect), v) for k, v in constants.items())
    processors = [(i, p) for i, k in enumerate(keys) if (p := _processor(table, k, dialect))]
    converted: list[list[Any]] = [list(row) for row in rows]
    for row in converted:
        row.extend(fixed)
        for i, processor in processors:
            row[i] = _convert(processor, row[i])
    names = [*keys, *constants]
    if compiled.positional:
        pick = operator.itemgetter(*(names.index(n) for n in compiled.positiontup or ()))
        params: list[Any] = [pick(row) for row in converted]
    else:
        params = [dict(zip(names, row, strict=True)) for row in converted]
    connection.exec_driver_sql(compiled.string, params)


def _processor(table: Table, key: str, dialect: Dialect) -> Callable[[Any], Any] | None:
    column_type = table.c[key].type
    if isinstance(column_type, LargeBinary):
        return None  # bytes go to sqlite3 and psycopg as they are
    return column_type.dialect_impl(dialect).bind_processor(dialect)


def _convert(processor: Callable[[Any], Any] | None, value: Any) -> Any:
    return value if processor is None or value is None else processor(value)


@contextlib.contextmanager
def roomy_cache(session: Session, kib: int = 131072) -> Iterator[None]:
    """On SQLite, a large page cache for the duration of a bulk write, then the old size again.

    Four indexes on random keys (ids, HMACs) touch pages all over the file; with SQLite's default
    2 MiB cache they are evicted and re-read for every chunk.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    old = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(old or -2000)}")
