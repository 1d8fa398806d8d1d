"""Insert many rows once per unique key, in one statement per table, on both databases.

PostgreSQL gets one ``INSERT ... SELECT unnest(array), ... ON CONFLICT DO NOTHING RETURNING``: the
rows travel as one array per column, so the statement text stays short and is compiled once (a
VALUES list of ten thousand rows costs more to build and parse than to insert). SQLite gets the
same insert with a list of parameters, which SQLAlchemy packs into multi-row statements.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session


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
    columns = [
        func.unnest(
            bindparam(
                f"bulk_{name}",
                [row[name] for row in rows],
                type_=postgresql.ARRAY(table.c[name].type),
            )
        )
        for name in names
    ]
    pg = postgresql.insert(table).from_select(names, select(*columns))
    stmt = pg.on_conflict_do_nothing(index_elements=list(unique)).returning(*out)
    return list(session.execute(stmt).all())
