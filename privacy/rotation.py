"""Key rotation: re-seal every sealed cell under the active data key, batch by batch.

Each batch commits on its own, and a cell already under the active key is skipped, so a rotation
killed at any moment is finished by running it again; until then old keys stay in the ring and
every cell still opens.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

from privacy.keys import KeyRing, KeyRingError
from privacy.sealing import SealError, binding, open_sealed, seal, sealed_header
from privacy.vault import SealedField


@dataclass(frozen=True)
class SealedTable:
    """A table and the names of its sealed columns."""

    table: Table
    columns: tuple[str, ...]


def sealed_tables(base: type[DeclarativeBase]) -> list[SealedTable]:
    """Every mapped table with sealed fields, found from the models' descriptors."""
    found = []
    for mapper in base.registry.mappers:
        cls = mapper.class_
        names = tuple(name for name in dir(cls) if isinstance(cls.__dict__.get(name), SealedField))
        if names and isinstance(mapper.local_table, Table):
            found.append(SealedTable(mapper.local_table, names))
    return sorted(found, key=lambda t: t.table.name)


def key_usage(engine: Engine, tables: list[SealedTable]) -> Counter[int]:
    """How many sealed cells each data key id seals."""
    usage: Counter[int] = Counter()
    for batch in _batches(engine, tables, 5000):
        for _table, _row_id, cells in batch:
            usage.update(sealed_header(value)[2] for value in cells.values())
    return usage


@dataclass(frozen=True)
class CellCheck:
    """How many sealed cells a key ring opens, and how many it does not."""

    opened: int
    failed: int


def check_cells(engine: Engine, ring: KeyRing, tables: list[SealedTable]) -> CellCheck:
    """Try to open every sealed cell with ``ring`` (after a restore: is this the right ring?)."""
    opened = failed = 0
    for batch in _batches(engine, tables, 5000):
        for table, row_id, cells in batch:
            for column, value in cells.items():
                try:
                    open_sealed(ring, value, binding(table.name, column, row_id))
                except (SealError, KeyRingError):
                    failed += 1
                else:
                    opened += 1
    return CellCheck(opened, failed)


def reseal_all(
    engine: Engine,
    ring: KeyRing,
    tables: list[SealedTable],
    batch_size: int,
    max_batches: int | None = None,
) -> int:
    """Re-seal cells not under the active key; returns how many rows changed.

    With ``max_batches`` it stops after that many committed batches, so an operator can rotate a
    large database in slices (and a test can stop it at a known point); a rerun goes on from there.
    """
    changed = 0
    for done, batch in enumerate(_batches(engine, tables, batch_size)):
        if max_batches is not None and done >= max_batches:
            break
        updates = []
        for table, row_id, cells in batch:
            stale = {c: v for c, v in cells.items() if sealed_header(v)[2] != ring.active_id}
            if stale:
                updates.append((table, row_id, _reseal(ring, table.name, row_id, stale)))
        with engine.begin() as connection:
            for table, row_id, fresh in updates:
                connection.execute(update(table).where(table.c.id == row_id).values(**fresh))
        changed += len(updates)
    return changed


def _reseal(ring: KeyRing, table: str, row_id: object, cells: dict[str, bytes]) -> dict[str, bytes]:
    fresh = {}
    for column, value in cells.items():
        where = binding(table, column, row_id)
        fresh[column] = seal(ring, open_sealed(ring, value, where), where)
    return fresh


Row = tuple[Table, object, dict[str, bytes]]


def _batches(engine: Engine, tables: list[SealedTable], size: int) -> Iterator[list[Row]]:
    """Rows in id order, ``size`` at a time, each with its non-null sealed cells."""
    for sealed in tables:
        table, last = sealed.table, None
        columns = [table.c[name] for name in sealed.columns]
        while True:
            query = select(table.c.id, *columns).order_by(table.c.id).limit(size)
            if last is not None:
                query = query.where(table.c.id > last)
            with engine.connect() as connection:
                rows = connection.execute(query).all()
            if not rows:
                break
            last = rows[-1][0]
            yield [
                (
                    table,
                    row[0],
                    {n: bytes(v) for n, v in zip(sealed.columns, row[1:], strict=True) if v},
                )
                for row in rows
            ]
