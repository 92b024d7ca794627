"""Next quarter's decline: a model learnt on pairs of consecutive quarters, checked against persistence.

Used by the forecast stage (`stages/forecast.py`) once the history holds a pair of quarters.

A pair (t-1, t) is two consecutive quarters with enough shared customers. Its rows are the
features at t-1 plus whether activity declined at t-1 (a 0/1 column), and the target is the
label at t. Folds are grouped by customer, so one customer never sits on both sides of a split.

With two pairs or more the score is out of time: the model is searched on the earlier pairs and
checked on the latest one, and the calibrator is chosen and fitted on those out-of-time scores.
With one pair the score and the calibration are out of fold. The model is then refitted on all
pairs and applied to the current quarter. If its validated ROC-AUC does not beat persistence
(«кто снизил активность сейчас, снизит и дальше») on the same customers, persistence is the
forecast, with probabilities equal to the observed transition rates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from report_builder.calibration import Calibrator, Method, calibrated, choose, fit_calibrator, joined, model_scores
from report_builder.config import ForecastConfig, ModelConfig
from report_builder.features import GroupedFolds, bootstrap_auc, stratified_cap
from report_builder.labels import DECLINED, DECLINED_NOW, FEATURES, STABLE, TARGET
from report_builder.results.analysis import OutOfFold
from report_builder.results.forecast import (
    Baseline,
    ExpectedDecliners,
    Forecast,
    Quarter,
)
from report_builder.stages.models import checked_families, chosen_params, search_families

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

Splits = list[tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class _Rows:
    """The training rows of all pairs, stacked: position k is one customer in one pair."""

    X: pd.DataFrame
    y: np.ndarray
    customer: np.ndarray
    pair: np.ndarray


@dataclass(frozen=True)
class _Checked:
    """What the validation gives: the rows scored and the model's scores on them."""

    family: str
    estimator: Pipeline
    rows: np.ndarray  # positions of the validated rows
    splits: Splits  # (fitted on, scored) positions: one split out of time, or the folds
    proba: np.ndarray | None  # the model's own probability, where it has one
    raw: np.ndarray  # what a calibrator maps: the decision function where there is one
    calibration_folds: GroupedFolds  # folds over the validated rows for choosing the calibration


def forward_forecast(
    quarters: Sequence[Quarter], current: Quarter, config: ForecastConfig, model: ModelConfig, seed: int,
    follows: Callable[[str, str], bool] | None = None,
) -> Forecast | None:
    """Next quarter's probability of decline for every customer of `current`; None without a pair.

    `quarters` are the earlier quarters in period order; a pair is two neighbours of (q0, …, q_last, current)
    that are consecutive quarters (or, for `follows=None`, any two neighbours) and share enough customers.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score

    pairs = _pairs([*quarters, current], config, follows)
    if not pairs:
        return None
    rows = _pair_rows(pairs)
    if not _both_classes(rows.y):
        return None
    latest = rows.pair == len(pairs) - 1
    out_of_time = len(pairs) >= 2 and _both_classes(rows.y[latest]) and _both_classes(rows.y[~latest])
    checked = _out_of_time(rows, latest, model, seed) if out_of_time else _out_of_fold(rows, model, seed)

    y = rows.y[checked.rows]
    prior = rows.X[DECLINED_NOW].to_numpy()[checked.rows]
    # A calibrator's Brier score is measured on scores it did not see (folds over the validated rows).
    method, tried, calibrated = choose(OutOfFold(checked.proba, checked.raw), y, checked.calibration_folds)
    model_auc = float(roc_auc_score(y, checked.raw))
    persistence_proba, constant_proba = _out_of_sample_rates(rows, checked)
    persistence = _persistence(y, prior, persistence_proba)
    forward = model_auc > persistence.roc_auc

    current_X = _features(current.customers)
    rates = _transition_rates(rows.y, rows.X[DECLINED_NOW].to_numpy())
    calibrator = None
    if forward:
        calibrator = fit_calibrator(checked.proba if method == "none" else checked.raw, y, method)  # type: ignore[arg-type]
        values = joined(_refit(checked.estimator, rows, model, seed), calibrator).predict_proba(current_X)[:, 1]  # type: ignore[attr-defined]
    else:
        values = np.where(current_X[DECLINED_NOW].to_numpy() == 1, rates[1], rates[0])
    probability = pd.Series(values, index=current.customers.index, name="probability")
    declining_now = current.customers[TARGET] == DECLINED
    used_score = checked.raw if forward else prior.astype(float)
    return Forecast(
        kind="forward" if forward else "persistence",
        reason="model_better" if forward else "persistence_better",
        pairs=tuple((before.period, after.period) for before, after in pairs),
        validation="time" if out_of_time else "cv",
        customers=len(checked.rows),
        roc_auc=model_auc if forward else persistence.roc_auc,
        roc_auc_ci95=bootstrap_auc(y, used_score, model.bootstrap_rounds, seed),
        brier=tried[method] if forward else persistence.brier,
        persistence=persistence,
        constant_brier=float(brier_score_loss(y, constant_proba)),
        model_roc_auc=model_auc,
        model_brier=float(brier_score_loss(y, calibrated)),
        family=checked.family,
        calibration=method,
        calibration_brier=tuple(tried.items()),
        rate_from_stable=rates[0],
        rate_from_declining=rates[1],
        probability=probability,
        params=chosen_params(checked.estimator, checked_families(model, seed)[checked.family], model, checked.family),
        calibrator=None if calibrator is None else calibrator.numbers,
        expected=ExpectedDecliners(
            from_stable=float(probability[current.customers[TARGET] == STABLE].sum()),
            from_declining=float(probability[declining_now].sum()),
        ),
    )


def refitted(
    quarters: Sequence[Quarter], pipeline: Pipeline, calibration: Calibrator | Method, config: ForecastConfig,
    model: ModelConfig, seed: int, follows: Callable[[str, str], bool] | None = None,
) -> object | None:
    """A forward model with known parameters fitted again on every pair of `quarters` as `forward_forecast` fitted it,
    mapped by the calibrator that quarter recorded: what a later quarter scores its customers with (`scored`), to see
    them with that quarter's forecast as it was. Given only the calibration's method (a quarter recorded before its
    calibrator was kept), the calibrator is fitted again out of fold, the folds grouped by customer: the same one for a
    forecast checked out of fold (one pair), another for one checked out of time. None without a pair."""
    pairs = _pairs(list(quarters), config, follows)
    if not pairs:
        return None
    rows = _pair_rows(pairs)
    if not _both_classes(rows.y):
        return None
    if isinstance(calibration, Calibrator):
        return joined(_refit(pipeline, rows, model, seed), calibration)
    used = _capped(np.arange(len(rows.y)), rows.y, model.max_fit_rows, seed)
    folds = GroupedFolds(rows.y[used], rows.customer[used], model.cv_folds, seed)
    return calibrated(pipeline, folds, calibration, model.n_jobs).fit(rows.X.iloc[used], rows.y[used])  # type: ignore[attr-defined]


def scored(fitted: object, customers: pd.DataFrame) -> np.ndarray:
    """A forward model's chance of decline for customers with labels.FEATURES and labels.TARGET."""
    return fitted.predict_proba(_features(customers))[:, 1]  # type: ignore[attr-defined]


def _pairs(sequence: Sequence[Quarter], config: ForecastConfig, follows: Callable[[str, str], bool] | None) -> list[tuple[Quarter, Quarter]]:
    """Neighbours that are consecutive quarters (any neighbours for `follows=None`) and share enough customers."""
    return [
        (before, after) for before, after in zip(sequence, sequence[1:])
        if (follows is None or follows(before.period, after.period))
        and len(before.customers.index.intersection(after.customers.index)) >= config.min_customers
    ]


def _features(customers: pd.DataFrame) -> pd.DataFrame:
    declined = (customers[TARGET] == DECLINED).astype(int)
    return customers[list(FEATURES)].assign(**{DECLINED_NOW: declined})


def _pair_rows(pairs: Sequence[tuple[Quarter, Quarter]]) -> _Rows:
    frames, targets, customers, which = [], [], [], []
    for k, (before, after) in enumerate(pairs):
        shared = before.customers.index.intersection(after.customers.index).sort_values()
        frames.append(_features(before.customers.loc[shared]))
        targets.append((after.customers.loc[shared, TARGET] == DECLINED).astype(int).to_numpy())
        customers.append(shared.to_numpy())
        which.append(np.full(len(shared), k))
    return _Rows(
        X=pd.concat(frames, ignore_index=True),
        y=np.concatenate(targets),
        customer=np.concatenate(customers),
        pair=np.concatenate(which),
    )


def _both_classes(y: np.ndarray) -> bool:
    return len(np.unique(y)) == 2


def _capped(positions: np.ndarray, y: np.ndarray, limit: int, seed: int) -> np.ndarray:
    index = pd.Index(positions)
    return stratified_cap(index, pd.Series(y[positions], index=index), limit, seed).to_numpy()


def _search(rows: _Rows, positions: np.ndarray, model: ModelConfig, seed: int) -> tuple[str, Pipeline, GroupedFolds, OutOfFold]:
    """The family and candidate with the best grouped cross-validated ROC-AUC on these rows (the same successive
    halving over the families as this quarter's search), fitted on them; its out-of-fold scores on them."""
    X, y = rows.X.iloc[positions], rows.y[positions]
    folds = GroupedFolds(y, rows.customer[positions], model.cv_folds, seed)
    searches = search_families(X, y, folds, model, seed, (DECLINED_NOW,))
    best = max(searches.values(), key=lambda found: found.best_score)  # the first of equal scores, in settings order
    return best.name, best.refit(X, y), folds, best.best.out_of_fold


def _out_of_time(rows: _Rows, latest: np.ndarray, model: ModelConfig, seed: int) -> _Checked:
    """Searched on the earlier pairs, scored on the latest pair."""
    train = _capped(np.flatnonzero(~latest), rows.y, model.max_fit_rows, seed)
    family, estimator, _, _ = _search(rows, train, model, seed)
    scored = np.flatnonzero(latest)
    held_out = model_scores(estimator, rows.X.iloc[scored])
    folds = GroupedFolds(rows.y[scored], rows.customer[scored], model.cv_folds, seed)
    return _Checked(family, estimator, scored, [(np.flatnonzero(~latest), scored)], held_out.proba, held_out.raw, folds)


def _out_of_fold(rows: _Rows, model: ModelConfig, seed: int) -> _Checked:
    """Searched and scored out of fold, the folds grouped by customer (the search's own out-of-fold scores)."""
    used = _capped(np.arange(len(rows.y)), rows.y, model.max_fit_rows, seed)
    family, estimator, folds, scores = _search(rows, used, model, seed)
    splits = [(used[train], used[test]) for train, test in folds.split()]
    return _Checked(family, estimator, used, splits, scores.proba, scores.raw, folds)


def _persistence(y: np.ndarray, prior: np.ndarray, proba: np.ndarray) -> Baseline:
    from sklearn.metrics import brier_score_loss, roc_auc_score

    flagged = prior == 1
    return Baseline(
        roc_auc=float(roc_auc_score(y, prior)),
        precision=float(y[flagged].mean()) if flagged.any() else 0.0,
        recall=float(flagged[y == 1].mean()),
        brier=float(brier_score_loss(y, proba)),
    )


def _transition_rates(y: np.ndarray, prior: np.ndarray) -> tuple[float, float]:
    """Observed decline rate at t of customers stable / declining at t-1; the overall rate for an empty group."""
    overall = float(y.mean())
    return tuple(float(y[prior == state].mean()) if (prior == state).any() else overall for state in (0, 1))  # type: ignore[return-value]


def _out_of_sample_rates(rows: _Rows, checked: _Checked) -> tuple[np.ndarray, np.ndarray]:
    """Persistence's and the constant's probabilities on the validated rows, each learnt on the rows fitted on."""
    prior = rows.X[DECLINED_NOW].to_numpy()
    persistence = pd.Series(np.nan, index=checked.rows)
    constant = pd.Series(np.nan, index=checked.rows)
    for train, test in checked.splits:
        stable, declining = _transition_rates(rows.y[train], prior[train])
        persistence.loc[test] = np.where(prior[test] == 1, declining, stable)
        constant.loc[test] = rows.y[train].mean()
    return persistence.to_numpy(), constant.to_numpy()


def _refit(estimator: Pipeline, rows: _Rows, model: ModelConfig, seed: int) -> Pipeline:
    """The chosen candidate fitted again on (at most max_fit_rows of) all pairs."""
    from sklearn.base import clone

    used = _capped(np.arange(len(rows.y)), rows.y, model.max_fit_rows, seed)
    return clone(estimator).fit(rows.X.iloc[used], rows.y[used])
