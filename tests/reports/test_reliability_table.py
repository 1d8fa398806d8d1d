"""The release's reliability table: alpha by hand, the published alpha beside it, and its flags."""

from __future__ import annotations

import numpy as np
import pytest

from reports.reliability import answers_matrix, flags, reliability_table

K = 10


def _gad7(n: int, noise: float, seed: int = 3) -> np.ndarray:
    """GAD-7 answers (0-3) of ``n`` teachers: one common factor plus item noise."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=(n, 1))
    return np.clip(np.rint(1.5 + latent + noise * rng.normal(size=(n, 7))), 0, 3)


def _alpha_by_hand(items: np.ndarray) -> float:
    # Cronbach 1951: k/(k-1) * (1 - sum of item variances / variance of the total).
    k = items.shape[1]
    return float(k / (k - 1)) * float(
        1 - items.var(axis=0, ddof=1).sum() / items.sum(axis=1).var(ddof=1)
    )


def test_the_row_gives_alpha_as_by_hand_and_the_published_alpha_with_its_source() -> None:
    answers = _gad7(200, 0.8)
    out = reliability_table(["gad7"], answers, 200, K, None, draws=20)
    (row,) = out["table"]["rows"]
    assert row[0] == "GAD-7 总分 Total score" and row[1] == "200"
    assert row[2].startswith(f"{_alpha_by_hand(answers):.2f} (")
    assert row[4] == "α = 0.92"  # Spitzer 2006, pinned in gad7.toml
    assert "Arch Intern Med. 2006;166(10):1092-1097" in out["table"]["note"]
    assert out["alphas"]["gad7.total"] == pytest.approx(_alpha_by_hand(answers))


def test_a_low_alpha_and_a_fall_since_the_last_release_are_flagged() -> None:
    noisy = _gad7(200, 4.0)
    alpha = _alpha_by_hand(noisy)
    assert alpha < 0.70
    out = reliability_table(["gad7"], noisy, 200, K, ("W1", {"gad7.total": alpha + 0.06}),
                            draws=20)  # fmt: skip
    flag = out["table"]["rows"][0][5]
    assert "α < 0.70" in flag and "Fell 0.06 since W1" in flag


@pytest.mark.parametrize(
    ("alpha", "before", "expected"),
    [(0.85, 0.91, ["较 W1 下降 0.06 Fell 0.06 since W1"]), (0.85, 0.90, []),
     (0.69, None, ["α < 0.70"]), (0.70, None, []), (None, 0.9, [])],
)  # fmt: skip
def test_flags(alpha: float | None, before: float | None, expected: list[str]) -> None:
    assert flags(alpha, before, "W1") == expected


def test_n_never_tells_how_few_left_a_scale_incomplete() -> None:
    answers = _gad7(200, 0.8)
    few = answers.copy()
    few[:3, 0] = np.nan  # 3 incomplete (< k): n = 197 would tell
    assert reliability_table(["gad7"], few, 200, K, None, draws=5)["table"]["rows"][0][1] == "> 190"
    many = answers.copy()
    many[:12, 0] = np.nan
    assert reliability_table(["gad7"], many, 200, K, None, draws=5)["table"]["rows"][0][1] == "188"


def test_a_scale_of_too_few_teachers_has_no_figure() -> None:
    out = reliability_table(["gad7"], _gad7(8, 0.8), 8, K, None, draws=5)
    assert out["table"]["rows"][0][1:4] == ["< 10", "—", "—"]
    assert out["alphas"] == {}


def test_answers_are_laid_out_in_battery_order_with_gaps_as_nan() -> None:
    matrix = answers_matrix(["who5", "gad7"], [{"gad7_1": 2, "who5_5": 4, "stray": 1}, {}])
    assert matrix.shape == (2, 12)
    assert matrix[0, 4] == 4 and matrix[0, 5] == 2
    assert np.isnan(matrix[1]).all() and np.isnan(matrix[0, :4]).all()
