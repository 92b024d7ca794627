"""SHAP values of a fitted classifier on the original features, with the explainer that fits it."""

from __future__ import annotations

import importlib
import os
import tempfile
from types import ModuleType

import numpy as np
import pandas as pd

from report_builder.labels import CATEGORICAL, FEATURES



def is_tree_model(model: object) -> bool:
    from sklearn.ensemble import ExtraTreesClassifier, RandomForestClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.tree import DecisionTreeClassifier

    trees = (DecisionTreeClassifier, RandomForestClassifier, ExtraTreesClassifier)
    return isinstance(model, Pipeline) and isinstance(model.named_steps["clf"], trees)


def shap_values(
    model: object, rows: pd.DataFrame, X_train: pd.DataFrame, background_size: int, seed: int, exact: bool = True
) -> tuple[str, np.ndarray, float]:
    """(explainer name, rows × features SHAP in probability units, base value).

    `exact=False` ranks a customer's own top drivers, never the report's explanation: for trees each feature's
    contribution along the decision paths (Saabas), for other models `_permutation_walk`; both additive like SHAP and
    many times faster.
    """
    if is_tree_model(model):
        name = "TreeExplainer" if exact else "TreeExplainer (пути деревьев)"
        return (name, *_tree_shap(model, rows, exact))  # type: ignore[arg-type]
    if not exact:
        return ("Перестановка признаков в обе стороны", *_permutation_walk(model, rows, X_train, background_size, seed))
    return ("PermutationExplainer", *_permutation_shap(model, rows, X_train, background_size, seed))


def _tree_shap(model: object, rows: pd.DataFrame, exact: bool = True) -> tuple[np.ndarray, float]:
    """Tree SHAP (exact, or along the paths) in probability units, one-hot columns summed back to their feature."""
    import shap  # heavy: imported only when values are computed, not on a cached build

    prep, clf = model.named_steps["prep"], model.named_steps["clf"]
    explainer = shap.TreeExplainer(clf)
    raw = np.asarray(explainer.shap_values(prep.transform(rows), approximate=not exact))
    positive = raw[..., 1] if raw.ndim == 3 else raw
    names = list(prep.get_feature_names_out())
    values = np.zeros((len(rows), len(FEATURES)))
    for j, column in enumerate(names):
        values[:, _owner(column)] += positive[:, j]
    return values, float(np.atleast_1d(explainer.expected_value)[-1])


def _owner(column: str) -> int:
    for i, feature in enumerate(FEATURES):
        if column == feature or (feature in CATEGORICAL and column.startswith(feature + "_")):
            return i
    raise KeyError(column)


def _permutation_shap(
    model: object, rows: pd.DataFrame, X_train: pd.DataFrame, background_size: int, seed: int
) -> tuple[np.ndarray, float]:
    """Model-agnostic SHAP on the original features over a bounded background sample."""
    import shap

    _compiled_once(shap)
    codes = {c: sorted(set(X_train[c]) | set(rows[c])) for c in CATEGORICAL}

    def encode(frame: pd.DataFrame) -> np.ndarray:
        out = frame.copy()
        for c in CATEGORICAL:
            out[c] = out[c].map({v: k for k, v in enumerate(codes[c])})
        return out.to_numpy(dtype=float)

    def predict(matrix: np.ndarray) -> np.ndarray:
        frame = pd.DataFrame(matrix, columns=list(FEATURES))
        for c in CATEGORICAL:
            frame[c] = [codes[c][int(k)] for k in frame[c]]
        return model.predict_proba(frame)[:, 1]  # type: ignore[attr-defined]

    background = encode(X_train.sample(min(background_size, len(X_train)), random_state=seed))
    explainer = shap.PermutationExplainer(predict, shap.maskers.Independent(background, max_samples=len(background)), seed=seed)
    evals = 2 * len(FEATURES) + 1  # one forward and backward pass per row: exact additivity
    result = explainer(encode(rows), max_evals=evals, batch_size=evals, silent=True)
    return np.asarray(result.values), float(np.mean(result.base_values))




# What shap's PermutationExplainer compiles with numba the first time a process masks with it (shap 0.4x–0.5x names):
# the masking, the link applied to the model's output, and the function that averages the outputs through that link.
_MASKING = (
    ("maskers._tabular", "_delta_masking"),
    ("maskers._tabular", "_single_delta_mask"),
    ("links", "identity"),
    ("utils._masked_model", "_build_fixed_single_output"),
)
_KEPT_IN: dict[str, str] = {}  # each of them → the folder numba keeps its compiled code in


def _compiled_once(shap: ModuleType) -> None:
    """Let numba keep shap's masking code between processes, where it is given a folder for that (NUMBA_CACHE_DIR: the
    command gives one in its stage cache). shap compiles it without a cache, in every process that explains a model
    that is not a tree: 3.5–9 s of processor time, every build (`_same_name_everywhere` says why the averaging function
    needs more than a folder). Without a folder it can write into, nothing changes (numba would fall back to writing
    beside shap's own files); a shap whose functions have other names is left as it is."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    if not folder or not _writable(folder):
        return
    from numba.core import config
    from numba.core.dispatcher import Dispatcher

    previous, config.CACHE_DIR = config.CACHE_DIR, folder  # numba reads the variable once, when it is imported
    try:
        for module, name in _MASKING:
            try:
                found = getattr(importlib.import_module(f"{shap.__name__}.{module}"), name, None)
            except ImportError:
                continue
            if isinstance(found, Dispatcher) and _KEPT_IN.get(f"{module}.{name}") != folder:
                found.enable_caching()  # where numba keeps it is read from its settings here
                _same_name_everywhere(found, f"{shap.__name__}.{module}.{name}")
                _KEPT_IN[f"{module}.{name}"] = folder
    finally:
        config.CACHE_DIR = previous


def _same_name_everywhere(function: object, name: str) -> None:
    """Name a compiled function the same in every process, so that numba finds what another process kept.

    numba files compiled code under the types of its arguments. shap passes its link (`links.identity`, itself a numba
    function) to the function that averages the outputs, and a numba function as an argument is typed by that function
    object, which numba tells apart between processes by a random identifier drawn in each process (its uuid): the
    averaging function was found in the folder under another process's identifier, never matched, and was compiled
    again in every process (3.5 s of the explanation when the rest was kept). Given the function's own module path as
    its identifier before numba draws one, the key is the same in every process. A numba without this identifier is
    left as it is."""
    if getattr(function, "_MemoMixin__uuid", "drawn") is None and hasattr(function, "_set_uuid"):
        function._set_uuid(name)  # type: ignore[attr-defined]


def _writable(folder: str) -> bool:
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def _permutation_walk(
    model: object, rows: pd.DataFrame, X_train: pd.DataFrame, background_size: int, seed: int
) -> tuple[np.ndarray, float]:
    """What shap's PermutationExplainer computes with one forward and one backward pass over a random feature order
    per row (its `max_evals = 2 × features + 1`), for all rows at once: one model call per step of the walk instead of
    one per row. Exactly additive: each row's values sum to its prediction minus the mean over the background."""
    rng = np.random.default_rng(seed)
    columns = list(FEATURES)
    # without the customers' ids: the model sees plain rows, none of them passed off as a customer scored
    background = X_train[columns].sample(min(background_size, len(X_train)), random_state=seed).reset_index(drop=True)
    x = rows[columns].reset_index(drop=True)
    n, m, b = len(x), len(columns), len(background)
    ranks = np.argsort(np.argsort(rng.random((n, m)), axis=1), axis=1)  # each row's random order of the features

    def predict(frame: pd.DataFrame) -> np.ndarray:
        return np.asarray(model.predict_proba(frame)[:, 1], dtype=float)  # type: ignore[attr-defined]

    def mixed(taken: np.ndarray) -> np.ndarray:
        """Mean prediction per row over the background, with the `taken` features (n × m mask) from the row itself."""
        frame = pd.DataFrame({
            c: np.where(taken[:, j, None], x[c].to_numpy()[:, None], background[c].to_numpy()[None, :]).ravel()
            for j, c in enumerate(columns)
        }).astype(x.dtypes.to_dict())
        return predict(frame).reshape(n, b).mean(axis=1)

    base = float(predict(background).mean())
    full = predict(x)
    values = np.zeros((n, m))
    for order in (ranks, m - 1 - ranks):  # forward, then the same order backward
        before = np.full(n, base)
        for step in range(1, m + 1):
            after = full if step == m else mixed(order < step)
            values[np.arange(n), np.argmax(order == step - 1, axis=1)] += after - before
            before = after
    return values / 2, base
