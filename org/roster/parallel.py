"""Spreading the sealing of a large import over the machine's cores.

Sealing nine fields per teacher is most of a big import's work and needs nothing but the key
ring, so chunks are sealed in forked worker processes (which inherit the installed ring: no key
travels through a pipe) while the parent writes the chunks already sealed. Small imports, and
platforms without ``fork``, seal in the calling process.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_MIN_ITEMS = 20_000


def chunks(items: list[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of at most ``size`` items."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def map_chunks(work: Callable[[list[T]], R], items: list[T], size: int) -> Iterator[R]:
    """``work(chunk)`` for each chunk, in order; in worker processes when it is worth it."""
    workers = min(os.cpu_count() or 1, 4)
    if (
        len(items) < PARALLEL_MIN_ITEMS
        or workers < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield from map(work, chunks(items, size))
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(processes=workers) as pool:
        yield from pool.imap(work, chunks(items, size))
