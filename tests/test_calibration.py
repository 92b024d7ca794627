"""The calibrator as plain numbers (`calibration.Calibrator`): the history keeps them, so they must map a score exactly
as the scikit-learn model they were read from."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from report_builder.calibration import Calibrator, fit_calibrator


def _scores() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    score = rng.normal(size=400)
    y = (score + rng.normal(size=400) > 0.3).astype(int)
    later = np.concatenate([rng.normal(scale=3, size=500), [score.min() - 5, score.max() + 5]])  # beyond both ends too
    return score, y, later


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_a_calibrator_kept_as_numbers_maps_as_the_fitted_model(method: str) -> None:
    score, y, later = _scores()
    if method == "sigmoid":
        expected = LogisticRegression(C=1e6).fit(score.reshape(-1, 1), y).predict_proba(later.reshape(-1, 1))[:, 1]
    else:
        expected = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(score, y).predict(later)
    calibrator = fit_calibrator(score, y, method)  # type: ignore[arg-type]
    kept = Calibrator(calibrator.method, tuple(json.loads(json.dumps(calibrator.numbers))))  # as the history keeps it
    assert np.array_equal(kept(later), expected)
    # sigmoid: slope and intercept; isotonic: the knots' scores, then their probabilities
    assert len(calibrator.numbers) == 2 if method == "sigmoid" else len(calibrator.numbers) % 2 == 0 and len(calibrator.numbers) >= 4
    assert np.all(np.diff(kept(np.sort(later))) >= 0)  # a higher score never maps to a lower probability


def test_no_calibrator_passes_the_probability_through() -> None:
    score, y, _ = _scores()
    calibrator = fit_calibrator(score, y, "none")
    assert calibrator.numbers == () and np.array_equal(calibrator(score), score)
