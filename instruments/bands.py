"""Read a band set (from an instrument file or a local policy) and check it tiles the score."""

from __future__ import annotations

from instruments.attainable import attainable, check_bands
from instruments.model import Band, BandSet, Instrument
from instruments.schema import Table


def read_band_set(t: Table, instrument: Instrument) -> BandSet:
    """Read one ``band_sets`` entry for ``instrument`` and check it against attainable scores."""
    score = t.string("score")
    if score not in {s.id for s in instrument.scores}:
        raise t.error("score", f"unknown score {score!r} of {instrument.id}")
    source = t.choice("source", ("author", "local_policy"))
    bands = []
    for row in t.tables("bands"):
        bands.append(
            Band(
                code=row.string("code"),
                label=row.text("label"),
                min=row.number("min"),
                max=row.opt_number("max"),
            )
        )
        row.done()
    codes = [b.code for b in bands]
    if len(set(codes)) != len(codes):
        raise t.error("bands", "band codes must be distinct")
    band_set = BandSet(score, source, t.string("citation"), tuple(bands))  # type: ignore[arg-type]
    check_bands(band_set, attainable(instrument, score), t.path, t.where)
    t.done()
    return band_set
