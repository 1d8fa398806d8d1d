"""The training record the app keeps holds the held-out figures per gender, age band, district
and school stage, small cells suppressed (k = 10), on both databases."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from analysis.training import train_and_register
from config.settings import Settings
from tests.analysis.census_waves import census_teachers, small_census, store_wave

CELL = ("n", "observed", "predicted", "tpr", "fpr")


def test_the_record_holds_held_out_figures_per_group(
    settings: Settings, db_session: Session
) -> None:
    census = small_census()
    teachers = census_teachers(db_session, census, place="分组")
    # Three teachers who answer the held-out transition (wave 2 -> 3) with no gender on the
    # roster: a group of three, which the record must not show.
    both = np.flatnonzero(census.waves[1].responded & census.waves[2].responded)[:3]
    for i in both:
        teachers[i].gender = None
    for number in (0, 1, 2):
        store_wave(db_session, census, teachers, number, released=True)

    model = train_and_register(db_session, settings.instance_path)

    for kind in ("logistic", "boosted"):
        groups = model.record["metrics"][kind]["groups"]
        assert set(groups) == {"school_level", "gender", "age_band", "district"}
        assert {"F", "M"} <= set(groups["gender"]) and len(groups["district"]) == 2
        assert groups["gender"]["unknown"] == dict.fromkeys(CELL)  # 3 < k: suppressed
        for cells in groups.values():
            for cell in cells.values():
                assert cell["n"] is None or cell["n"] >= 10
        shown = groups["gender"]["F"]
        assert shown["n"] >= 10 and 0.0 <= shown["predicted"] <= 1.0
