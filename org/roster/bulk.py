"""Bulk insert through the driver's ``executemany``, converting only the values that need it.

SQLAlchemy's Core ``executemany`` runs every column's bind processor for every row; for a
150,000-teacher roster that costs more than the database's own work. Binary columns (most of a
teacher row is ciphertext) need no conversion on either driver, and values shared by every row
(timestamps, flags) are converted once, with SQLAlchemy's own processors; the statement
SQLAlchemy compiled is sent to the driver as it is.
"""

from __future__ import annotations

import contextlib
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import LargeBinary, Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session


def bulk_insert(
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
