"""The risk policy file is checked like the instruments; local bands and change are opt-in."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from instruments import SchemaError
from scoring import DEFAULT_POLICY_PATH, PreviousWave, load_policy
from tests.support.scoring import score

DEFAULT = DEFAULT_POLICY_PATH.read_text(encoding="utf-8")

PSS10_LOCAL = """
[[band_sets]]
instrument = "pss10"
score = "total"
source = "local_policy"
citation = "Local policy: circulating 0-13/14-26/27-40 split, not Cohen's"
bands = [
  { code = "low", min = 0, max = 13, label = { zh-CN = "低", en = "Low (local policy)" } },
  { code = "moderate", min = 14, max = 26, label = { zh-CN = "中", en = "Moderate (local)" } },
  { code = "high", min = 27, max = 40, label = { zh-CN = "高", en = "High (local policy)" } },
]
"""

CBI_LOCAL = """
[[band_sets]]
instrument = "cbi"
score = "{scale}"
source = "local_policy"
citation = "Local policy: the circulating >= 50 convention, not Kristensen's"
bands = [
  {{ code = "below_50", min = 0, label = {{ zh-CN = "低于 50", en = "Below 50" }} }},
  {{ code = "50_or_more", min = 50, label = {{ zh-CN = "50 及以上", en = "50 or more" }} }},
]
"""

K10_CHANGE = """
[[reliable_change]]
instrument = "k10"
score = "total"
r = 0.80
worse = "higher"
source = "test"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return path


def first_rule_block(text: str, rule_id: str) -> str:
    start = text.index(f'id = "{rule_id}"')
    start = text.rindex("[[rules]]", 0, start)
    end = text.find("[[rules]]", start + 1)
    return text[start:end]


def test_local_bands_for_pss10_are_reported_as_band(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, DEFAULT + PSS10_LOCAL))
    assert policy.band_set("pss10", "total").source == "local_policy"  # type: ignore[union-attr]
    assert score("pss10", [0] * 10, policy)["band"] == "moderate"  # 16
    assert score("pss10", [0, 0, 0, 4, 4, 0, 4, 0, 0, 0], policy)["band"] == "low"  # 4


def test_local_bands_for_cbi_go_in_bands_by_scale(tmp_path: Path) -> None:
    text = DEFAULT + CBI_LOCAL.format(scale="personal") + CBI_LOCAL.format(scale="work")
    policy = load_policy(write(tmp_path, text))
    out = score("cbi", [50] * 6 + [25] * 6 + [100] + [0] * 6, policy)
    assert out["band"] is None
    assert out["bands"] == {"personal": "50_or_more", "work": "below_50", "students": None}


def test_reliable_change_for_k10_can_be_configured_locally(tmp_path: Path) -> None:
    rule = first_rule_block(DEFAULT, "pss10_reliable_deterioration").replace("pss10", "k10")
    policy = load_policy(write(tmp_path, DEFAULT + K10_CHANGE + rule))
    prev = {"k10": PreviousWave(np.array([12.0]), sd=5.0)}
    out = score("k10", [3] * 10, policy, prev)  # 30 vs 12 > 1.96*5*sqrt(0.4) = 6.2
    assert "reliable_deterioration" in out["flags"]
    assert "k10_reliable_deterioration" in out["reason_ids"]


def replace(old: str, new: str, count: int = 1) -> Callable[[str], str]:
    return lambda text: text.replace(old, new, count)


def drop_rule(rule_id: str) -> Callable[[str], str]:
    return lambda text: text.replace(first_rule_block(text, rule_id), "")


def append(extra: str) -> Callable[[str], str]:
    return lambda text: text + extra


K10_REASON_ZH = 'reason = { zh-CN = "K10 总分 ≥ 30（心理困扰程度非常高）。", '
BROKEN = [
    ("drop the crisis rule", drop_rule("phq9_item9_endorsed"),
     "rules", "no crisis rule covers safety flag 'item9_positive'"),
    ("crisis only from 2", replace('item = "phq9_9"\nmin = 1', 'item = "phq9_9"\nmin = 2'),
     "rules", "no crisis rule covers"),
    ("unknown instrument", replace('instrument = "gad7"', 'instrument = "gad8"'),
     "rules[2].instrument", "unknown instrument 'gad8'"),
    ("unknown score", replace('score = "percentage"', 'score = "pct"'),
     "rules[7].score", "unknown score 'pct'"),
    ("unknown item", replace('item = "phq9_9"', 'item = "phq9_10"'),
     "rules[0].item", "unknown item"),
    ("unreachable threshold", replace("min = 30", "min = 51"),
     "rules[3].min", "no attainable value"),
    ("level low", replace('level = "high"', 'level = "low"'),
     "rules[1].level", "must be one of moderate, high, crisis"),
    ("change without reliability", replace('instrument = "pss10"', 'instrument = "k10"'),
     "rules[11].flag", "no reliable-change setting"),
    ("missing reason text", replace(K10_REASON_ZH, "reason = { "),
     "rules[3].reason.zh-CN", "is required"),
    ("misspelt field", replace("max = 28", "maxx = 28"),
     "rules[7].maxx", "is not a known field"),
    ("two targets", replace('item = "phq9_9"', 'item = "phq9_9"\nscore = "total"'),
     "rules[0].score", "exactly one of score, item or flag"),
    ("duplicate rule id", replace('id = "gad7_total_15_plus"', 'id = "phq9_total_15_plus"'),
     "rules", "distinct"),
    ("local bands over author bands", append(PSS10_LOCAL.replace('"pss10"', '"phq9"')),
     "band_sets[0].score", "already has author bands"),
    ("policy bands claiming author", append(PSS10_LOCAL.replace('"local_policy"', '"author"')),
     "band_sets[0].source", "must be 'local_policy'"),
    ("local bands with a gap", append(PSS10_LOCAL.replace("min = 14, max", "min = 15, max")),
     "band_sets[0].bands[0].max", "leaves attainable score 14 out"),
    ("change over a published one", append(K10_CHANGE.replace('"k10"', '"phq9"')),
     "reliable_change[0].instrument", "already has a reliable-change setting"),
    ("not TOML", append("\n[[rules]\n"), "<file>", "is not valid TOML"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "mutate", "field", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_policy_is_rejected_naming_file_and_field(
    tmp_path: Path, case: str, mutate: Callable[[str], str], field: str, message: str
) -> None:
    path = write(tmp_path, mutate(DEFAULT))
    with pytest.raises(SchemaError, match=re.escape(message)) as err:
        load_policy(path)
    assert err.value.path == str(path)
    assert err.value.field == field
    assert str(path) in str(err.value) and field in str(err.value)
