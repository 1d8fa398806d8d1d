"""The second reader's governance documents keep up with the issue they answer: the model card
names every figure the benchmark prints and every rule of the "never" list, the TRIPOD+AI
checklist answers every item of the statement, and their links lead somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODELS = ROOT / "docs" / "models"
CARD = MODELS / "next-wave-risk.md"
PLAIN = MODELS / "for-analysts-and-supervisors.md"
TRIPOD = MODELS / "tripod-ai.md"
PIA = ROOT / "docs" / "privacy" / "impact-assessment.md"
DECISIONS = (
    ROOT / "docs" / "decisions" / "0010-second-reader.md",
    ROOT / "docs" / "decisions" / "0011-response-quality.md",
)
GOVERNANCE = (CARD, PLAIN, TRIPOD, PIA, *DECISIONS)

# The figures of the JSON line `python -m benchmarks analysis` prints (benchmarks/analysis.py):
# the eight issue 17 asks for ("Benchmark"), then the model's own.
BENCHMARK_KEYS = (
    "quality_seconds",
    "reliability_seconds",
    "train_seconds",
    "predict_rows_per_s",
    "auroc",
    "oracle_auroc",
    "calibration_slope",
    "brier",
    "calibration_intercept",
    "chosen",
    "boosted_auroc",
    "train_rows",
    "predict_rows",
    "quality_cpu_seconds",
    "reliability_cpu_seconds",
    "train_cpu_seconds",
    "predict_cpu_rows_per_s",
)
# The keys of ``scoring.risk_model.evaluate_predictions``'s result (scoring/risk_model/evaluate.py),
# which the training record and every evaluation on the card page show as they are.
EVALUATION_KEYS = (
    "n",
    "events",
    "auroc",
    "brier",
    "calibration_slope",
    "calibration_intercept",
    "net_benefit",
    "model",
    "rules_only",
    "contact_all",
    "threshold",
    "groups",
    "observed",
    "predicted",
    "tpr",
    "fpr",
)
# Issue 17 §3: the evaluation printed and kept with the model, and the groups it is cut by.
EVALUATION = (
    "auroc",
    "brier",
    "calibration slope",
    "calibration intercept",
    "net benefit",
    "rules only",
    "contact all",
    "5–20 %",
)
GROUPS = ("gender", "age band", "district", "school level")
# Issue 17 (the rules already decided) and the brief's list for the card.
NEVER = (
    "never lowers a level",
    "never delays routing",
    "never touches phq-9 item 9",
    "never acts alone",
    "a person decides",
    "not a diagnosis",
)
# Collins et al. 2024, BMJ 385:e078378, table 1: the 27 items, and the lettered parts of some.
TRIPOD_PARTS = {3: "abc", 5: "ab", 6: "abc", 8: "abc", 9: "abc", 12: "abcdefg", 18: "abcdef",
                20: "abc", 23: "ab", 27: "abc"}  # fmt: skip
TRIPOD_ITEMS = [f"{n}{part}" for n in range(1, 28) for part in (TRIPOD_PARTS.get(n) or [""])]


def plain_text(path: Path) -> str:
    """The document lower-cased, without emphasis or code marks, whitespace collapsed."""
    text = re.sub(r"[*`]", "", path.read_text(encoding="utf-8"))
    return re.sub(r"\s+", " ", text).lower()


def tripod_rows() -> dict[str, str]:
    """Item id -> the "where it is answered" cell, from the checklist's tables."""
    rows: dict[str, str] = {}
    for line in TRIPOD.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 3 and re.fullmatch(r"\d+[a-g]?", cells[0]):
            assert cells[0] not in rows, f"item {cells[0]} listed twice"
            rows[cells[0]] = cells[2]
    return rows


@pytest.mark.parametrize("key", BENCHMARK_KEYS)
def test_the_card_names_every_figure_the_benchmark_prints(key: str) -> None:
    assert f"`{key}`" in CARD.read_text(encoding="utf-8")


@pytest.mark.parametrize("key", EVALUATION_KEYS)
def test_the_card_explains_every_key_of_an_evaluation(key: str) -> None:
    assert f"`{key}`" in CARD.read_text(encoding="utf-8")


@pytest.mark.parametrize("metric", EVALUATION + GROUPS)
def test_the_card_names_every_metric_and_group_of_the_evaluation(metric: str) -> None:
    assert metric in plain_text(CARD)


@pytest.mark.parametrize("rule", NEVER)
@pytest.mark.parametrize("path", (CARD, PLAIN, DECISIONS[0]), ids=lambda p: p.name)
def test_every_never_rule_is_stated(path: Path, rule: str) -> None:
    assert rule in plain_text(path)


def test_the_quality_decision_states_the_never_rules_too() -> None:
    text = plain_text(DECISIONS[1])
    assert all(rule in text for rule in NEVER[:4])


def test_the_card_has_every_section_of_a_model_card() -> None:
    # Mitchell et al. 2019, FAT* '19, doi:10.1145/3287560.3287596, section 4.
    headings = re.findall(r"^## (.+)$", CARD.read_text(encoding="utf-8"), flags=re.MULTILINE)
    for section in (
        "Model details",
        "Intended use",
        "Factors",
        "Metrics",
        "Evaluation data",
        "Training data",
        "Quantitative analyses",
        "Ethical considerations",
        "Caveats and recommendations",
    ):
        assert section in headings


def test_the_tripod_checklist_answers_every_item_once_in_order() -> None:
    rows = tripod_rows()
    assert list(rows) == TRIPOD_ITEMS
    assert {int(item.rstrip("abcdefg")) for item in rows} == set(range(1, 28))


@pytest.mark.parametrize("item", TRIPOD_ITEMS)
def test_each_tripod_answer_says_where_or_why_not(item: str) -> None:
    answer = tripod_rows()[item]
    if answer.lower().startswith(("not applicable", "not yet", "not registered")):
        # "Not applicable." alone is no answer: the reason follows.
        assert len(answer.split(":", 1)[-1].split()) >= 4, answer
    else:
        assert len(answer.split()) >= 4, answer


def test_the_impact_assessment_answers_articles_24_55_and_56() -> None:
    text = plain_text(PIA)
    for words in (
        "art. 24",
        "art. 55",
        "art. 56",
        "opt-out",
        "shadow mode",
        "two-person switch",
        "at least three years",
    ):
        assert words in text


@pytest.mark.parametrize("path", GOVERNANCE, ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(path: Path) -> None:
    links = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", path.read_text(encoding="utf-8"))
    missing = [
        link for link in links if "://" not in link and not (path.parent / link).resolve().exists()
    ]
    assert missing == []
