"""Validated scales as data: one TOML file per instrument, and the loader that checks it.

Each ``instruments/<id>.toml`` holds the instrument's names, version, licence and citation,
recall period, items (zh-CN and en text, LOINC code where one exists), option sets (value and
labels), reverse keys, scores (sums, means, or multiples of another score) with their
missing-data rule, bands with their source (``author`` or ``local_policy``), item flags
(``safety = true`` marks a safety item), test–retest reliability for reliable change, published
Cronbach's alphas with their sample and source (``[[published_reliability]]``), and
``translation_status``.  :func:`load_instrument` checks one file and raises
:class:`SchemaError` naming the file and the field; :func:`load_instruments` loads them all
(:func:`instruments_by_id`: once per process).

Schema notes
------------
* Option values are the published ones; a reverse-keyed item scores ``min + max - value``.
* Missing rules: ``complete`` (not scored unless every item is answered), ``prorate``
  (sums only: up to ``max_missing`` items missing, total = round_half_up(sum × k / answered)),
  ``min_answered`` (means only: mean of the answered items when at least that many).
* A band runs from its ``min`` (inclusive) to the next band's ``min``; an optional ``max`` is
  checked so the file reads like the published table.  Bands must tile the exact set of
  attainable values of the score (:mod:`instruments.attainable`).

Adding an instrument means adding one file here and its reference tests.
"""

from instruments.loader import (
    INSTRUMENTS_DIR,
    UNVALIDATED,
    instruments_by_id,
    load_instrument,
    load_instruments,
)
from instruments.model import (
    Band,
    BandSet,
    Instrument,
    Item,
    ItemFlag,
    Missing,
    Option,
    PublishedReliability,
    ReliableChange,
    Score,
    Text,
)
from instruments.schema import SchemaError

__all__ = [
    "INSTRUMENTS_DIR",
    "UNVALIDATED",
    "Band",
    "BandSet",
    "Instrument",
    "Item",
    "ItemFlag",
    "Missing",
    "Option",
    "PublishedReliability",
    "ReliableChange",
    "SchemaError",
    "Score",
    "Text",
    "instruments_by_id",
    "load_instrument",
    "load_instruments",
]
