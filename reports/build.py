"""Assemble a release document from one wave's microdata (pure: arrays in, strings out)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from reports.dimensions import Dimension
from reports.disclosure import protect
from reports.groups import shown_groups
from reports.render import cell_text
from reports.scales import LOCAL_POLICY, Scale
from reports.tables import (
    CITY,
    NOT_SCORED,
    Table,
    count_texts,
    crosstab,
    mean_texts,
    protect_band_table,
    protect_city_row,
    share_texts,
)

PARTICIPATION = ["未同意 Not consented", "同意未完成 Consented, not completed", "完成 Completed"]


@dataclass(frozen=True)
class Microdata:
    """One wave's respondents (group codes, scores) and invitations, already decrypted."""

    dimensions: tuple[Dimension, ...]
    codes: dict[str, NDArray[np.int64]]
    scores: dict[str, NDArray[np.float64]]
    # Invitations by district and by level: invited, consented (incl. completed).
    invited: dict[str, NDArray[np.int64]]
    consented: dict[str, NDArray[np.int64]]
    # Each respondent's risk level as ``reports.risk.LEVELS`` indexes it (the last: not assessed);
    # None where the caller has none to give.
    levels: NDArray[np.int64] | None = None
    # Whether each respondent's answers were flagged by the quality assessment; None when the
    # wave has no assessment at all.
    flagged: NDArray[np.bool_] | None = None


def _participation(data: Microdata, dim: Dimension, shown: NDArray[np.bool_], k: int) -> Table:
    groups = len(dim.labels)
    done = np.bincount(data.codes[dim.id], minlength=groups)
    consented = np.maximum(data.consented[dim.id], done)
    invited = np.maximum(data.invited[dim.id], consented)
    body = np.stack([invited - consented, consented - done, done], axis=1)
    full = np.zeros((groups + 1, 4), dtype=np.int64)
    full[:-1, :-1], full[:-1, -1] = body, body.sum(axis=1)
    full[-1] = full[:-1].sum(axis=0)
    frozen = np.zeros(full.shape, bool)
    forced = np.zeros(full.shape, bool)
    frozen[:-1, 2], forced[:-1, 2] = shown, ~shown
    frozen[-1, 2] = True
    result = protect(full, k, frozen=frozen, forced=forced)
    texts = count_texts(full, result, k)
    labels = [*dim.labels, CITY]
    rows = [[labels[r], *texts[r]] for r in range(len(labels))]
    return Table(f"参与 Participation · {dim.title}", ["", *PARTICIPATION, "受邀 Invited"], rows)


def _band_table(
    data: Microdata, dim: Dimension, scale: Scale, shown: NDArray[np.bool_], k: int
) -> Table:
    values = data.scores[scale.key]
    bands = scale.band_index(values)
    labels = list(scale.labels)
    if np.isnan(values).any():
        labels.append(NOT_SCORED)
    full = crosstab(data.codes[dim.id], bands, len(dim.labels), len(labels))
    city = protect_city_row(full[-1], k)
    result = protect_band_table(full, shown, city, k)
    counts, shares = count_texts(full, result, k), share_texts(full, result)
    means = mean_texts(data.codes[dim.id], values, result, len(dim.labels))
    names = [*dim.labels, CITY]
    rows = []
    for r, name in enumerate(names):
        paired = [x for c in range(len(labels)) for x in (counts[r][c], shares[r][c])]
        rows.append([name, counts[r][-1], *paired, means[r]])
    columns = ["", "n", *[x for b in labels for x in (b, f"{b} %")], "均值 Mean"]
    note = LOCAL_POLICY if scale.local_policy else ""
    return Table(f"{scale.title} · {dim.title}", columns, rows, note, "bands",
                 {"scale": scale.key, "dimension": dim.id})  # fmt: skip


def shown_of(data: Microdata, k: int) -> dict[str, NDArray[np.bool_]]:
    """The groups each dimension shows (``reports.groups``): the same in every table."""
    dimensions = [d for d in data.dimensions if d.labels]
    sizes = {d.id: len(d.labels) for d in dimensions}
    return shown_groups({d.id: data.codes[d.id] for d in dimensions}, sizes, k)


def build_tables(
    data: Microdata, k: int, shown: dict[str, NDArray[np.bool_]] | None = None
) -> list[Table]:
    """Every participation and band table of the release, protected, in reading order."""
    # A dimension without groups (no school on the roster at all) has no table to show.
    dimensions = [d for d in data.dimensions if d.labels]
    shown = shown_of(data, k) if shown is None else shown
    tables = [_participation(data, d, shown[d.id], k) for d in dimensions if d.id in data.invited]
    for scale in scales_present(data):
        tables += [_band_table(data, d, scale, shown[d.id], k) for d in dimensions]
    return tables


def scales_present(data: Microdata) -> list[Scale]:
    """The scales this wave's battery scored."""
    from reports.scales import report_scales

    return [s for s in report_scales() if s.key in data.scores]


def city_count_text(n: int, k: int) -> str:
    """The number of respondents as published."""
    return cell_text(n, n < k, n < k, k)
