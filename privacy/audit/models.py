"""The audit tables: append-only, hash-chained ``audit_entries``, and ``audit_head`` (the lock).

The database refuses UPDATE and DELETE on ``audit_entries`` (triggers, migration 0002); the chain
of HMACs makes any change that gets past them visible to ``verify_chain``. ``audit_head`` holds
one row whose ``seq`` only ever moves forward by one: every append updates it first, so two
writers queue on that row instead of both reading the same last entry and forking the chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db import Base, UTCDateTime

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets 64 bits for a long log.
BigId = BigInteger().with_variant(Integer(), "sqlite")

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    """One audited event; ``hash`` is the HMAC over its canonical encoding and ``prev_hash``."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    time: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(40), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(40), index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row (id 1) whose ``seq`` is the last sequence number handed out."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
