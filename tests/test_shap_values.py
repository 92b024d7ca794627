"""Per-customer drivers of a model that is not a tree: one feature order walked forward and back, all rows at once."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from report_builder.features import features_and_target
from report_builder.labels import CATEGORICAL, FEATURES, NUMERIC
from report_builder.shap_values import shap_values
from report_builder.stages.models import Family, make_pipeline

WEIGHTS = {column: 0.01 * (k + 1) for k, column in enumerate(NUMERIC)}


class AdditiveModel:
    """A «probability» that is a weighted sum of the numbers: its SHAP values are known exactly."""

    def predict_proba(self, X: pd.DataFrame) -> np.ndarray:
        score = sum(weight * X[column].to_numpy(dtype=float) for column, weight in WEIGHTS.items())
        return np.column_stack([1 - score, score])


@pytest.fixture(scope="module")
def frames(demo_data) -> tuple[pd.DataFrame, pd.DataFrame]:
    X, _ = features_and_target(demo_data)
    return X.iloc[:60], X.iloc[60:400]


def test_an_additive_model_gets_its_exact_shap_values(frames) -> None:
    rows, train = frames
    name, values, base = shap_values(AdditiveModel(), rows, train, 20, 7, exact=False)
    background = train.sample(20, random_state=7)
    expected = np.column_stack([
        WEIGHTS[c] * (rows[c].to_numpy(dtype=float) - background[c].astype(float).mean()) if c in WEIGHTS else np.zeros(len(rows))
        for c in FEATURES
    ])
    assert name == "Перестановка признаков в обе стороны"
    np.testing.assert_allclose(values, expected, atol=1e-9)
    assert base == pytest.approx(float(AdditiveModel().predict_proba(background)[:, 1].mean()))


def test_a_real_model_is_explained_additively_and_like_shaps_own_explainer(demo_data, frames) -> None:
    from sklearn.linear_model import LogisticRegression

    rows, train = frames
    _, y = features_and_target(demo_data)
    model = make_pipeline(Family("logreg", LogisticRegression(max_iter=2000), {}, ("standard",))).fit(train, y.loc[train.index])
    _, fast, base = shap_values(model, rows, train, 20, 7, exact=False)
    predicted = model.predict_proba(rows)[:, 1]
    np.testing.assert_allclose(fast.sum(axis=1), predicted - base, atol=1e-9)  # exactly additive
    # shap's PermutationExplainer under two seeds: one random order each, as noisy as ours
    _, reference, _ = shap_values(model, rows, train, 20, 7, exact=True)
    _, other, _ = shap_values(model, rows, train, 20, 8, exact=True)

    def main_drivers_agree(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.mean(np.argmax(np.abs(a), axis=1) == np.argmax(np.abs(b), axis=1)))

    assert np.corrcoef(fast.ravel(), reference.ravel())[0, 1] > 0.95
    assert main_drivers_agree(fast, reference) >= main_drivers_agree(other, reference) - 0.1
    assert np.abs(fast[:, [FEATURES.index(c) for c in CATEGORICAL]]).sum() > 0  # categories take part too


# A process explaining a model that is not a tree with shap's PermutationExplainer, numba given the folder argv[2]; it
# prints what numba did with the masking shap compiles, and where numba keeps that before: without a folder, and with
# one that cannot be made (argv[3]).
EXPLAIN = """
import json, os, sys
import shap
from shap.maskers import _tabular
from shap.utils import _masked_model
from sklearn.linear_model import LogisticRegression
from report_builder.config import Config
from report_builder.demo_data import write_demo
from report_builder.features import features_and_target
from report_builder.shap_values import _compiled_once, shap_values
from report_builder.stages.clean import clean_tables
from report_builder.stages.load import load_tables
from report_builder.stages.models import Family, make_pipeline
from report_builder.stages.validate import validate_tables

_compiled_once(shap)
without_folder = _tabular._delta_masking.stats.cache_path
os.environ["NUMBA_CACHE_DIR"] = sys.argv[3]
_compiled_once(shap)
unwritable = _tabular._delta_masking.stats.cache_path
os.environ["NUMBA_CACHE_DIR"] = sys.argv[2]
write_demo(sys.argv[1], customers=120, seed=3)
X, y = features_and_target(clean_tables(validate_tables(load_tables(sys.argv[1])), Config().cleaning))
model = make_pipeline(Family("logreg", LogisticRegression(max_iter=2000), {}, ("standard",))).fit(X, y)
name, values, base = shap_values(model, X.iloc[:5], X, 10, 7)
stats = _tabular._delta_masking.stats
averaging = _masked_model._build_fixed_single_output.stats  # takes shap's link, a numba function, as an argument
print(json.dumps({"name": name, "values": values.round(12).tolist(), "folder": stats.cache_path, "without_folder": without_folder,
                  "unwritable": unwritable, "hits": sum(stats.cache_hits.values()), "misses": sum(stats.cache_misses.values()),
                  "averaging": [sum(averaging.cache_hits.values()), sum(averaging.cache_misses.values())]}))
"""


def explained(data: Path, numba_folder: Path) -> dict:
    import json
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if key != "NUMBA_CACHE_DIR"}
    blocked = data.parent / "a-file"
    blocked.write_text("not a folder", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", EXPLAIN, str(data), str(numba_folder), str(blocked / "numba")], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.splitlines()[-1])


@pytest.mark.slow
def test_shaps_masking_is_compiled_once_where_numba_has_a_folder(tmp_path: Path) -> None:
    """The command gives numba a folder in the stage cache (NUMBA_CACHE_DIR): the first process compiles shap's masking
    and keeps it there, the next one reads it. Without a folder it can use, numba keeps nothing: never beside shap's
    files."""
    import shap

    folder = tmp_path / "numba"
    first, second = explained(tmp_path / "a", folder), explained(tmp_path / "b", folder)
    assert first["name"] == "PermutationExplainer"
    assert (first["misses"], first["hits"]) == (1, 0) and (second["misses"], second["hits"]) == (0, 1)
    # The function that averages through the link is found too: its key does not depend on the process.
    assert first["averaging"] == [0, 1] and second["averaging"] == [1, 0]
    assert Path(first["folder"]).parent == folder and any(folder.rglob("*_delta_masking*.nbc"))
    assert second["values"] == first["values"]  # the same code, read instead of compiled
    assert first["without_folder"] is None and first["unwritable"] is None
    assert not any(Path(shap.__file__).parent.rglob("*.nb[ic]"))


def test_a_shap_whose_masking_has_other_names_is_left_as_it_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys
    import types

    from report_builder import shap_values as module

    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path / "numba"))
    stand_in = types.ModuleType("stand_in_shap")
    monkeypatch.setitem(sys.modules, "stand_in_shap", stand_in)
    module._compiled_once(stand_in)  # none of its modules: nothing to keep, and no error
    tabular = types.ModuleType("stand_in_shap.maskers._tabular")
    tabular._delta_masking = lambda *args: None  # a plain function, not numba's
    monkeypatch.setitem(sys.modules, "stand_in_shap.maskers._tabular", tabular)
    module._compiled_once(stand_in)
    assert not any(key.startswith("maskers.") and folder == str(tmp_path / "numba") for key, folder in module._KEPT_IN.items())
