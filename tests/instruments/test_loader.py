"""The loader rejects broken instrument files with a message naming the file and the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from instruments import INSTRUMENTS_DIR, SchemaError, load_instrument, load_instruments

PHQ9 = (INSTRUMENTS_DIR / "phq9.toml").read_text(encoding="utf-8")
CBI = (INSTRUMENTS_DIR / "cbi.toml").read_text(encoding="utf-8")
PSS10 = (INSTRUMENTS_DIR / "pss10.toml").read_text(encoding="utf-8")
WHO5 = (INSTRUMENTS_DIR / "who5.toml").read_text(encoding="utf-8")


def sub(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    def apply(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, count)

    return apply


BROKEN = [
    ("missing licence", "phq9", sub('licence = "Developed', 'licensee = "Developed'),
     "licence", "is required"),
    ("unknown field", "phq9", sub('short_name = "PHQ-9"', 'short_name = "PHQ-9"\ncolour = "red"'),
     "colour", "is not a known field"),
    ("id not the file name", "phq9", sub('id = "phq9"', 'id = "phq8"'), "id", "must match"),
    ("missing zh-CN text", "phq9", sub('zh-CN = "感到心情低落、沮丧或绝望"\n', ""),
     "items[1].zh-CN", "is required"),
    ("empty english text", "phq9", sub('en = "Poor appetite or overeating"', 'en = "  "'),
     "items[4].en", "must not be empty"),
    ("reverse not boolean", "pss10", sub("reverse = true", 'reverse = "yes"'),
     "items[3].reverse", "must be true or false"),
    ("duplicate item id", "phq9", sub('id = "phq9_2"', 'id = "phq9_1"'),
     "items[1]", "duplicate id 'phq9_1'"),
    ("unknown option set", "phq9", sub('options = "frequency"', 'options = "freq"'),
     "items[0].options", "unknown option set 'freq'"),
    ("duplicate option value", "phq9", sub("{ value = 3,", "{ value = 2,"),
     "option_sets[0].options", "must be distinct"),
    ("option value a string", "phq9", sub("{ value = 3,", '{ value = "3",'),
     "option_sets[0].options[3].value", "must be a number, not str"),
    ("option value a boolean", "phq9", sub("{ value = 1,", "{ value = true,"),
     "option_sets[0].options[1].value", "not a boolean"),
    ("score of an unknown item", "cbi", sub('"cbi_w7"]', '"cbi_w8"]'),
     "scores[1].items", "unknown item 'cbi_w8'"),
    ("proration of a mean", "cbi",
     sub('rule = "min_answered", min_answered = 4', 'rule = "prorate", max_missing = 1'),
     "scores[1].missing.rule", "proration applies to sums"),
    ("min answered above items", "cbi", sub("min_answered = 4", "min_answered = 8"),
     "scores[1].missing.rule", "cannot be met"),
    ("band gap", "phq9", sub("min = 5, max = 9", "min = 6, max = 9"),
     "band_sets[0].bands[0].max", "leaves attainable score 5 out"),
    ("band overlap", "phq9", sub('min = 10, max = 14', 'min = 9, max = 14'),
     "band_sets[0].bands[1].max", "overlaps the next band (min 9)"),
    ("bands out of order", "phq9", sub("min = 15, max = 19", "min = 8, max = 19"),
     "band_sets[0].bands[2].min", "ascending order"),
    ("top band short", "phq9", sub("min = 20, max = 27", "min = 20, max = 26"),
     "band_sets[0].bands[4].max", "leaves attainable score 27 out"),
    ("lowest score outside bands", "phq9", sub("min = 0, max = 4", "min = 1, max = 4"),
     "band_sets[0].bands[0].min", "leaves the lowest score 0 out"),
    ("band of an unknown score", "phq9", sub('score = "total"\nsource', 'score = "sum"\nsource'),
     "band_sets[0].score", "unknown score 'sum'"),
    ("duplicate band code", "phq9", sub('code = "mild"', 'code = "minimal"'),
     "band_sets[0].bands", "distinct"),
    ("band source invented", "phq9", sub('source = "author"', 'source = "folklore"'),
     "band_sets[0].source", "must be one of author, local_policy"),
    ("reliability out of range", "phq9", sub("r = 0.86", "r = 1.2"),
     "reliable_change.r", "strictly between 0 and 1"),
    ("reliability direction", "phq9", sub('worse = "higher"', 'worse = "up"'),
     "reliable_change.worse", "must be one of higher, lower"),
    ("normative SD not positive", "phq9", sub("normative_sd = 3.5", "normative_sd = 0"),
     "reliable_change.normative_sd", "must be greater than 0"),
    ("normative SD without a source", "phq9", sub("\nnormative_sd_source =", "\n# ="),
     "reliable_change.normative_sd_source", "is required"),
    ("normative source without an SD", "phq9", sub("\nnormative_sd =", "\n# ="),
     "reliable_change.normative_sd_source", "given without normative_sd"),
    ("flag without bounds", "phq9", sub("items = [\"phq9_9\"]\nmin = 1", "items = [\"phq9_9\"]"),
     "item_flags[0].min", "needs min, max or both"),
    ("derived from unknown score", "who5", sub('derived_from = "raw"', 'derived_from = "rawx"'),
     "scores[1].derived_from", "must name a non-derived score, not 'rawx'"),
    ("not TOML", "phq9", lambda t: t + "\n[[items]\n", "<file>", "is not valid TOML"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("case", "iid", "mutate", "field", "message"), BROKEN, ids=[b[0] for b in BROKEN]
)
def test_broken_instrument_file_is_rejected_naming_file_and_field(
    tmp_path: Path, case: str, iid: str, mutate: Callable[[str], str], field: str, message: str
) -> None:
    text = {"phq9": PHQ9, "cbi": CBI, "pss10": PSS10, "who5": WHO5}[iid]
    path = tmp_path / f"{iid}.toml"
    path.write_text(mutate(text), encoding="utf-8")
    with pytest.raises(SchemaError, match=re.escape(message)) as err:
        load_instrument(path)
    assert (err.value.path, err.value.field) == (str(path), field)
    assert str(err.value).startswith(f"{path}: field '{field}': ")


def test_schema_error_is_a_value_error() -> None:
    assert issubclass(SchemaError, ValueError)


def test_missing_file_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="cannot be read"):
        load_instrument(tmp_path / "gad7.toml")


def test_adding_an_instrument_is_adding_one_file(tmp_path: Path) -> None:
    (tmp_path / "phq9.toml").write_text(PHQ9, encoding="utf-8")
    phq2 = PHQ9.replace('id = "phq9"', 'id = "phq2"')
    (tmp_path / "phq2.toml").write_text(phq2, encoding="utf-8")
    assert sorted(load_instruments(tmp_path)) == ["phq2", "phq9"]
